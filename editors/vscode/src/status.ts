/**
 * What the status bar item says: how borrowlens runs (its own proxy in front of
 * rust-analyzer, the rust-analyzer extension routed through it, standalone `cargo check`, or
 * off) and how many errors it recognises. Pure: no `vscode` import.
 */

export type Mode = "starting" | "proxy" | "routed" | "standalone" | "off" | "missing" | "failed";

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
  standalone: "standalone",
  off: "off",
  missing: "not installed",
  failed: "failed",
};

const MODE_TOOLTIPS: Record<Mode, string> = {
  starting: "borrowlens is starting.",
  proxy: "borrowlens runs in front of rust-analyzer (its own language client).",
  routed: "The rust-analyzer extension is routed through borrowlens.",
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
  const icon = mode === "missing" || mode === "failed" ? "$(warning)" : "$(book)";
  const counting = mode === "proxy" || mode === "routed" || mode === "standalone";
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
  return { text, tooltip: lines.join("\n"), warning: mode === "missing" || mode === "failed" };
}

/** The mode a running server reports: proxy (rust-analyzer behind it) or standalone. */
export function modeFromServerInfo(serverName: string | undefined, commands: readonly string[]): Mode {
  if (!commands.includes("borrowlens.explain")) {
    return "off";
  }
  return serverName === "borrowlens" ? "standalone" : "proxy";
}
