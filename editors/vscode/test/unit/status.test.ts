/**
 * status.ts: the status bar item's text, tooltip and warning flag for each mode, and the mode
 * a running server's initialize result implies.
 */

import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import { isRoutedMode, modeFromServerInfo, routedMode, statusView, type Mode } from "../../src/status";

const RUN_HINT = "Run “Borrow Lens: Explain Error at Cursor” on one for the full explanation.";

void describe("statusView: running modes count errors", () => {
  void it("proxy with errors: count in the text, counts and a hint in the tooltip", () => {
    const view = statusView("proxy", 3, 5);
    assert.equal(view.text, "$(book) borrowlens: proxy · 3 errors");
    assert.equal(view.warning, false);
    const lines = view.tooltip.split("\n");
    assert.equal(lines.length, 3);
    assert.match(lines[0], /in front of rust-analyzer/);
    assert.equal(lines[1], "3 errors explained, of 5 Rust errors.");
    assert.equal(lines[2], RUN_HINT);
  });

  void it("uses the singular for one", () => {
    const view = statusView("standalone", 1, 1);
    assert.equal(view.text, "$(book) borrowlens: standalone · 1 error");
    assert.equal(view.tooltip.split("\n")[1], "1 error explained, of 1 Rust error.");
  });

  void it("with no explained errors: no count in the text, no hint, but the counts in the tooltip", () => {
    const view = statusView("standalone", 0, 2);
    assert.equal(view.text, "$(book) borrowlens: standalone");
    assert.equal(view.tooltip, [
      "borrowlens runs `cargo check` itself (no rust-analyzer found).",
      "0 errors explained, of 2 Rust errors.",
    ].join("\n"));
  });

  void it("routed reads as proxy in the text but says routed in the tooltip", () => {
    const view = statusView("routed", 2, 2);
    assert.equal(view.text, "$(book) borrowlens: proxy · 2 errors");
    assert.match(view.tooltip.split("\n")[0], /rust-analyzer extension is routed through borrowlens/);
    assert.equal(view.tooltip.split("\n")[1], "2 errors explained, of 2 Rust errors.");
    assert.equal(view.warning, false);
  });
});

void describe("statusView: other modes", () => {
  const cases: [Mode, string, boolean, RegExp][] = [
    ["starting", "$(book) borrowlens: starting", false, /starting/],
    ["off", "$(book) borrowlens: off", false, /not running/],
    ["missing", "$(warning) borrowlens: not installed", true, /not installed.*install command/],
    ["failed", "$(warning) borrowlens: failed", true, /stopped.*output/],
  ];
  for (const [mode, text, warning, tooltip] of cases) {
    void it(`${mode}: "${text}", one tooltip line, no counts even with errors`, () => {
      const view = statusView(mode, 4, 7);
      assert.equal(view.text, text);
      assert.equal(view.warning, warning);
      assert.ok(!view.tooltip.includes("\n"), view.tooltip);
      assert.match(view.tooltip, tooltip);
      assert.ok(!view.tooltip.includes("explained"), view.tooltip);
    });
  }

  void it("warns only when the server is missing or failed", () => {
    const warned = (["starting", "proxy", "routed", "standalone", "off", "missing", "failed"] as const)
      .filter((mode) => statusView(mode, 0, 0).warning);
    assert.deepEqual(warned, ["missing", "failed"]);
  });
});

void describe("modeFromServerInfo", () => {
  const commands = ["rust-analyzer.runSingle", "borrowlens.explain", "borrowlens.fix"];

  void it("is standalone when the server is borrowlens itself", () => {
    assert.equal(modeFromServerInfo("borrowlens", commands), "standalone");
  });

  void it("is proxy when another server (rust-analyzer) answers with borrowlens' command", () => {
    assert.equal(modeFromServerInfo("rust-analyzer", commands), "proxy");
    assert.equal(modeFromServerInfo(undefined, ["borrowlens.explain"]), "proxy");
  });

  void it("is off when the server does not offer borrowlens.explain", () => {
    assert.equal(modeFromServerInfo("borrowlens", []), "off");
    assert.equal(modeFromServerInfo("rust-analyzer", ["rust-analyzer.runSingle", "borrowlens.explainAtCursor"]), "off");
  });
});

void describe("routedMode: what the rust-analyzer extension's running server is", () => {
  const explain = { executeCommandProvider: { commands: ["rust-analyzer.runSingle", "borrowlens.explain"] } };

  void it("is routed (proxy) when rust-analyzer answers behind borrowlens", () => {
    assert.equal(routedMode({ capabilities: explain, serverInfo: { name: "rust-analyzer" } }, true), "routed");
    assert.match(statusView("routed", 0, 0).text, /borrowlens: proxy$/);
  });

  void it("is routed-standalone, a warning, when borrowlens found no rust-analyzer", () => {
    assert.equal(routedMode({ capabilities: explain, serverInfo: { name: "borrowlens" } }, true), "routed-standalone");
    const view = statusView("routed-standalone", 1, 1);
    assert.equal(view.text, "$(warning) borrowlens: standalone · 1 error");
    assert.equal(view.warning, true);
    assert.match(view.tooltip, /found no rust-analyzer/);
  });

  void it("is waiting while the server is not started, stopped, or not borrowlens", () => {
    assert.equal(routedMode(undefined, false), "routed-waiting");
    assert.equal(routedMode({ capabilities: explain, serverInfo: { name: "rust-analyzer" } }, false), "routed-waiting");
    assert.equal(routedMode({ capabilities: {}, serverInfo: { name: "rust-analyzer" } }, true), "routed-waiting");
    const view = statusView("routed-waiting", 2, 2);
    assert.equal(view.text, "$(book) borrowlens: waiting for rust-analyzer");
    assert.equal(view.warning, false);
    assert.ok(!view.tooltip.includes("explained"), view.tooltip);
  });

  void it("isRoutedMode covers the three routed modes only", () => {
    const all: Mode[] = ["starting", "proxy", "routed", "routed-standalone", "routed-waiting", "standalone", "off",
      "missing", "failed"];
    assert.deepEqual(all.filter(isRoutedMode), ["routed", "routed-standalone", "routed-waiting"]);
  });
});
