/**
 * Finding the `borrowlens` executable: the `borrowlens.server.path` setting, else `borrowlens`
 * on PATH, else where `pipx` / `pip install --user` put it (`~/.local/bin`, which VS Code
 * started from a desktop often lacks on PATH); when none is there, the exact command that
 * installs it. Pure: the file system is passed in, so the rules are unit-tested.
 */

import * as path from "node:path";

export interface DiscoveryInput {
  settingPath: string | null;
  pathEnv: string | undefined;
  platform: NodeJS.Platform;
  home: string;
  /** True when `file` exists and may be executed. */
  isExecutable: (file: string) => boolean;
}

export type ServerSource = "setting" | "PATH" | "user install";

export type Discovered =
  | { kind: "found"; path: string; source: ServerSource }
  | { kind: "missing"; message: string; installCommand: string; tried: string[] };

/** Expands a leading `~` and `${userHome}`, as users write them in settings. */
export function expandHome(file: string, home: string, platform: NodeJS.Platform = process.platform): string {
  if (file === "~") {
    return home;
  }
  if (file.startsWith("~/") || (platform === "win32" && file.startsWith("~\\"))) {
    return (platform === "win32" ? path.win32 : path.posix).join(home, file.slice(2));
  }
  return file.replace(/\$\{userHome\}/g, home);
}

function executableNames(platform: NodeJS.Platform): string[] {
  return platform === "win32" ? ["borrowlens.exe", "borrowlens.cmd", "borrowlens"] : ["borrowlens"];
}

/** The first executable called `names[i]` in a directory of `pathEnv`, and every file tried. */
export function onPath(names: readonly string[], input: Omit<DiscoveryInput, "settingPath" | "home">):
    { found: string | undefined; tried: string[] } {
  const paths = input.platform === "win32" ? path.win32 : path.posix;
  const separator = input.platform === "win32" ? ";" : ":";
  const tried: string[] = [];
  for (const directory of (input.pathEnv ?? "").split(separator)) {
    if (directory === "") {
      continue;
    }
    for (const name of names) {
      const file = paths.join(directory, name);
      tried.push(file);
      if (input.isExecutable(file)) {
        return { found: file, tried };
      }
    }
  }
  return { found: undefined, tried };
}

export function findServer(input: DiscoveryInput, installCommand: string): Discovered {
  const tried: string[] = [];
  const paths = input.platform === "win32" ? path.win32 : path.posix;
  const join = (...parts: string[]): string => paths.join(...parts);
  if (input.settingPath !== null) {
    const file = expandHome(input.settingPath, input.home, input.platform);
    if (input.isExecutable(file)) {
      return { kind: "found", path: file, source: "setting" };
    }
    // A setting that points nowhere is a mistake to report, not a reason to guess.
    return {
      kind: "missing",
      message: `borrowlens.server.path is set to "${input.settingPath}", which is not an executable file. `
        + "Fix the setting, or clear it to use borrowlens from PATH.",
      installCommand,
      tried: [file],
    };
  }
  const onPathResult = onPath(executableNames(input.platform), input);
  tried.push(...onPathResult.tried);
  if (onPathResult.found !== undefined) {
    return { kind: "found", path: onPathResult.found, source: "PATH" };
  }
  // pipx's default on every platform (and pip --user's on Linux and macOS).
  const userBin = join(input.home, ".local", "bin", input.platform === "win32" ? "borrowlens.exe" : "borrowlens");
  tried.push(userBin);
  if (input.isExecutable(userBin)) {
    return { kind: "found", path: userBin, source: "user install" };
  }
  return {
    kind: "missing",
    message: "The borrowlens language server is not installed (not on PATH, and "
      + "borrowlens.server.path is not set). Install it with: " + installCommand,
    installCommand,
    tried,
  };
}

/** Quotes one argument for the shell of `platform`'s integrated terminal. */
export function shellQuote(argument: string, platform: NodeJS.Platform): string {
  if (/^[\w@%+=:,./-]+$/.test(argument)) {
    return argument;
  }
  if (platform === "win32") {
    return `"${argument.replace(/"/g, '""')}"`;
  }
  return `'${argument.replace(/'/g, "'\\''")}'`;
}

/**
 * The command that installs borrowlens from the wheel shipped inside the extension: with
 * pipx when it is there (its own virtual environment, nothing else touched), else with pip
 * into the user's site-packages. Either puts `borrowlens` in ~/.local/bin.
 */
export function installCommand(wheel: string, hasPipx: boolean, platform: NodeJS.Platform): string {
  const quoted = shellQuote(wheel, platform);
  if (hasPipx) {
    return `pipx install --force ${quoted}`;
  }
  const python = platform === "win32" ? "py -3" : "python3";
  return `${python} -m pip install --user ${quoted}`;
}
