/**
 * ledger.ts: where the routing ledger lives, reading and writing it, and undoing recorded
 * routes in settings files (JSON with comments) as the uninstall hook does.
 */

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, type ParseError } from "jsonc-parser";

import {
  ledgerFile,
  readLedger,
  unrouteAll,
  unrouteText,
  withEntry,
  withoutEntry,
  writeLedger,
} from "../../src/ledger";
import { planRoute, type LedgerEntry, type RaServerSettings } from "../../src/routing";

const BORROWLENS = "/home/ana/.local/bin/borrowlens";
const BUNDLED = "/home/ana/.vscode/extensions/rust-lang.rust-analyzer-0.3.2500-linux-x64/server/rust-analyzer";
const USER_RA = "/opt/rust-analyzer/bin/rust-analyzer";
const ENV = { BORROWLENS_EXPLANATION: "short", BORROWLENS_SUMMARY_IN_MESSAGE: "true", BORROWLENS_HOVER: "true" };

let tmp = "";

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "borrowlens-ledger-test-"));
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A fresh directory under the test's temp dir. */
function scratch(name: string): string {
  return fs.mkdtempSync(path.join(tmp, `${name}-`));
}

/** What routing `before` records, stored and read back as the ledger does. */
function entryFor(current: RaServerSettings, settingsFile: string | null, scope: "user" | "workspace" = "user"):
  { entry: LedgerEntry; path: string; extraEnv: Record<string, string> } {
  const plan = planRoute(current, BORROWLENS, BUNDLED, ENV, scope, settingsFile);
  return { entry: JSON.parse(JSON.stringify(plan.entry)) as LedgerEntry, path: plan.path, extraEnv: plan.extraEnv };
}

/** The settings object a JSONC text holds (under `settings` for a .code-workspace). */
function settingsOf(text: string, workspace = false): Record<string, unknown> {
  const errors: ParseError[] = [];
  const root = parse(text, errors, { allowTrailingComma: true }) as Record<string, unknown>;
  assert.deepEqual(errors, [], `the text still parses:\n${text}`);
  return workspace ? root.settings as Record<string, unknown> : root;
}

/** extraEnv as VS Code writes it, indented to sit at `indent`. */
function envJson(env: Record<string, string>, indent: string): string {
  return JSON.stringify(env, null, 4).replace(/\n/g, `\n${indent}`);
}

function entry(scope: "user" | "workspace", settingsFile: string | null, wrote = BORROWLENS): LedgerEntry {
  return {
    scope,
    settingsFile,
    previousPath: null,
    previousEnv: {},
    hadExtraEnv: false,
    wrotePath: wrote,
    wroteEnv: {},
  };
}

void describe("ledgerFile", () => {
  void it("is BORROWLENS_VSCODE_LEDGER when set", () => {
    assert.equal(ledgerFile({ BORROWLENS_VSCODE_LEDGER: "/tmp/l.json", XDG_CONFIG_HOME: "/x" }, "/home/ana"), "/tmp/l.json");
  });

  void it("is under XDG_CONFIG_HOME when set", () => {
    assert.equal(ledgerFile({ XDG_CONFIG_HOME: "/home/ana/.xdg" }, "/home/ana"),
      path.join("/home/ana/.xdg", "borrowlens", "vscode-routing.json"));
  });

  void it("is under ~/.config otherwise (an empty XDG_CONFIG_HOME counts as unset)", () => {
    const expected = path.join("/home/ana", ".config", "borrowlens", "vscode-routing.json");
    assert.equal(ledgerFile({}, "/home/ana"), expected);
    assert.equal(ledgerFile({ XDG_CONFIG_HOME: "" }, "/home/ana"), expected);
    assert.equal(ledgerFile({ BORROWLENS_VSCODE_LEDGER: "" }, "/home/ana"), expected);
  });
});

void describe("readLedger / writeLedger", () => {
  void it("reads a missing file as an empty ledger", () => {
    assert.deepEqual(readLedger(path.join(scratch("missing"), "nope.json")), []);
  });

  void it("reads garbage or a non-list as an empty ledger", () => {
    const dir = scratch("garbage");
    const file = path.join(dir, "ledger.json");
    for (const text of ["{not json", "", '{"scope":"user"}', "null", "42"]) {
      fs.writeFileSync(file, text);
      assert.deepEqual(readLedger(file), [], JSON.stringify(text));
    }
  });

  void it("round-trips entries, creating the directory, leaving no partial file", () => {
    const dir = scratch("roundtrip");
    const file = path.join(dir, "config", "borrowlens", "vscode-routing.json");
    const entries = [entryFor({ path: USER_RA, extraEnv: { RUST_LOG: "info" } }, "/a/settings.json").entry,
      entryFor({ path: undefined, extraEnv: undefined }, "/b/.vscode/settings.json", "workspace").entry];
    writeLedger(file, entries);
    assert.deepEqual(readLedger(file), entries);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ["vscode-routing.json"]);
  });

  void it("overwrites an existing ledger", () => {
    const file = path.join(scratch("overwrite"), "ledger.json");
    writeLedger(file, [entry("user", "/a")]);
    writeLedger(file, [entry("workspace", "/b")]);
    assert.deepEqual(readLedger(file), [entry("workspace", "/b")]);
  });

  void it("removes the file when the ledger becomes empty, and tolerates it missing", () => {
    const file = path.join(scratch("empty"), "ledger.json");
    writeLedger(file, [entry("user", "/a")]);
    assert.ok(fs.existsSync(file));
    writeLedger(file, []);
    assert.equal(fs.existsSync(file), false);
    assert.doesNotThrow(() => writeLedger(file, []));
    assert.equal(fs.existsSync(file), false);
  });
});

void describe("withEntry / withoutEntry", () => {
  void it("replaces the entry for the same scope and settings file, appending the new one", () => {
    const old = { ...entry("user", "/u/settings.json"), previousPath: "/old" };
    const workspace = entry("workspace", "/w/.vscode/settings.json");
    const fresh = { ...entry("user", "/u/settings.json"), previousPath: "/new" };
    assert.deepEqual(withEntry([old, workspace], fresh), [workspace, fresh]);
  });

  void it("keeps entries that differ in scope or file", () => {
    const a = entry("user", "/u/settings.json");
    const b = entry("workspace", "/u/settings.json");
    const c = entry("user", "/other/settings.json");
    const d = entry("workspace", null);
    assert.deepEqual(withEntry([a, b, c], d), [a, b, c, d]);
  });

  void it("withoutEntry drops only the matching entry", () => {
    const a = entry("user", "/u/settings.json");
    const b = entry("workspace", "/w/settings.json");
    const c = entry("workspace", null);
    assert.deepEqual(withoutEntry([a, b, c], "workspace", "/w/settings.json"), [a, c]);
    assert.deepEqual(withoutEntry([a, b, c], "workspace", null), [a, b]);
    assert.deepEqual(withoutEntry([a, b, c], "user", "/w/settings.json"), [a, b, c]);
  });

  void it("does not modify the list it is given", () => {
    const list = [entry("user", "/u")];
    withEntry(list, entry("user", "/u"));
    withoutEntry(list, "user", "/u");
    assert.equal(list.length, 1);
  });
});

void describe("unrouteText", () => {
  void it("restores previous values in a settings.json with comments and trailing commas, keeping the rest", () => {
    const routed = entryFor({ path: USER_RA, extraEnv: { RUST_LOG: "info", BORROWLENS_HOVER: "false" } }, "/u/settings.json");
    const text = `// Ana's settings
{
    // bigger font
    "editor.fontSize": 14,
    "rust-analyzer.server.path": ${JSON.stringify(routed.path)}, // set by borrowlens
    "rust-analyzer.server.extraEnv": ${envJson(routed.extraEnv, "    ")},
    /* trailing whitespace is noise */
    "files.trimTrailingWhitespace": true,
}
`;
    const out = unrouteText(text, routed.entry, "/u/settings.json");
    assert.notEqual(out, text);
    const settings = settingsOf(out);
    assert.deepEqual(settings, {
      "editor.fontSize": 14,
      "rust-analyzer.server.path": USER_RA,
      "rust-analyzer.server.extraEnv": { RUST_LOG: "info", BORROWLENS_HOVER: "false" },
      "files.trimTrailingWhitespace": true,
    });
    for (const comment of ["// Ana's settings", "// bigger font", "/* trailing whitespace is noise */"]) {
      assert.ok(out.includes(comment), `${comment} kept:\n${out}`);
    }
    assert.ok(out.startsWith("// Ana's settings\n{\n    // bigger font\n    \"editor.fontSize\": 14,\n"), out);
  });

  void it("removes both settings when they did not exist before, even as the last entries with a trailing comma", () => {
    const routed = entryFor({ path: undefined, extraEnv: undefined }, "/u/settings.json");
    const text = `{
    // tabs
    "editor.tabSize": 2,
    "rust-analyzer.server.path": ${JSON.stringify(routed.path)},
    "rust-analyzer.server.extraEnv": ${envJson(routed.extraEnv, "    ")},
}
`;
    const out = unrouteText(text, routed.entry, "/u/settings.json");
    assert.deepEqual(settingsOf(out), { "editor.tabSize": 2 });
    assert.ok(out.includes("// tabs"), out);
  });

  void it("keeps the comment that ends the line before a removed setting", () => {
    // The comment belongs to editor.tabSize, a setting of the user's.
    const routed = entryFor({ path: undefined, extraEnv: undefined }, "/u/settings.json");
    const text = `{
    "editor.tabSize": 2, // two, as in the style guide
    "rust-analyzer.server.path": ${JSON.stringify(routed.path)},
    "rust-analyzer.server.extraEnv": ${envJson(routed.extraEnv, "    ")},
    "editor.rulers": [100],
}
`;
    const out = unrouteText(text, routed.entry, "/u/settings.json");
    assert.deepEqual(settingsOf(out), { "editor.tabSize": 2, "editor.rulers": [100] });
    assert.ok(out.includes("// two, as in the style guide"), out);
  });

  void it("restores the settings of a .code-workspace file under \"settings\"", () => {
    const file = "/w/project.code-workspace";
    const routed = entryFor({ path: undefined, extraEnv: { CARGO_TARGET_DIR: "/tmp/t" } }, file, "workspace");
    const text = `{
    // folders of the project
    "folders": [{ "path": "." }, { "path": "../lib" },],
    "settings": {
        "rust-analyzer.server.path": ${JSON.stringify(routed.path)},
        "rust-analyzer.server.extraEnv": ${envJson(routed.extraEnv, "        ")},
        "rust-analyzer.check.command": "clippy",
    },
    "extensions": { "recommendations": ["rust-lang.rust-analyzer"] },
}
`;
    const out = unrouteText(text, routed.entry, file);
    const errors: ParseError[] = [];
    const root = parse(out, errors, { allowTrailingComma: true }) as Record<string, unknown>;
    assert.deepEqual(errors, []);
    assert.deepEqual(root, {
      folders: [{ path: "." }, { path: "../lib" }],
      settings: {
        "rust-analyzer.server.extraEnv": { CARGO_TARGET_DIR: "/tmp/t" },
        "rust-analyzer.check.command": "clippy",
      },
      extensions: { recommendations: ["rust-lang.rust-analyzer"] },
    });
    assert.ok(out.includes("// folders of the project"), out);
  });

  void it("does not look at top-level keys of a .code-workspace file", () => {
    const file = "/w/project.code-workspace";
    const routed = entryFor({ path: undefined, extraEnv: undefined }, file, "workspace");
    const text = `{ "folders": [], "rust-analyzer.server.path": ${JSON.stringify(routed.path)} }`;
    assert.equal(unrouteText(text, routed.entry, file), text);
  });

  void it("leaves the text unchanged when the user replaced both settings since", () => {
    const routed = entryFor({ path: undefined, extraEnv: undefined }, "/u/settings.json");
    const text = `{
    // my own build
    "rust-analyzer.server.path": "/usr/local/bin/rust-analyzer",
    "rust-analyzer.server.extraEnv": { "RUST_LOG": "debug" },
}
`;
    assert.equal(unrouteText(text, routed.entry, "/u/settings.json"), text);
  });

  void it("keeps a server.path the user changed since, still removing borrowlens' extraEnv keys", () => {
    const routed = entryFor({ path: undefined, extraEnv: { RUST_LOG: "info" } }, "/u/settings.json");
    const text = `{
    "rust-analyzer.server.path": "/usr/local/bin/rust-analyzer",
    "rust-analyzer.server.extraEnv": ${envJson(routed.extraEnv, "    ")},
}
`;
    const out = unrouteText(text, routed.entry, "/u/settings.json");
    assert.deepEqual(settingsOf(out), {
      "rust-analyzer.server.path": "/usr/local/bin/rust-analyzer",
      "rust-analyzer.server.extraEnv": { RUST_LOG: "info" },
    });
  });

  void it("leaves text it cannot parse unchanged", () => {
    const routed = entryFor({ path: undefined, extraEnv: undefined }, "/u/settings.json");
    for (const text of [`{ "rust-analyzer.server.path": ${JSON.stringify(BORROWLENS)}`, "", "[1, 2]", "null"]) {
      assert.equal(unrouteText(text, routed.entry, "/u/settings.json"), text, JSON.stringify(text));
    }
  });

  void it("leaves settings without borrowlens' values unchanged", () => {
    const routed = entryFor({ path: undefined, extraEnv: undefined }, "/u/settings.json");
    const text = "{\n    // nothing routed\n    \"editor.fontSize\": 13,\n}\n";
    assert.equal(unrouteText(text, routed.entry, "/u/settings.json"), text);
  });
});

void describe("unrouteAll", () => {
  void it("restores each recorded settings file and deletes the ledger", () => {
    const dir = scratch("all");
    const ledger = path.join(dir, "config", "borrowlens", "vscode-routing.json");
    const userFile = path.join(dir, "User", "settings.json");
    const workspaceFile = path.join(dir, "proj", ".vscode", "settings.json");
    const user = entryFor({ path: USER_RA, extraEnv: undefined }, userFile, "user");
    const workspace = entryFor({ path: undefined, extraEnv: undefined }, workspaceFile, "workspace");
    fs.mkdirSync(path.dirname(userFile), { recursive: true });
    fs.mkdirSync(path.dirname(workspaceFile), { recursive: true });
    fs.writeFileSync(userFile, `{
    // user
    "rust-analyzer.server.path": ${JSON.stringify(user.path)},
    "rust-analyzer.server.extraEnv": ${envJson(user.extraEnv, "    ")},
}
`);
    fs.writeFileSync(workspaceFile, `{
    "rust-analyzer.server.path": ${JSON.stringify(workspace.path)},
    "rust-analyzer.server.extraEnv": ${envJson(workspace.extraEnv, "    ")},
    "editor.rulers": [100],
}
`);
    writeLedger(ledger, [user.entry, workspace.entry]);
    const lines: string[] = [];
    unrouteAll(ledger, (line) => lines.push(line));
    assert.deepEqual(settingsOf(fs.readFileSync(userFile, "utf8")), { "rust-analyzer.server.path": USER_RA });
    assert.ok(fs.readFileSync(userFile, "utf8").includes("// user"));
    assert.deepEqual(settingsOf(fs.readFileSync(workspaceFile, "utf8")), { "editor.rulers": [100] });
    assert.equal(fs.existsSync(ledger), false);
    assert.equal(lines.length, 2, lines.join("\n"));
    assert.ok(lines.some((line) => line.includes(userFile)), lines.join("\n"));
    assert.ok(lines.some((line) => line.includes(workspaceFile)), lines.join("\n"));
  });

  void it("skips missing files and entries without a file, and does not create them", () => {
    const dir = scratch("skip");
    const ledger = path.join(dir, "ledger.json");
    const gone = path.join(dir, "deleted-project", ".vscode", "settings.json");
    writeLedger(ledger, [entryFor({ path: undefined, extraEnv: undefined }, gone, "workspace").entry,
      entryFor({ path: undefined, extraEnv: undefined }, null, "workspace").entry]);
    const lines: string[] = [];
    assert.doesNotThrow(() => unrouteAll(ledger, (line) => lines.push(line)));
    assert.equal(fs.existsSync(gone), false);
    assert.equal(fs.existsSync(ledger), false);
    assert.deepEqual(lines, []);
  });

  void it("does not rewrite a file with nothing to undo", () => {
    const dir = scratch("untouched");
    const ledger = path.join(dir, "ledger.json");
    const file = path.join(dir, "settings.json");
    const text = "{\n  \"editor.fontSize\": 12 , // odd spacing stays\n}\n";
    fs.writeFileSync(file, text);
    const past = new Date("2020-01-01T00:00:00Z");
    fs.utimesSync(file, past, past);
    writeLedger(ledger, [entryFor({ path: undefined, extraEnv: undefined }, file).entry]);
    const lines: string[] = [];
    unrouteAll(ledger, (line) => lines.push(line));
    assert.equal(fs.readFileSync(file, "utf8"), text);
    assert.equal(fs.statSync(file).mtime.getTime(), past.getTime());
    assert.deepEqual(lines, []);
    assert.equal(fs.existsSync(ledger), false);
  });

  void it("keeps the entry of a file it could not read, and says so", () => {
    const dir = scratch("unreadable");
    const ledger = path.join(dir, "ledger.json");
    const notAFile = path.join(dir, "settings.json");
    fs.mkdirSync(notAFile);
    const kept = entryFor({ path: undefined, extraEnv: undefined }, notAFile).entry;
    writeLedger(ledger, [kept]);
    const lines: string[] = [];
    unrouteAll(ledger, (line) => lines.push(line));
    assert.deepEqual(readLedger(ledger), [kept]);
    assert.equal(lines.length, 1);
    assert.ok(lines[0].includes(notAFile), lines[0]);
  });

  void it("does nothing without a ledger", () => {
    const ledger = path.join(scratch("none"), "ledger.json");
    const lines: string[] = [];
    unrouteAll(ledger, (line) => lines.push(line));
    assert.equal(fs.existsSync(ledger), false);
    assert.deepEqual(lines, []);
  });
});
