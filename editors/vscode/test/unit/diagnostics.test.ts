/**
 * diagnostics.ts: which diagnostics borrowlens explains, which one "explain at cursor" picks,
 * and the counts for the status bar.
 */

import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import { countErrors, explainedDiagnostics, isExplained, pickDiagnostic, type DiagnosticLike } from "../../src/diagnostics";

const ERROR = 0;
const WARNING = 1;
const INFORMATION = 2;

interface Diag extends DiagnosticLike {
  id: string;
}

function diag(id: string, line: number, from: number, to: number, severity = ERROR,
              extra: Partial<Diag> = {}): Diag {
  return {
    id,
    range: { start: { line, character: from }, end: { line, character: to } },
    message: `error ${id}`,
    severity,
    ...extra,
  };
}

function span(id: string, start: [number, number], end: [number, number], severity = ERROR): Diag {
  return {
    id,
    range: { start: { line: start[0], character: start[1] }, end: { line: end[0], character: end[1] } },
    message: `error ${id}`,
    severity,
  };
}

/** A `data.borrowlens` payload as the server sends it (protocol.ts DiagnosticData). */
const PAYLOAD = { family: "outlives", title: "Borrowed value does not live long enough",
  tldr: "`r` outlives `x`, which is dropped first", fixes: ["move-declaration"] };

void describe("isExplained", () => {
  void it("recognises data.borrowlens", () => {
    assert.equal(isExplained(diag("a", 0, 0, 1, ERROR, { data: { borrowlens: PAYLOAD } })), true);
    assert.equal(isExplained(diag("a", 0, 0, 1, ERROR, { data: { borrowlens: { ...PAYLOAD, fixes: [] } } })), true);
  });

  void it("keeps rust-analyzer's own data beside it", () => {
    assert.equal(isExplained(diag("a", 0, 0, 1, ERROR, { data: { rendered: "error[E0597]", borrowlens: PAYLOAD } })), true);
  });

  void it("does not count other data", () => {
    assert.equal(isExplained(diag("a", 0, 0, 1, ERROR, { data: { rendered: "borrowlens" } })), false);
    assert.equal(isExplained(diag("a", 0, 0, 1, ERROR, { data: null })), false);
    assert.equal(isExplained(diag("a", 0, 0, 1, ERROR, { data: "borrowlens" })), false);
    assert.equal(isExplained(diag("a", 0, 0, 1, ERROR)), false);
  });

  void it("does not count a payload that is not the contract's shape", () => {
    assert.equal(isExplained(diag("a", 0, 0, 1, ERROR, { data: { borrowlens: null } })), false);
    assert.equal(isExplained(diag("a", 0, 0, 1, ERROR, { data: { borrowlens: {} } })), false);
    assert.equal(isExplained(diag("a", 0, 0, 1, ERROR, { data: { borrowlens: { family: "outlives" } } })), false);
    assert.equal(isExplained(diag("a", 0, 0, 1, ERROR, { data: { borrowlens: { ...PAYLOAD, fixes: [1] } } })), false);
    assert.equal(isExplained(diag("a", 0, 0, 1, ERROR, { data: { borrowlens: [PAYLOAD] } })), false);
  });

  void it("does not guess from the message or related notes", () => {
    const message = "`x` does not live long enough\nborrowlens: `r` outlives `x`, which is dropped first";
    assert.equal(isExplained(diag("a", 0, 0, 1, ERROR, { message })), false);
    const relatedInformation = [{ message: "borrowlens: move the borrow" }];
    assert.equal(isExplained(diag("a", 0, 0, 1, ERROR, { relatedInformation } as Partial<Diag>)), false);
  });

  void it("explainedDiagnostics keeps the explained ones in order", () => {
    const all = [
      diag("plain", 0, 0, 1),
      diag("data", 1, 0, 1, ERROR, { data: { borrowlens: PAYLOAD } }),
      diag("tldr", 2, 0, 1, ERROR, { message: "m\nborrowlens: t" }),
      diag("warn", 3, 0, 1, WARNING, { data: { borrowlens: PAYLOAD } }),
    ];
    assert.deepEqual(explainedDiagnostics(all).map((d) => d.id), ["data", "warn"]);
  });
});

void describe("pickDiagnostic", () => {
  void it("is undefined without diagnostics", () => {
    assert.equal(pickDiagnostic([], { line: 3, character: 0 }), undefined);
  });

  void it("prefers the diagnostic containing the cursor over one on the cursor's line", () => {
    const picked = pickDiagnostic([diag("left", 5, 0, 4), diag("under", 5, 10, 20)], { line: 5, character: 12 });
    assert.equal(picked?.id, "under");
  });

  void it("counts both ends of the range as inside", () => {
    const all = [diag("before", 5, 0, 4), diag("mid", 5, 10, 20), diag("after", 5, 25, 30)];
    assert.equal(pickDiagnostic(all, { line: 5, character: 10 })?.id, "mid");
    assert.equal(pickDiagnostic(all, { line: 5, character: 20 })?.id, "mid");
  });

  void it("prefers a warning containing the cursor to an error next to it", () => {
    const picked = pickDiagnostic([diag("error", 5, 0, 4, ERROR), diag("warning", 5, 8, 12, WARNING)],
      { line: 5, character: 9 });
    assert.equal(picked?.id, "warning");
  });

  void it("contains the cursor across lines of a multi-line range", () => {
    const all = [diag("line7", 7, 0, 3), span("block", [4, 8], [9, 1])];
    assert.equal(pickDiagnostic(all, { line: 7, character: 20 })?.id, "block");
    // Before the start on the first line is outside: a diagnostic there containing the cursor wins.
    assert.equal(pickDiagnostic([span("block", [4, 8], [9, 1]), diag("on4", 4, 0, 3)],
      { line: 4, character: 2 })?.id, "on4");
    // After the end on the last line too.
    assert.equal(pickDiagnostic([span("block", [4, 8], [9, 1]), diag("on9", 9, 2, 6)],
      { line: 9, character: 4 })?.id, "on9");
  });

  void it("takes the nearest line when none contains the cursor", () => {
    const all = [diag("far", 1, 0, 5), diag("near", 9, 0, 5), diag("farther", 20, 0, 5)];
    assert.equal(pickDiagnostic(all, { line: 7, character: 0 })?.id, "near");
    assert.equal(pickDiagnostic(all, { line: 3, character: 0 })?.id, "far");
  });

  void it("measures a multi-line range from its nearer end", () => {
    const all = [span("long", [10, 0], [30, 1]), diag("single", 36, 0, 1)];
    // Line 33: 3 lines after the long one's end, 3 before the single one… the long one first.
    assert.equal(pickDiagnostic(all, { line: 33, character: 5 })?.id, "long");
    assert.equal(pickDiagnostic(all, { line: 34, character: 5 })?.id, "single");
  });

  void it("prefers a diagnostic on the cursor's line to one a line away", () => {
    const picked = pickDiagnostic([diag("above", 4, 0, 80), diag("same", 5, 30, 40)], { line: 5, character: 2 });
    assert.equal(picked?.id, "same");
  });

  void it("prefers an error to a warning at the same distance, whatever the order", () => {
    const warning = diag("warning", 3, 0, 5, WARNING);
    const error = diag("error", 7, 0, 5, ERROR);
    assert.equal(pickDiagnostic([warning, error], { line: 5, character: 0 })?.id, "error");
    assert.equal(pickDiagnostic([error, warning], { line: 5, character: 0 })?.id, "error");
  });

  void it("prefers an error to a warning when both contain the cursor", () => {
    const all = [diag("warning", 5, 0, 20, WARNING), diag("error", 5, 5, 10, ERROR)];
    assert.equal(pickDiagnostic(all, { line: 5, character: 6 })?.id, "error");
  });

  void it("prefers the nearer warning to a farther error", () => {
    const all = [diag("error", 1, 0, 5, ERROR), diag("warning", 6, 0, 5, WARNING)];
    assert.equal(pickDiagnostic(all, { line: 5, character: 0 })?.id, "warning");
  });

  void it("keeps the first of equally good candidates", () => {
    const all = [diag("first", 5, 0, 20), diag("second", 5, 2, 12)];
    assert.equal(pickDiagnostic(all, { line: 5, character: 6 })?.id, "first");
  });
});

void describe("countErrors", () => {
  void it("counts errors across files and the explained ones among them", () => {
    const fileA = [
      diag("a1", 0, 0, 1, ERROR, { data: { borrowlens: PAYLOAD } }),
      diag("a2", 1, 0, 1, ERROR),
      diag("a3", 2, 0, 1, WARNING, { data: { borrowlens: PAYLOAD } }),
    ];
    const fileB = [
      diag("b1", 0, 0, 1, ERROR, { data: { rendered: "error[E0597]", borrowlens: PAYLOAD } }),
      diag("b2", 1, 0, 1, INFORMATION),
    ];
    assert.deepEqual(countErrors([fileA, fileB, []]), { errors: 3, explained: 2 });
  });

  void it("is zero for no files", () => {
    assert.deepEqual(countErrors([]), { errors: 0, explained: 0 });
  });
});
