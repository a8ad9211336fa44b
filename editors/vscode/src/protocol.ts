/**
 * borrowlens' wire contract, mirrored from the server's declaration in server/protocol.py
 * (tests/unit/test_protocol_mirror.py checks that the two agree: keep the names, the field
 * lists and the literal values in step with it, one declaration per line as here). What a
 * client may rely on beyond plain LSP: `data.borrowlens` on recognised diagnostics and on
 * borrowlens' code actions, the `borrowlens.explain` command, and the `borrowlens` settings
 * section with the environment variables that stand in for it. Pure: no `vscode` import.
 */

/** Raised by the server when a field changes meaning or goes away. */
export const PROTOCOL_VERSION = 1;

/** The key under a recognised diagnostic's (and a borrowlens code action's) `data`. */
export const DATA_KEY = "borrowlens";

/** `diagnostic.data.borrowlens`: what borrowlens recognised in a diagnostic. */
export interface DiagnosticData {
  family: string;
  title: string;
  tldr: string;
  fixes: string[];
  markers?: Marker[];
}

/** Characters of a marker's text at most; a longer one is cut and ends with "…". */
export const MARKER_TEXT_LIMIT = 160;

/**
 * A place the full explanation numbers ("Your code, annotated"), in its order, for the editor
 * to show beside its line while the cursor is on the diagnostic. `range` is the place itself
 * (its first line is the marker's line); `label` is its number ("①"), `text` what happens
 * there. Servers before markers do not send the list.
 */
export interface Marker {
  uri: string;
  range: Range;
  label: string;
  text: string;
}

/** `codeAction.data.borrowlens`: marks borrowlens' own quick fixes. */
export interface CodeActionData {
  family: string;
  fix: string;
}

/**
 * workspace/executeCommand; arguments `[uri, position?]` (ExplainArguments) or
 * `[ExplainTarget]`. The answer is markdown: the full explanation, or NO_EXPLANATION.
 */
export const EXPLAIN_COMMAND = "borrowlens.explain";
export const NO_EXPLANATION = "borrowlens has no explanation for this position.";

export interface Position {
  line: number;
  character: number;
}

/** An LSP range: zero-based lines, UTF-16 columns (the encoding VS Code negotiates). */
export interface Range {
  start: Position;
  end: Position;
}

export interface ExplainTarget {
  uri: string;
  position?: Position;
}

export type ExplainArguments = [uri: string, position?: Position];

/** The section's name in initializationOptions and in didChangeConfiguration's settings. */
export const SETTINGS_SECTION = "borrowlens";

export type Depth = "short" | "full" | "teach";

/** The `borrowlens` settings section; anything missing keeps the server's value. */
export interface SettingsSection {
  summaryInMessage?: boolean;
  hover?: boolean;
  explanation?: Depth;
  verifyFixes?: boolean;
}

/** Each key's default, and the environment variable that sets it when no section can be sent. */
export const SETTINGS = {
  summaryInMessage: { default: true, env: "BORROWLENS_SUMMARY_IN_MESSAGE" },
  hover: { default: true, env: "BORROWLENS_HOVER" },
  explanation: { default: "short", env: "BORROWLENS_EXPLANATION", choices: ["short", "full", "teach"] },
  verifyFixes: { default: true, env: "BORROWLENS_VERIFY_FIXES" },
} as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isPosition(value: unknown): value is Position {
  return isObject(value) && Number.isInteger(value.line) && Number.isInteger(value.character);
}

/** Whether `value` has the shape of a Marker. */
export function isMarker(value: unknown): value is Marker {
  return isObject(value)
    && typeof value.uri === "string"
    && isObject(value.range) && isPosition(value.range.start) && isPosition(value.range.end)
    && typeof value.label === "string"
    && typeof value.text === "string";
}

/** The payload's markers that have the contract's shape (none from servers before them). */
export function markersOf(data: DiagnosticData): Marker[] {
  return Array.isArray(data.markers) ? data.markers.filter(isMarker) : [];
}

/** Whether `value` has the shape of a DiagnosticData payload (`markers` is checked where it
 * is read, by markersOf: one malformed marker does not cost the diagnostic its explanation). */
export function isDiagnosticData(value: unknown): value is DiagnosticData {
  return isObject(value)
    && typeof value.family === "string"
    && typeof value.title === "string"
    && typeof value.tldr === "string"
    && Array.isArray(value.fixes) && value.fixes.every((id) => typeof id === "string");
}

/** The `data.borrowlens` payload of a diagnostic borrowlens recognised, else undefined. */
export function diagnosticData(diagnostic: { data?: unknown }): DiagnosticData | undefined {
  const data = diagnostic.data;
  const payload = isObject(data) ? data[DATA_KEY] : undefined;
  return isDiagnosticData(payload) ? payload : undefined;
}
