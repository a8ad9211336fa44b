/**
 * discovery.ts: where the `borrowlens` executable is looked for (the setting, PATH, the user
 * install directory), what is reported when it is missing, and the install command.
 */

import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";

import { expandHome, findServer, installCommand, shellQuote, type DiscoveryInput, type Discovered } from "../../src/discovery";

const INSTALL = "pipx install --force /ext/server/borrowlens-0.1.0-py3-none-any.whl";

interface Probe {
  input: DiscoveryInput;
  /** Every file isExecutable was asked about, in order. */
  asked: string[];
}

function probe(overrides: Partial<Omit<DiscoveryInput, "isExecutable">>, executables: string[]): Probe {
  const asked: string[] = [];
  const present = new Set(executables);
  const input: DiscoveryInput = {
    settingPath: null,
    pathEnv: "/usr/local/bin:/usr/bin:/bin",
    platform: "linux",
    home: "/home/ana",
    ...overrides,
    isExecutable: (file) => {
      asked.push(file);
      return present.has(file);
    },
  };
  return { input, asked };
}

function found(result: Discovered): { path: string; source: string } {
  assert.equal(result.kind, "found", `expected a server, got ${JSON.stringify(result)}`);
  const { path, source } = result;
  return { path, source };
}

function missing(result: Discovered): Extract<Discovered, { kind: "missing" }> {
  assert.equal(result.kind, "missing", `expected nothing found, got ${JSON.stringify(result)}`);
  return result;
}

void describe("findServer (POSIX)", () => {
  void it("uses the setting first, even when borrowlens is also on PATH", () => {
    const { input } = probe({ settingPath: "/opt/bl/borrowlens" },
      ["/opt/bl/borrowlens", "/usr/bin/borrowlens", "/home/ana/.local/bin/borrowlens"]);
    assert.deepEqual(found(findServer(input, INSTALL)), { path: "/opt/bl/borrowlens", source: "setting" });
  });

  void it("prefers PATH to ~/.local/bin", () => {
    const { input } = probe({}, ["/usr/bin/borrowlens", "/home/ana/.local/bin/borrowlens"]);
    assert.deepEqual(found(findServer(input, INSTALL)), { path: "/usr/bin/borrowlens", source: "PATH" });
  });

  void it("takes the first PATH directory that has it", () => {
    const { input, asked } = probe({}, ["/usr/bin/borrowlens", "/bin/borrowlens"]);
    assert.deepEqual(found(findServer(input, INSTALL)), { path: "/usr/bin/borrowlens", source: "PATH" });
    assert.deepEqual(asked, ["/usr/local/bin/borrowlens", "/usr/bin/borrowlens"]);
  });

  void it("falls back to ~/.local/bin (pipx / pip --user) when PATH lacks it", () => {
    const { input } = probe({}, ["/home/ana/.local/bin/borrowlens"]);
    assert.deepEqual(found(findServer(input, INSTALL)),
      { path: "/home/ana/.local/bin/borrowlens", source: "user install" });
  });

  void it("with no PATH at all still looks in ~/.local/bin", () => {
    const { input, asked } = probe({ pathEnv: undefined }, ["/home/ana/.local/bin/borrowlens"]);
    assert.equal(found(findServer(input, INSTALL)).source, "user install");
    assert.deepEqual(asked, ["/home/ana/.local/bin/borrowlens"]);
  });

  void it("skips empty PATH entries instead of looking in the current directory", () => {
    const { input, asked } = probe({ pathEnv: "::/usr/bin::" }, ["borrowlens", "./borrowlens"]);
    const result = missing(findServer(input, INSTALL));
    assert.deepEqual(asked, ["/usr/bin/borrowlens", "/home/ana/.local/bin/borrowlens"]);
    assert.deepEqual(result.tried, asked);
  });

  void it("reports a setting that is not executable, naming it, without falling back to PATH", () => {
    const { input, asked } = probe({ settingPath: "/opt/bl/borrowlnes" }, ["/usr/bin/borrowlens"]);
    const result = missing(findServer(input, INSTALL));
    assert.ok(result.message.includes("borrowlens.server.path"), result.message);
    assert.ok(result.message.includes('"/opt/bl/borrowlnes"'), result.message);
    assert.deepEqual(result.tried, ["/opt/bl/borrowlnes"]);
    assert.deepEqual(asked, ["/opt/bl/borrowlnes"]);
    assert.equal(result.installCommand, INSTALL);
  });

  void it("expands ~ in the setting", () => {
    const { input } = probe({ settingPath: "~/tools/borrowlens" }, ["/home/ana/tools/borrowlens"]);
    assert.deepEqual(found(findServer(input, INSTALL)), { path: "/home/ana/tools/borrowlens", source: "setting" });
  });

  void it("names the expanded file in tried, the setting as written in the message", () => {
    const { input } = probe({ settingPath: "~/tools/borrowlens" }, []);
    const result = missing(findServer(input, INSTALL));
    assert.deepEqual(result.tried, ["/home/ana/tools/borrowlens"]);
    assert.ok(result.message.includes('"~/tools/borrowlens"'), result.message);
  });

  void it("when nothing is found, says so with the exact install command and lists what it tried", () => {
    const { input } = probe({ pathEnv: "/usr/bin:/bin" }, []);
    const result = missing(findServer(input, INSTALL));
    assert.ok(result.message.endsWith(`Install it with: ${INSTALL}`), result.message);
    assert.equal(result.installCommand, INSTALL);
    assert.deepEqual(result.tried, ["/usr/bin/borrowlens", "/bin/borrowlens", "/home/ana/.local/bin/borrowlens"]);
  });
});

void describe("findServer (Windows)", () => {
  const windows = { platform: "win32" as const, home: "C:\\Users\\ana" };

  void it("splits PATH on ; and tries borrowlens.exe, .cmd, then the bare name in each directory", () => {
    const { input, asked } = probe({ ...windows, pathEnv: "C:\\Windows;;C:\\Tools\\bin;" },
      ["C:\\Tools\\bin\\borrowlens.cmd"]);
    assert.deepEqual(found(findServer(input, INSTALL)), { path: "C:\\Tools\\bin\\borrowlens.cmd", source: "PATH" });
    assert.deepEqual(asked, [
      "C:\\Windows\\borrowlens.exe", "C:\\Windows\\borrowlens.cmd", "C:\\Windows\\borrowlens",
      "C:\\Tools\\bin\\borrowlens.exe", "C:\\Tools\\bin\\borrowlens.cmd",
    ]);
  });

  void it("does not split a Windows PATH on the drive letter's colon", () => {
    const { input } = probe({ ...windows, pathEnv: "C:\\Python312\\Scripts" }, ["C:\\Python312\\Scripts\\borrowlens.exe"]);
    assert.deepEqual(found(findServer(input, INSTALL)),
      { path: "C:\\Python312\\Scripts\\borrowlens.exe", source: "PATH" });
  });

  void it("finds a pipx install in ~\\.local\\bin (pipx's bin directory on Windows too)", () => {
    const { input } = probe({ ...windows, pathEnv: "C:\\Windows" }, ["C:\\Users\\ana\\.local\\bin\\borrowlens.exe"]);
    assert.deepEqual(found(findServer(input, INSTALL)),
      { path: "C:\\Users\\ana\\.local\\bin\\borrowlens.exe", source: "user install" });
  });

  void it("expands ~\\ in the setting with Windows separators", () => {
    const { input } = probe({ ...windows, settingPath: "~\\bin\\borrowlens.exe" }, ["C:\\Users\\ana\\bin\\borrowlens.exe"]);
    assert.deepEqual(found(findServer(input, INSTALL)),
      { path: "C:\\Users\\ana\\bin\\borrowlens.exe", source: "setting" });
  });
});

void describe("expandHome", () => {
  void it("expands a leading ~ and ${userHome}", () => {
    assert.equal(expandHome("~", "/home/ana"), "/home/ana");
    assert.equal(expandHome("~/bin/borrowlens", "/home/ana"), "/home/ana/bin/borrowlens");
    assert.equal(expandHome("${userHome}/bin/borrowlens", "/home/ana"), "/home/ana/bin/borrowlens");
  });

  void it("leaves other paths alone", () => {
    assert.equal(expandHome("/usr/bin/borrowlens", "/home/ana"), "/usr/bin/borrowlens");
    assert.equal(expandHome("~bob/bin/borrowlens", "/home/ana"), "~bob/bin/borrowlens");
    assert.equal(expandHome("/opt/~/borrowlens", "/home/ana"), "/opt/~/borrowlens");
    assert.equal(expandHome("bin/borrowlens", "/home/ana"), "bin/borrowlens");
  });
});

void describe("shellQuote", () => {
  void it("leaves plain paths unquoted", () => {
    assert.equal(shellQuote("/ext/server/borrowlens-0.1.0-py3-none-any.whl", "linux"),
      "/ext/server/borrowlens-0.1.0-py3-none-any.whl");
    assert.equal(shellQuote("/Users/ana/borrowlens_0.1+local.whl", "darwin"), "/Users/ana/borrowlens_0.1+local.whl");
  });

  void it("single-quotes for POSIX shells, closing the quote around a '", () => {
    assert.equal(shellQuote("/home/ana/My Extensions/b.whl", "linux"), "'/home/ana/My Extensions/b.whl'");
    assert.equal(shellQuote("/home/ana/it's/b.whl", "darwin"), "'/home/ana/it'\\''s/b.whl'");
  });

  void it("double-quotes on Windows, doubling a \"", () => {
    assert.equal(shellQuote("C:\\Users\\Ana Lopez\\b.whl", "win32"), '"C:\\Users\\Ana Lopez\\b.whl"');
    assert.equal(shellQuote('a"b c', "win32"), '"a""b c"');
  });

  void it("gives sh back the exact argument for awkward POSIX paths", { skip: process.platform === "win32" }, () => {
    const awkward = [
      "/home/ana/My Extensions/b.whl",
      "/home/ana/it's/b.whl",
      "/tmp/$HOME/`id`/b.whl",
      "/tmp/a\"b\\c/b.whl",
      "/tmp/semi;colon&amp|pipe*glob?/b.whl",
      "/tmp/new\nline/b.whl",
      "",
    ];
    for (const argument of awkward) {
      const echoed = execFileSync("/bin/sh", ["-c", `printf '%s' ${shellQuote(argument, "linux")}`], { encoding: "utf8" });
      assert.equal(echoed, argument);
    }
  });
});

void describe("installCommand", () => {
  const wheel = "/home/ana/.vscode/extensions/borrowlens.borrowlens-0.1.0/server/borrowlens-0.1.0-py3-none-any.whl";

  void it("uses pipx when it is there", () => {
    assert.equal(installCommand(wheel, true, "linux"), `pipx install --force ${wheel}`);
  });

  void it("uses pip --user with python3 otherwise", () => {
    assert.equal(installCommand(wheel, false, "linux"), `python3 -m pip install --user ${wheel}`);
    assert.equal(installCommand(wheel, false, "darwin"), `python3 -m pip install --user ${wheel}`);
  });

  void it("uses the py launcher on Windows", () => {
    assert.equal(installCommand("C:\\ext\\b.whl", false, "win32"), 'py -3 -m pip install --user "C:\\ext\\b.whl"');
    assert.equal(installCommand("C:\\ext\\b.whl", true, "win32"), 'pipx install --force "C:\\ext\\b.whl"');
  });

  void it("quotes a wheel path with spaces or quotes", () => {
    assert.equal(installCommand("/home/ana/VS Code/b.whl", true, "linux"), "pipx install --force '/home/ana/VS Code/b.whl'");
    assert.equal(installCommand("/home/o'neil/b.whl", false, "linux"),
      "python3 -m pip install --user '/home/o'\\''neil/b.whl'");
    assert.equal(installCommand("C:\\Users\\Ana Lopez\\b.whl", true, "win32"),
      'pipx install --force "C:\\Users\\Ana Lopez\\b.whl"');
  });

  void it("is what the missing message tells the user to run", () => {
    const command = installCommand("/home/ana/VS Code/b.whl", true, "linux");
    const { input } = probe({}, []);
    const result = missing(findServer(input, command));
    assert.ok(result.message.includes(command), result.message);
    assert.equal(result.installCommand, command);
  });
});
