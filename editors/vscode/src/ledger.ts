/**
 * The routing ledger: a small JSON file in the user's config directory that records which
 * settings files borrowlens routed rust-analyzer in, and what it replaced. The extension
 * keeps it; the `vscode:uninstall` hook (which runs without the VS Code API, after the
 * extension is gone) reads it to put the settings back. Node only, no `vscode` import.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { applyEdits, findNodeAtLocation, modify, parse, parseTree, type ParseError } from "jsonc-parser";

import { planUnroute, type LedgerEntry, type RaServerSettings } from "./routing";

export function ledgerFile(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  if (env.BORROWLENS_VSCODE_LEDGER) {
    return env.BORROWLENS_VSCODE_LEDGER;
  }
  const base = env.XDG_CONFIG_HOME || path.join(home, ".config");
  return path.join(base, "borrowlens", "vscode-routing.json");
}

export function readLedger(file: string): LedgerEntry[] {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    return Array.isArray(value) ? (value as LedgerEntry[]) : [];
  } catch {
    return [];
  }
}

export function writeLedger(file: string, entries: LedgerEntry[]): void {
  if (entries.length === 0) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  fs.writeFileSync(partial, JSON.stringify(entries, null, 2) + "\n");
  fs.renameSync(partial, file);
}

/** The ledger with `entry` recorded (replacing the one for the same settings file and scope). */
export function withEntry(entries: LedgerEntry[], entry: LedgerEntry): LedgerEntry[] {
  return [...withoutEntry(entries, entry.scope, entry.settingsFile), entry];
}

export function withoutEntry(entries: LedgerEntry[], scope: string, settingsFile: string | null): LedgerEntry[] {
  return entries.filter((e) => !(e.scope === scope && e.settingsFile === settingsFile));
}

/** Settings live at the top of settings.json, and under "settings" in a .code-workspace. */
function prefix(settingsFile: string): string[] {
  return settingsFile.endsWith(".code-workspace") ? ["settings"] : [];
}

/**
 * Undoes one entry in a settings file's text (JSON with comments), keeping its comments and
 * formatting; returns the text unchanged when borrowlens' values are no longer there.
 */
export function unrouteText(text: string, entry: LedgerEntry, settingsFile: string): string {
  const errors: ParseError[] = [];
  const root: unknown = parse(text, errors, { allowTrailingComma: true });
  if (errors.length > 0 || root === null || typeof root !== "object") {
    return text;
  }
  let settings = root as Record<string, unknown>;
  for (const key of prefix(settingsFile)) {
    const inner = settings[key];
    if (inner === null || typeof inner !== "object") {
      return text;
    }
    settings = inner as Record<string, unknown>;
  }
  const current: RaServerSettings = {
    path: settings["rust-analyzer.server.path"] as string | null | undefined,
    extraEnv: settings["rust-analyzer.server.extraEnv"] as Record<string, unknown> | null | undefined,
  };
  const after = planUnroute(current, entry);
  let out = text;
  const options = { formattingOptions: { insertSpaces: true, tabSize: 4 } };
  const set = (key: string, value: unknown): void => {
    const location = [...prefix(settingsFile), key];
    out = value === undefined ? removeProperty(out, location)
      : applyEdits(out, modify(out, location, value, options));
  };
  if (after.path !== current.path) {
    set("rust-analyzer.server.path", after.path);
  }
  if (JSON.stringify(after.extraEnv) !== JSON.stringify(current.extraEnv)) {
    set("rust-analyzer.server.extraEnv", after.extraEnv);
  }
  return out;
}

/**
 * Removes one property with its comma and, when it had its lines to itself, those lines.
 * jsonc-parser's own removal deletes from the end of the previous property, taking the
 * comment the user wrote after it.
 */
export function removeProperty(text: string, location: string[]): string {
  const value = findNodeAtLocation(parseTree(text) ?? { type: "null", offset: 0, length: 0 }, location);
  const property = value?.parent;
  if (!property || property.type !== "property") {
    return text;
  }
  let start = property.offset;
  let end = property.offset + property.length;
  const comma = /^[ \t]*,/.exec(text.slice(end));
  if (comma) {
    end += comma[0].length;
  } else {
    // The last property: the comma to drop is the one after the previous property.
    const siblings = property.parent?.children ?? [];
    const previous = siblings[siblings.indexOf(property) - 1];
    if (previous) {
      const at = text.indexOf(",", previous.offset + previous.length);
      if (at !== -1 && at < start) {
        text = text.slice(0, at) + text.slice(at + 1);
        start -= 1;
        end -= 1;
      }
    }
  }
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const lineEnd = text.indexOf("\n", end);
  if (/^[ \t]*$/.test(text.slice(lineStart, start)) && lineEnd !== -1 && /^[ \t]*$/.test(text.slice(end, lineEnd))) {
    start = lineStart;
    end = lineEnd + 1;
  }
  return text.slice(0, start) + text.slice(end);
}

/** The uninstall hook's work: undo every recorded entry in its file, then drop the ledger. */
export function unrouteAll(file: string, log: (line: string) => void): void {
  const entries = readLedger(file);
  const left: LedgerEntry[] = [];
  for (const entry of entries) {
    if (!entry.settingsFile) {
      continue;
    }
    try {
      const text = fs.readFileSync(entry.settingsFile, "utf8");
      const undone = unrouteText(text, entry, entry.settingsFile);
      if (undone !== text) {
        fs.writeFileSync(entry.settingsFile, undone);
        log(`borrowlens: restored the rust-analyzer settings in ${entry.settingsFile}`);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        log(`borrowlens: could not restore ${entry.settingsFile}: ${String(error)}`);
        left.push(entry);
      }
    }
  }
  writeLedger(file, left);
}
