/**
 * routing.ts: what routing rust-analyzer through borrowlens writes into
 * `rust-analyzer.server.path` / `rust-analyzer.server.extraEnv`, what the ledger entry
 * records, and how undo puts the settings back.
 */

import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  isRouted,
  planRoute,
  planUnroute,
  RA_ENV,
  routingScope,
  type LedgerEntry,
  type RaServerSettings,
} from "../../src/routing";

const BORROWLENS = "/home/ana/.local/bin/borrowlens";
const BUNDLED = "/home/ana/.vscode/extensions/rust-lang.rust-analyzer-0.3.2500-linux-x64/server/rust-analyzer";
const BUNDLED_NEXT = "/home/ana/.vscode/extensions/rust-lang.rust-analyzer-0.3.2600-linux-x64/server/rust-analyzer";
const USER_RA = "/opt/rust-analyzer/bin/rust-analyzer";
const SETTINGS_FILE = "/home/ana/.config/Code/User/settings.json";
const SHORT = { BORROWLENS_EXPLANATION: "short", BORROWLENS_SUMMARY_IN_MESSAGE: "true", BORROWLENS_HOVER: "true" };
const FULL = { BORROWLENS_EXPLANATION: "full", BORROWLENS_SUMMARY_IN_MESSAGE: "false", BORROWLENS_HOVER: "true" };

/** The ledger entry as it comes back from the JSON file. */
function stored(entry: LedgerEntry): LedgerEntry {
  return JSON.parse(JSON.stringify(entry)) as LedgerEntry;
}

/** The settings after VS Code wrote a plan. */
function written(plan: { path: string; extraEnv: Record<string, string> }): RaServerSettings {
  return { path: plan.path, extraEnv: { ...plan.extraEnv } };
}

void describe("planRoute", () => {
  void it("puts the bundled rust-analyzer behind borrowlens when the user set no path", () => {
    const plan = planRoute({ path: undefined, extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    assert.equal(plan.path, BORROWLENS);
    assert.deepEqual(plan.extraEnv, { ...SHORT, BORROWLENS_RUST_ANALYZER: BUNDLED });
    assert.deepEqual(plan.entry, {
      scope: "user",
      settingsFile: SETTINGS_FILE,
      previousPath: null,
      previousEnv: {
        BORROWLENS_EXPLANATION: null,
        BORROWLENS_SUMMARY_IN_MESSAGE: null,
        BORROWLENS_HOVER: null,
        BORROWLENS_RUST_ANALYZER: null,
      },
      hadExtraEnv: false,
      wrotePath: BORROWLENS,
      wroteEnv: { ...SHORT, BORROWLENS_RUST_ANALYZER: BUNDLED },
    });
  });

  void it("names the variable BORROWLENS_RUST_ANALYZER", () => {
    assert.equal(RA_ENV, "BORROWLENS_RUST_ANALYZER");
  });

  void it("treats a null path (rust-analyzer's default) like an unset one", () => {
    const plan = planRoute({ path: null, extraEnv: null }, BORROWLENS, BUNDLED, SHORT, "workspace", null);
    assert.equal(plan.extraEnv[RA_ENV], BUNDLED);
    assert.equal(plan.entry.previousPath, null);
    assert.equal(plan.entry.hadExtraEnv, false);
    assert.equal(plan.entry.scope, "workspace");
    assert.equal(plan.entry.settingsFile, null);
  });

  void it("puts the user's own rust-analyzer behind borrowlens instead of the bundled one", () => {
    const plan = planRoute({ path: USER_RA, extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    assert.equal(plan.path, BORROWLENS);
    assert.equal(plan.extraEnv[RA_ENV], USER_RA);
    assert.equal(plan.entry.previousPath, USER_RA);
    assert.equal(plan.entry.wroteEnv[RA_ENV], USER_RA);
  });

  void it("ignores a blank user path and uses the bundled rust-analyzer", () => {
    const plan = planRoute({ path: "   ", extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    assert.equal(plan.extraEnv[RA_ENV], BUNDLED);
  });

  void it("writes no BORROWLENS_RUST_ANALYZER when there is no rust-analyzer to name", () => {
    const plan = planRoute({ path: undefined, extraEnv: undefined }, BORROWLENS, undefined, SHORT, "user", SETTINGS_FILE);
    assert.deepEqual(plan.extraEnv, SHORT);
    assert.ok(!(RA_ENV in plan.entry.wroteEnv));
    assert.ok(!(RA_ENV in plan.entry.previousEnv));
  });

  void it("keeps the user's other extraEnv keys and records the values it overwrites", () => {
    const current: RaServerSettings = {
      path: undefined,
      extraEnv: { RUST_LOG: "rust_analyzer=info", CARGO_TARGET_DIR: "/tmp/ra-target", BORROWLENS_HOVER: "false" },
    };
    const plan = planRoute(current, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    assert.deepEqual(plan.extraEnv, {
      RUST_LOG: "rust_analyzer=info",
      CARGO_TARGET_DIR: "/tmp/ra-target",
      BORROWLENS_HOVER: "true",
      BORROWLENS_EXPLANATION: "short",
      BORROWLENS_SUMMARY_IN_MESSAGE: "true",
      BORROWLENS_RUST_ANALYZER: BUNDLED,
    });
    assert.deepEqual(plan.entry.previousEnv, {
      BORROWLENS_EXPLANATION: null,
      BORROWLENS_SUMMARY_IN_MESSAGE: null,
      BORROWLENS_HOVER: "false",
      BORROWLENS_RUST_ANALYZER: null,
    });
    assert.equal(plan.entry.hadExtraEnv, true);
    // The user's own keys are not borrowlens' to restore.
    assert.ok(!("RUST_LOG" in plan.entry.previousEnv));
    assert.ok(!("RUST_LOG" in plan.entry.wroteEnv));
  });

  void it("does not change the settings it was given", () => {
    const current: RaServerSettings = { path: USER_RA, extraEnv: { RUST_LOG: "info" } };
    planRoute(current, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    assert.deepEqual(current, { path: USER_RA, extraEnv: { RUST_LOG: "info" } });
  });

  void it("on re-route keeps the values from before the first route (entry stored as JSON)", () => {
    const before: RaServerSettings = { path: USER_RA, extraEnv: { RUST_LOG: "info", BORROWLENS_EXPLANATION: "full" } };
    const first = planRoute(before, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    const again = planRoute(written(first), BORROWLENS, BUNDLED, FULL, "user", SETTINGS_FILE, stored(first.entry));
    assert.equal(again.entry.previousPath, USER_RA);
    assert.equal(again.entry.hadExtraEnv, true);
    assert.deepEqual(again.entry.previousEnv, {
      BORROWLENS_EXPLANATION: "full",
      BORROWLENS_SUMMARY_IN_MESSAGE: null,
      BORROWLENS_HOVER: null,
      BORROWLENS_RUST_ANALYZER: null,
    });
    assert.deepEqual(again.entry.wroteEnv, { ...FULL, BORROWLENS_RUST_ANALYZER: USER_RA });
    assert.deepEqual(again.extraEnv, { RUST_LOG: "info", ...FULL, BORROWLENS_RUST_ANALYZER: USER_RA });
  });

  void it("on re-route of settings that had nothing before still records absence", () => {
    const first = planRoute({ path: undefined, extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    const again = planRoute(written(first), BORROWLENS, BUNDLED, FULL, "user", SETTINGS_FILE, stored(first.entry));
    assert.equal(again.entry.previousPath, null);
    assert.equal(again.entry.hadExtraEnv, false);
    for (const key of Object.keys(again.entry.wroteEnv)) {
      assert.equal(again.entry.previousEnv[key], null, key);
    }
    // Undoing the second route gets back to nothing at all.
    assert.deepEqual(planUnroute(written(again), stored(again.entry)), { path: undefined, extraEnv: undefined });
  });

  void it("on re-route after the rust-analyzer extension updated, points at its new bundled binary", () => {
    // The bundled path has the extension's version in it; VS Code deletes the old version's
    // directory after an update, so the path borrowlens wrote first no longer exists.
    const first = planRoute({ path: undefined, extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    const again = planRoute(written(first), BORROWLENS, BUNDLED_NEXT, SHORT, "user", SETTINGS_FILE, stored(first.entry));
    assert.equal(again.extraEnv[RA_ENV], BUNDLED_NEXT);
    assert.equal(again.entry.wroteEnv[RA_ENV], BUNDLED_NEXT);
    assert.equal(again.entry.previousEnv[RA_ENV], null);
  });

  void it("on re-route keeps the user's own rust-analyzer even when the bundled one moved", () => {
    const first = planRoute({ path: USER_RA, extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    const again = planRoute(written(first), BORROWLENS, BUNDLED_NEXT, SHORT, "user", SETTINGS_FILE, stored(first.entry));
    assert.equal(again.extraEnv[RA_ENV], USER_RA);
  });

  void it("on re-route keeps a rust-analyzer the user put into BORROWLENS_RUST_ANALYZER by hand", () => {
    const first = planRoute({ path: undefined, extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    const edited = written(first);
    edited.extraEnv = { ...edited.extraEnv, [RA_ENV]: USER_RA };
    const again = planRoute(edited, BORROWLENS, BUNDLED_NEXT, SHORT, "user", SETTINGS_FILE, stored(first.entry));
    assert.equal(again.extraEnv[RA_ENV], USER_RA);
  });
  void it("routing a workspace puts the rust-analyzer of the user settings behind borrowlens", () => {
    // The workspace has no server.path of its own; the user settings name one.
    const plan = planRoute({ path: undefined, extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "workspace", null,
      undefined, { inherited: [undefined, USER_RA] });
    assert.equal(plan.extraEnv[RA_ENV], USER_RA);
    // Only the workspace's own (absent) path is the one to restore.
    assert.equal(plan.entry.previousPath, null);
  });

  void it("the most specific configured level wins, and the scope's own path over all", () => {
    const folderRa = "/work/tools/rust-analyzer";
    const inherited = [folderRa, USER_RA];
    assert.equal(planRoute({ path: undefined, extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "workspace", null,
      undefined, { inherited }).extraEnv[RA_ENV], folderRa);
    assert.equal(planRoute({ path: "/opt/ws/rust-analyzer", extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT,
      "workspace", null, undefined, { inherited }).extraEnv[RA_ENV], "/opt/ws/rust-analyzer");
  });

  void it("skips an inherited path that is borrowlens itself or blank", () => {
    const plan = planRoute({ path: undefined, extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "workspace", null,
      undefined, { inherited: [" ", `${BORROWLENS}/`, null] });
    assert.equal(plan.extraEnv[RA_ENV], BUNDLED);
  });

  void it("on re-route still prefers the user's rust-analyzer over the bundled one", () => {
    const first = planRoute({ path: undefined, extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "workspace", null,
      undefined, { inherited: [undefined, USER_RA] });
    const again = planRoute(written(first), BORROWLENS, BUNDLED_NEXT, SHORT, "workspace", null, stored(first.entry),
      { inherited: [undefined, USER_RA] });
    assert.equal(again.extraEnv[RA_ENV], USER_RA);
  });

  void it("expands a leading ~/ as the rust-analyzer extension does (the variable is literal)", () => {
    const plan = planRoute({ path: "~/bin/rust-analyzer", extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "user",
      SETTINGS_FILE, undefined, { home: "/home/ana" });
    assert.equal(plan.extraEnv[RA_ENV], "/home/ana/bin/rust-analyzer");
    assert.equal(plan.entry.previousPath, "~/bin/rust-analyzer"); // restored as the user wrote it
  });

  void it("without a bundled rust-analyzer (a build from source) names none, and borrowlens looks for one", () => {
    const plan = planRoute({ path: undefined, extraEnv: { RUST_LOG: "info" } }, BORROWLENS, undefined, SHORT, "workspace",
      null);
    assert.ok(!(RA_ENV in plan.extraEnv));
    assert.equal(plan.extraEnv.RUST_LOG, "info");
  });

  void it("drops its own stale BORROWLENS_RUST_ANALYZER when the bundled binary is gone", () => {
    const first = planRoute({ path: undefined, extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    const again = planRoute(written(first), BORROWLENS, undefined, SHORT, "user", SETTINGS_FILE, stored(first.entry));
    assert.ok(!(RA_ENV in again.extraEnv), JSON.stringify(again.extraEnv));
    assert.ok(!(RA_ENV in again.entry.wroteEnv));
    // Undo still restores everything else.
    assert.deepEqual(planUnroute(written(again), stored(again.entry)), { path: undefined, extraEnv: undefined });
  });

  void it("never records borrowlens itself as the previous path (routed settings, no ledger entry)", () => {
    // E.g. user settings that Settings Sync brought from another machine, where the ledger is.
    const synced: RaServerSettings = { path: BORROWLENS, extraEnv: { ...SHORT, [RA_ENV]: BUNDLED } };
    const plan = planRoute(synced, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    assert.notEqual(plan.entry.previousPath, BORROWLENS);
    const after = planUnroute(written(plan), stored(plan.entry));
    assert.equal(isRouted(after, BORROWLENS), false, `undo left server.path = ${String(after.path)}`);
  });
});

void describe("planUnroute", () => {
  void it("removes both settings when neither existed before", () => {
    const plan = planRoute({ path: undefined, extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    assert.deepEqual(planUnroute(written(plan), stored(plan.entry)), { path: undefined, extraEnv: undefined });
  });

  void it("restores the previous path and extraEnv values, deleting keys that were absent", () => {
    const before: RaServerSettings = {
      path: USER_RA,
      extraEnv: { RUST_LOG: "info", BORROWLENS_HOVER: "false" },
    };
    const plan = planRoute(before, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    assert.deepEqual(planUnroute(written(plan), stored(plan.entry)), before);
  });

  void it("leaves values the user changed after routing alone", () => {
    const plan = planRoute({ path: USER_RA, extraEnv: { RUST_LOG: "info" } }, BORROWLENS, BUNDLED, SHORT, "user",
      SETTINGS_FILE);
    const now: RaServerSettings = {
      path: "/usr/local/bin/rust-analyzer",
      extraEnv: { ...plan.extraEnv, BORROWLENS_EXPLANATION: "full", RUST_LOG: "debug" },
    };
    const after = planUnroute(now, stored(plan.entry));
    assert.equal(after.path, "/usr/local/bin/rust-analyzer");
    // What borrowlens wrote and is still there goes; the user's edits stay.
    assert.deepEqual(after.extraEnv, { RUST_LOG: "debug", BORROWLENS_EXPLANATION: "full" });
  });

  void it("keeps an extraEnv the user added keys to, even if it did not exist before", () => {
    const plan = planRoute({ path: undefined, extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    const now: RaServerSettings = { path: plan.path, extraEnv: { ...plan.extraEnv, RUST_BACKTRACE: "1" } };
    assert.deepEqual(planUnroute(now, stored(plan.entry)), { path: undefined, extraEnv: { RUST_BACKTRACE: "1" } });
  });

  void it("keeps an empty extraEnv that existed (empty) before", () => {
    const plan = planRoute({ path: undefined, extraEnv: {} }, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    assert.equal(plan.entry.hadExtraEnv, true);
    assert.deepEqual(planUnroute(written(plan), stored(plan.entry)), { path: undefined, extraEnv: {} });
  });

  void it("recognises its path with a trailing slash", () => {
    const plan = planRoute({ path: undefined, extraEnv: undefined }, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    const now: RaServerSettings = { path: `${BORROWLENS}/`, extraEnv: plan.extraEnv };
    assert.equal(planUnroute(now, stored(plan.entry)).path, undefined);
  });

  void it("undoes nothing when the settings were already restored", () => {
    const before: RaServerSettings = { path: USER_RA, extraEnv: { RUST_LOG: "info" } };
    const plan = planRoute(before, BORROWLENS, BUNDLED, SHORT, "user", SETTINGS_FILE);
    assert.deepEqual(planUnroute(before, stored(plan.entry)), before);
  });
});

void describe("isRouted", () => {
  void it("is true when server.path is this borrowlens", () => {
    assert.equal(isRouted({ path: BORROWLENS, extraEnv: undefined }, BORROWLENS), true);
    assert.equal(isRouted({ path: `${BORROWLENS}/`, extraEnv: undefined }, BORROWLENS), true);
  });

  void it("is false for an unset, null or other path", () => {
    assert.equal(isRouted({ path: undefined, extraEnv: { [RA_ENV]: BUNDLED } }, BORROWLENS), false);
    assert.equal(isRouted({ path: null, extraEnv: undefined }, BORROWLENS), false);
    assert.equal(isRouted({ path: USER_RA, extraEnv: undefined }, BORROWLENS), false);
    assert.equal(isRouted({ path: "/usr/bin/borrowlens", extraEnv: undefined }, BORROWLENS), false);
  });
});

void describe("routingScope", () => {
  void it("follows an explicit preference whatever was answered", () => {
    for (const answer of ["user", "workspace", "never", undefined] as const) {
      assert.equal(routingScope("workspace", answer), "workspace");
      assert.equal(routingScope("user", answer), "user");
      assert.equal(routingScope("never", answer), "never");
    }
  });

  void it("with preference ask, uses the stored answer, else asks", () => {
    assert.equal(routingScope("ask", "user"), "user");
    assert.equal(routingScope("ask", "workspace"), "workspace");
    assert.equal(routingScope("ask", "never"), "never");
    assert.equal(routingScope("ask", undefined), "ask");
  });
});
