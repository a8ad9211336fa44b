/**
 * markers.ts: which markers show while the cursor is on an explained error, and the text each
 * line gets. The payload is the one the server sends for the fixture crate the e2e scenarios
 * use (tests/fixtures/send-rc-across-await/use-list-imports; tests/unit/test_markers_payload.py
 * checks the server side).
 */

import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { DiagnosticLike } from "../../src/diagnostics";
import { markerLines, markersAt } from "../../src/markers";
import type { Marker } from "../../src/protocol";

const ERROR = 0;
const WARNING = 1;
const URI = "file:///work/crate/src/lib.rs";

function marker(label: string, line: number, from: number, to: number, text: string, uri = URI): Marker {
  return { uri, range: { start: { line, character: from }, end: { line, character: to } }, label, text };
}

const MARKERS: Marker[] = [
  marker("①", 3, 19, 23, "`require_send` is what requires the future to be `Send`"),
  marker("②", 11, 8, 13, "`words` (`Rc<Vec<String>>`, not `Send`) is created here and is still alive at the await"),
  marker("③", 15, 23, 28, "the future is suspended here while `words` is still alive"),
];

function diagnostic(line: number, from: number, to: number, markers: unknown = MARKERS, severity = ERROR): DiagnosticLike {
  return {
    range: { start: { line, character: from }, end: { line, character: to } },
    message: "future cannot be sent between threads safely",
    severity,
    data: { rendered: "error: future cannot be sent", borrowlens: {
      family: "send-rc-across-await", title: "Rc held across an await in a Send future",
      tldr: "`words` is alive at the await", fixes: ["rc-to-arc"], markers } },
  };
}

const ERROR_AT = diagnostic(20, 17, 51);

void describe("markersAt", () => {
  void it("gives the markers while the cursor is inside the error, its ends included", () => {
    for (const character of [17, 30, 51]) {
      assert.deepEqual(markersAt([ERROR_AT], { line: 20, character }), MARKERS, `at 20:${character}`);
    }
  });

  void it("gives none beside the error, on its line or elsewhere", () => {
    assert.deepEqual(markersAt([ERROR_AT], { line: 20, character: 16 }), []);
    assert.deepEqual(markersAt([ERROR_AT], { line: 20, character: 52 }), []);
    assert.deepEqual(markersAt([ERROR_AT], { line: 11, character: 10 }), []);
  });

  void it("ignores diagnostics borrowlens did not explain", () => {
    const plain: DiagnosticLike = { range: ERROR_AT.range, message: "m", severity: ERROR, data: { rendered: "m" } };
    assert.deepEqual(markersAt([plain], { line: 20, character: 30 }), []);
  });

  void it("prefers the error when a warning covers the same place", () => {
    const warning = diagnostic(20, 0, 60, [marker("①", 1, 0, 1, "a warning's place")], WARNING);
    assert.deepEqual(markersAt([warning, ERROR_AT], { line: 20, character: 30 }), MARKERS);
  });

  void it("has none from a server that sends no markers, and drops malformed ones", () => {
    const older = diagnostic(20, 17, 51);
    delete (older.data as { borrowlens: { markers?: unknown } }).borrowlens.markers;
    assert.deepEqual(markersAt([older], { line: 20, character: 30 }), []);
    const broken = [MARKERS[0], { ...MARKERS[1], range: { start: { line: "11" } } }, { label: "③" }];
    assert.deepEqual(markersAt([diagnostic(20, 17, 51, broken)], { line: 20, character: 30 }), [MARKERS[0]]);
  });
});

void describe("markerLines", () => {
  void it("puts label and text on each marker's line", () => {
    assert.deepEqual(markerLines(MARKERS, (uri) => uri === URI), [
      { line: 3, text: "① `require_send` is what requires the future to be `Send`" },
      { line: 11, text: "② `words` (`Rc<Vec<String>>`, not `Send`) is created here and is still alive at the await" },
      { line: 15, text: "③ the future is suspended here while `words` is still alive" },
    ]);
  });

  void it("keeps only the document's markers, the first of a line", () => {
    const other = marker("④", 175, 20, 24, "`tokio::spawn` is what requires the future to be `Send`", "file:///registry/tokio/src/task/spawn.rs");
    const sameLine = marker("⑤", 11, 30, 35, "a second place on line 12");
    assert.deepEqual(markerLines([...MARKERS, other, sameLine], (uri) => uri === URI).map((l) => l.line), [3, 11, 15]);
    assert.deepEqual(markerLines([...MARKERS, other], (uri) => uri !== URI), [
      { line: 175, text: "④ `tokio::spawn` is what requires the future to be `Send`" },
    ]);
  });
});
