/**
 * What the status bar item says: how borrowlens runs (its own proxy in front of
 * rust-analyzer, the rust-analyzer extension routed through it, standalone `cargo check`, or
 * off) and how many errors it recognises. The mode comes from the running server: its
 * initialize result says whether it is borrowlens alone (serverInfo.name "borrowlens": the
 * standalone server) or rust-analyzer behind borrowlens (rust-analyzer's serverInfo, plus
 * borrowlens' command). Pure: no `vscode` import.
 */

/** "routed*": the rust-analyzer extension's client talks to borrowlens (routed: in front of
 * rust-analyzer; routed-standalone: borrowlens found no rust-analyzer; routed-waiting: the
 * settings are written but its server does not run through borrowlens, yet). */
export type Mode = "starting" | "proxy" | "routed" | "routed-standalone" | "routed-waiting" | "standalone" | "off"
  | "missing" | "failed";

export interface StatusView {
  text: string;
  tooltip: string;
  /** Whether the item should draw attention (the server is missing or failed). */
  warning: boolean;
}

const MODE_WORDS: Record<Mode, string> = {
  starting: "starting",
  proxy: "proxy",
  routed: "proxy",
  "routed-standalone": "standalone",
  "routed-waiting": "waiting for rust-analyzer",
  standalone: "standalone",
  off: "off",
  missing: "not installed",
  failed: "failed",
};

const MODE_TOOLTIPS: Record<Mode, string> = {
  starting: "borrowlens is starting.",
  proxy: "borrowlens runs in front of rust-analyzer (its own language client).",
  routed: "The rust-analyzer extension is routed through borrowlens, which runs in front of its rust-analyzer.",
  "routed-standalone": "The rust-analyzer extension is routed through borrowlens, but borrowlens found no "
    + "rust-analyzer: it runs `cargo check` itself, and rust-analyzer's completion, navigation and "
    + "assists are missing. Click to see its output.",
  "routed-waiting": "rust-analyzer.server.path points at borrowlens, but the rust-analyzer extension's "
    + "server does not run through it yet (it restarts with the new settings; “rust-analyzer: Restart "
    + "server” restarts it by hand).",
  standalone: "borrowlens runs `cargo check` itself (no rust-analyzer found).",
  off: "borrowlens is not running for this workspace.",
  missing: "The borrowlens server is not installed. Click for the install command.",
  failed: "The borrowlens server stopped. Click to see its output.",
};

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/**
 * `errors` counts the error diagnostics borrowlens recognised (the ones it explains);
 * `total` all Rust errors, shown in the tooltip.
 */
export function statusView(mode: Mode, errors: number, total: number): StatusView {
  const warning = mode === "missing" || mode === "failed" || mode === "routed-standalone";
  const icon = warning ? "$(warning)" : "$(book)";
  const counting = mode === "proxy" || mode === "routed" || mode === "standalone" || mode === "routed-standalone";
  const text = counting && errors > 0
    ? `${icon} borrowlens: ${MODE_WORDS[mode]} · ${plural(errors, "error")}`
    : `${icon} borrowlens: ${MODE_WORDS[mode]}`;
  const lines = [MODE_TOOLTIPS[mode]];
  if (counting) {
    lines.push(`${plural(errors, "error")} explained, of ${plural(total, "Rust error")}.`);
    if (errors > 0) {
      lines.push("Run “Borrow Lens: Explain Error at Cursor” on one for the full explanation.");
    }
  }
  return { text, tooltip: lines.join("\n"), warning };
}

/** The mode a running server reports: proxy (rust-analyzer behind it) or standalone. */
export function modeFromServerInfo(serverName: string | undefined, commands: readonly string[]): Mode {
  if (!commands.includes("borrowlens.explain")) {
    return "off";
  }
  return serverName === "borrowlens" ? "standalone" : "proxy";
}

/** Whether the rust-analyzer extension is routed through borrowlens in this mode. */
export function isRoutedMode(mode: Mode): boolean {
  return mode === "routed" || mode === "routed-standalone" || mode === "routed-waiting";
}

/** What the rust-analyzer extension's client runs (its initialize result, when started). */
export interface InitializeResultLike {
  capabilities?: { executeCommandProvider?: { commands?: readonly string[] } };
  serverInfo?: { name?: string };
}

/** The mode of the routed rust-analyzer extension, from its running client's server. */
export function routedMode(result: InitializeResultLike | undefined, running: boolean): Mode {
  if (!result || !running) {
    return "routed-waiting";
  }
  const mode = modeFromServerInfo(result.serverInfo?.name, result.capabilities?.executeCommandProvider?.commands ?? []);
  return mode === "standalone" ? "routed-standalone" : mode === "proxy" ? "routed" : "routed-waiting";
}
