/**
 * protocol.ts: the typed guard for `data.borrowlens` and the declared settings. That the
 * declarations match the server's is checked from the Python side
 * (tests/unit/test_protocol_mirror.py).
 */

import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import { DATA_KEY, diagnosticData, isDiagnosticData, SETTINGS, type DiagnosticData } from "../../src/protocol";

const PAYLOAD: DiagnosticData = { family: "send-rc-across-await", title: "An Rc held across .await",
  tldr: "`cell` is still alive at the `.await`", fixes: ["rc-to-arc", "scope-before-await"] };

void describe("diagnosticData", () => {
  void it("returns the payload under data.borrowlens", () => {
    assert.deepEqual(diagnosticData({ data: { rendered: "error", [DATA_KEY]: PAYLOAD } }), PAYLOAD);
  });

  void it("is undefined without data, or with data of another shape", () => {
    assert.equal(diagnosticData({}), undefined);
    assert.equal(diagnosticData({ data: [PAYLOAD] }), undefined);
    assert.equal(diagnosticData({ data: { [DATA_KEY]: { ...PAYLOAD, tldr: 3 } } }), undefined);
  });
});

void describe("isDiagnosticData", () => {
  void it("needs every field with its type", () => {
    assert.equal(isDiagnosticData(PAYLOAD), true);
    for (const field of ["family", "title", "tldr", "fixes"] as const) {
      const partial: Record<string, unknown> = { ...PAYLOAD };
      delete partial[field];
      assert.equal(isDiagnosticData(partial), false, `without ${field}`);
    }
    assert.equal(isDiagnosticData({ ...PAYLOAD, fixes: "rc-to-arc" }), false);
  });
});

void describe("SETTINGS", () => {
  void it("gives every default a value the key accepts", () => {
    assert.equal(typeof SETTINGS.summaryInMessage.default, "boolean");
    assert.equal(typeof SETTINGS.hover.default, "boolean");
    assert.ok((SETTINGS.explanation.choices as readonly string[]).includes(SETTINGS.explanation.default));
  });
});
