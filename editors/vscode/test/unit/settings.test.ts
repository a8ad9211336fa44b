/**
 * settings.ts: reading the `borrowlens.*` settings with defaults, and the two ways they reach
 * the server (the `borrowlens` settings section, and environment variables when the
 * rust-analyzer extension starts borrowlens).
 */

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
  readConfig,
  serverEnvironment,
  serverSettings,
  SERVER_KEYS,
  type BorrowlensConfig,
} from "../../src/settings";
import { SETTINGS } from "../../src/protocol";

/** editors/vscode, from out/test/unit. */
const EXTENSION_ROOT = path.resolve(__dirname, "..", "..", "..");

function getter(values: Record<string, unknown>): (key: string) => unknown {
  return (key) => values[key];
}

const DEFAULTS: BorrowlensConfig = {
  serverPath: null,
  depth: "short",
  summaryInMessage: true,
  hover: true,
  verifyFixes: true,
  routing: "ask",
  trace: "off",
};

interface ConfigurationProperty {
  default?: unknown;
  enum?: unknown[];
}

function contributedProperties(): Record<string, ConfigurationProperty> {
  const manifest = JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, "package.json"), "utf8")) as {
    contributes: { configuration: { properties: Record<string, ConfigurationProperty> } };
  };
  return manifest.contributes.configuration.properties;
}

void describe("readConfig", () => {
  void it("gives the defaults when nothing is set", () => {
    assert.deepEqual(readConfig(() => undefined), DEFAULTS);
  });

  void it("reads every setting that is set to a valid value", () => {
    const config = readConfig(getter({
      "server.path": "/opt/borrowlens/bin/borrowlens",
      "explanation.depth": "full",
      "explanation.summaryInMessage": false,
      "hover.enabled": false,
      "fixes.verify": false,
      "rustAnalyzer.routing": "workspace",
      "trace.server": "verbose",
    }));
    assert.deepEqual(config, {
      serverPath: "/opt/borrowlens/bin/borrowlens",
      depth: "full",
      summaryInMessage: false,
      hover: false,
      verifyFixes: false,
      routing: "workspace",
      trace: "verbose",
    });
  });

  void it("falls back to the default for values of the wrong type or outside the enum", () => {
    const config = readConfig(getter({
      "server.path": 42,
      "explanation.depth": "medium",
      "explanation.summaryInMessage": "false",
      "hover.enabled": 0,
      "fixes.verify": "no",
      "rustAnalyzer.routing": "always",
      "trace.server": true,
    }));
    assert.deepEqual(config, DEFAULTS);
  });

  void it("does not accept enum values in another case", () => {
    const config = readConfig(getter({ "explanation.depth": "FULL", "rustAnalyzer.routing": "User" }));
    assert.equal(config.depth, "short");
    assert.equal(config.routing, "ask");
  });

  void it("accepts each routing preference and trace level", () => {
    for (const routing of ["ask", "workspace", "user", "never"] as const) {
      assert.equal(readConfig(getter({ "rustAnalyzer.routing": routing })).routing, routing);
    }
    for (const trace of ["off", "messages", "verbose"] as const) {
      assert.equal(readConfig(getter({ "trace.server": trace })).trace, trace);
    }
  });

  void it("trims server.path and treats a blank one as unset", () => {
    assert.equal(readConfig(getter({ "server.path": "  /usr/local/bin/borrowlens \n" })).serverPath,
      "/usr/local/bin/borrowlens");
    assert.equal(readConfig(getter({ "server.path": "" })).serverPath, null);
    assert.equal(readConfig(getter({ "server.path": " \t " })).serverPath, null);
    assert.equal(readConfig(getter({ "server.path": null })).serverPath, null);
  });

  void it("keeps spaces inside server.path", () => {
    assert.equal(readConfig(getter({ "server.path": " C:\\Program Files\\borrowlens\\borrowlens.exe " })).serverPath,
      "C:\\Program Files\\borrowlens\\borrowlens.exe");
  });

  void it("only asks for settings the extension contributes, with the same defaults", () => {
    const properties = contributedProperties();
    const asked: string[] = [];
    const config = readConfig((key) => {
      asked.push(key);
      return undefined;
    });
    assert.ok(asked.length >= 6, `readConfig asked for ${asked.join(", ")}`);
    for (const key of asked) {
      assert.ok(`borrowlens.${key}` in properties, `borrowlens.${key} is not in package.json`);
    }
    // The defaults VS Code shows must be what readConfig falls back to.
    const fallback: Record<string, unknown> = {
      "server.path": config.serverPath,
      "explanation.depth": config.depth,
      "explanation.summaryInMessage": config.summaryInMessage,
      "hover.enabled": config.hover,
      "fixes.verify": config.verifyFixes,
      "rustAnalyzer.routing": config.routing,
      "trace.server": config.trace,
    };
    for (const [key, value] of Object.entries(fallback)) {
      assert.deepEqual(properties[`borrowlens.${key}`]?.default, value, `default of borrowlens.${key}`);
    }
  });

  void it("accepts exactly the enum values package.json offers", () => {
    const properties = contributedProperties();
    const keyed: [string, (value: string) => string][] = [
      ["explanation.depth", (value) => readConfig(getter({ "explanation.depth": value })).depth],
      ["rustAnalyzer.routing", (value) => readConfig(getter({ "rustAnalyzer.routing": value })).routing],
      ["trace.server", (value) => readConfig(getter({ "trace.server": value })).trace],
    ];
    for (const [key, read] of keyed) {
      const values = properties[`borrowlens.${key}`]?.enum;
      assert.ok(Array.isArray(values), `borrowlens.${key} has an enum`);
      for (const value of values) {
        assert.equal(read(String(value)), value, `borrowlens.${key} = ${String(value)}`);
      }
    }
  });
});

void describe("serverSettings", () => {
  void it("maps depth to explanation and passes the two switches", () => {
    assert.deepEqual(serverSettings({ ...DEFAULTS, depth: "full", summaryInMessage: false, hover: true }),
      { summaryInMessage: false, hover: true, explanation: "full", verifyFixes: true });
    assert.deepEqual(serverSettings({ ...DEFAULTS, depth: "short", summaryInMessage: true, hover: false }),
      { summaryInMessage: true, hover: false, explanation: "short", verifyFixes: true });
    assert.equal(serverSettings({ ...DEFAULTS, verifyFixes: false }).verifyFixes, false);
  });

  void it("sends only what the server's Settings reads, not the client-side settings", () => {
    const sent = serverSettings({ ...DEFAULTS, serverPath: "/x/borrowlens", routing: "user", trace: "verbose" });
    assert.deepEqual(Object.keys(sent).sort(), ["explanation", "hover", "summaryInMessage", "verifyFixes"]);
  });
});

void describe("serverEnvironment", () => {
  void it("names the variables and spells the values as the server expects", () => {
    assert.deepEqual(serverEnvironment({ ...DEFAULTS, depth: "full", summaryInMessage: false, hover: true }), {
      BORROWLENS_EXPLANATION: "full",
      BORROWLENS_SUMMARY_IN_MESSAGE: "false",
      BORROWLENS_HOVER: "true",
      BORROWLENS_VERIFY_FIXES: "true",
    });
    assert.deepEqual(serverEnvironment({ ...DEFAULTS, depth: "short", summaryInMessage: true, hover: false }), {
      BORROWLENS_EXPLANATION: "short",
      BORROWLENS_SUMMARY_IN_MESSAGE: "true",
      BORROWLENS_HOVER: "false",
      BORROWLENS_VERIFY_FIXES: "true",
    });
  });

  void it("uses the variables protocol.ts declares (server/protocol.py's SETTINGS)", () => {
    const env = serverEnvironment(DEFAULTS);
    assert.deepEqual(Object.keys(env).sort(), Object.values(SETTINGS).map((s) => s.env).sort());
  });

  void it("gives values from_environ accepts (true/false, short/full)", () => {
    // server/protocol.py: booleans from ("1","true","yes","on") / ("0","false","no","off"),
    // the depth from ("short","full"); anything else is ignored with a warning.
    const truthy = ["1", "true", "yes", "on"];
    const falsy = ["0", "false", "no", "off"];
    for (const depth of ["short", "full"] as const) {
      for (const flag of [true, false]) {
        const env = serverEnvironment({ ...DEFAULTS, depth, summaryInMessage: flag, hover: !flag });
        assert.equal(env.BORROWLENS_EXPLANATION, depth);
        assert.ok((flag ? truthy : falsy).includes(env.BORROWLENS_SUMMARY_IN_MESSAGE));
        assert.ok((flag ? falsy : truthy).includes(env.BORROWLENS_HOVER));
      }
    }
  });
});

void describe("SERVER_KEYS", () => {
  void it("lists contributed settings that serverSettings sends", () => {
    const properties = contributedProperties();
    assert.deepEqual([...SERVER_KEYS].sort(), [
      "borrowlens.explanation.depth",
      "borrowlens.explanation.summaryInMessage",
      "borrowlens.fixes.verify",
      "borrowlens.hover.enabled",
    ]);
    for (const key of SERVER_KEYS) {
      assert.ok(key in properties, `${key} is in package.json`);
    }
  });
});
