/**
 * Which diagnostics borrowlens explains, and which one the cursor means. The server marks
 * each recognised diagnostic with `data.borrowlens` (protocol.ts). vscode-languageclient keeps
 * an LSP diagnostic's `data` on the vscode.Diagnostic it makes, and the rust-analyzer
 * extension's middleware passes those objects on (it reads `data.rendered` from them itself),
 * so the payload is there whichever client received the diagnostic. Pure: structural types,
 * no `vscode` import.
 */

import { diagnosticData } from "./protocol";

export interface Point {
  line: number;
  character: number;
}

export interface DiagnosticLike {
  range: { start: Point; end: Point };
  message: string;
  /** vscode.DiagnosticSeverity: 0 is Error. */
  severity: number;
  /** The LSP diagnostic's `data`, which vscode.Diagnostic does not declare but carries. */
  data?: unknown;
}

const ERROR = 0;

export function isExplained(diagnostic: DiagnosticLike): boolean {
  return diagnosticData(diagnostic) !== undefined;
}

export function explainedDiagnostics<T extends DiagnosticLike>(diagnostics: readonly T[]): T[] {
  return diagnostics.filter(isExplained);
}

function compare(a: Point, b: Point): number {
  return a.line !== b.line ? a.line - b.line : a.character - b.character;
}

/** Whether the diagnostic's range holds `at`, its ends included. */
export function contains(diagnostic: DiagnosticLike, at: Point): boolean {
  const { start, end } = diagnostic.range;
  return compare(start, at) <= 0 && compare(at, end) <= 0;
}

function distance(diagnostic: DiagnosticLike, at: Point): number {
  const { start, end } = diagnostic.range;
  if (contains(diagnostic, at)) {
    return 0;
  }
  return Math.min(Math.abs(start.line - at.line), Math.abs(end.line - at.line)) + 1;
}

/**
 * The diagnostic under the cursor; else the nearest one (by lines), so "explain" works with
 * the cursor anywhere on or near the error's line. Errors win over warnings at equal distance.
 */
export function pickDiagnostic<T extends DiagnosticLike>(diagnostics: readonly T[], at: Point): T | undefined {
  let best: T | undefined;
  let bestKey: [number, number] | undefined;
  for (const diagnostic of diagnostics) {
    const key: [number, number] = [distance(diagnostic, at), diagnostic.severity === ERROR ? 0 : 1];
    if (!bestKey || key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
      best = diagnostic;
      bestKey = key;
    }
  }
  return best;
}

/** Errors in all files, and how many of them borrowlens explains (for the status bar). */
export function countErrors(all: readonly (readonly DiagnosticLike[])[]): { errors: number; explained: number } {
  let errors = 0;
  let explained = 0;
  for (const diagnostics of all) {
    for (const diagnostic of diagnostics) {
      if (diagnostic.severity !== ERROR) {
        continue;
      }
      errors += 1;
      if (isExplained(diagnostic)) {
        explained += 1;
      }
    }
  }
  return { errors, explained };
}
