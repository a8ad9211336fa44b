/**
 * Which numbered markers to show while the cursor is on an explained error: the places the
 * full explanation numbers in "Your code, annotated" (`data.borrowlens.markers`, protocol.ts),
 * each shown at the end of its line ("① `shared` is created here …"). Only the diagnostic
 * under the cursor shows its markers, so the editor stays quiet until one asks. Pure:
 * structural types, no `vscode` import; markerDecorations.ts puts them on screen.
 */

import { contains, isExplained, pickDiagnostic, type DiagnosticLike, type Point } from "./diagnostics";
import { diagnosticData, markersOf, type Marker } from "./protocol";

/** One marker as a decoration: its zero-based line and the text shown after the line. */
export interface MarkerLine {
  line: number;
  text: string;
}

/**
 * The markers of the explained diagnostic whose range holds the cursor (an error before a
 * warning), or none: a cursor beside the error, not on it, shows nothing.
 */
export function markersAt(diagnostics: readonly DiagnosticLike[], cursor: Point): Marker[] {
  const under = diagnostics.filter((d) => isExplained(d) && contains(d, cursor));
  const picked = pickDiagnostic(under, cursor);
  const data = picked ? diagnosticData(picked) : undefined;
  return data ? markersOf(data) : [];
}

/**
 * The decorations for one document: the markers in it (`sameDocument` says whether a
 * marker's URI names it; the server's URIs and VS Code's may differ in escaping), one per
 * line, first marker first.
 */
export function markerLines(markers: readonly Marker[], sameDocument: (uri: string) => boolean): MarkerLine[] {
  const lines = new Map<number, string>();
  for (const marker of markers) {
    const line = marker.range.start.line;
    if (sameDocument(marker.uri) && !lines.has(line)) {
      lines.set(line, `${marker.label} ${marker.text}`);
    }
  }
  return [...lines].map(([line, text]) => ({ line, text }));
}
