/**
 * Routing the rust-analyzer extension through borrowlens, as plain data: what to write into
 * `rust-analyzer.server.path` / `rust-analyzer.server.extraEnv` at one settings scope, what
 * was there before (the ledger entry), and how to put it back. Pure: no `vscode` import, so
 * the uninstall hook and the unit tests use it too.
 */

export type Scope = "user" | "workspace";

export type Env = Record<string, string>;

/** The two rust-analyzer settings at one scope; `undefined` = not set there. */
export interface RaServerSettings {
  path: string | null | undefined;
  extraEnv: Record<string, unknown> | null | undefined;
}

/** What borrowlens wrote at one scope, and what it replaced, so undo can restore it. */
export interface LedgerEntry {
  scope: Scope;
  /** The settings file written (user settings.json or the workspace's), for the uninstall hook. */
  settingsFile: string | null;
  /** null: the setting was unset (or null, rust-analyzer's default). */
  previousPath: string | null;
  /** The values of the keys borrowlens set in extraEnv before it set them (null = absent;
   * null rather than undefined because the ledger goes through JSON). */
  previousEnv: Record<string, string | null>;
  /** Whether extraEnv existed at all before. */
  hadExtraEnv: boolean;
  wrotePath: string;
  wroteEnv: Env;
}

export const RA_ENV = "BORROWLENS_RUST_ANALYZER";

function stringEnv(value: Record<string, unknown> | null | undefined): Env {
  const env: Env = {};
  for (const [key, raw] of Object.entries(value ?? {})) {
    if (typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean") {
      env[key] = String(raw);
    }
  }
  return env;
}

/** True when the settings point rust-analyzer at this borrowlens. */
export function isRouted(current: RaServerSettings, borrowlens: string): boolean {
  return typeof current.path === "string" && samePath(current.path, borrowlens);
}

function samePath(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}

/** A configured `server.path` worth following: set, not blank, not borrowlens itself. */
function ownPath(path: string | null | undefined, borrowlens: string): path is string {
  return typeof path === "string" && path.trim() !== "" && !samePath(path, borrowlens);
}

/**
 * The rust-analyzer borrowlens should sit in front of: a rust-analyzer the user had
 * configured themselves wins over the one bundled with the extension, whether at the scope
 * being written or at another level (`inherited`, most specific first: a workspace routed
 * while the user settings name a rust-analyzer). A value borrowlens wrote itself earlier does
 * not: after the extension updates, its old folder is gone; with nothing else known it is
 * dropped, and borrowlens finds a rust-analyzer itself.
 */
export function realRustAnalyzer(current: RaServerSettings, borrowlens: string,
                                 bundled: string | undefined, previous?: LedgerEntry,
                                 inherited: readonly (string | null | undefined)[] = []): string | undefined {
  if (ownPath(current.path, borrowlens)) {
    return current.path;
  }
  if (previous?.previousPath) {
    return previous.previousPath;
  }
  const configured = stringEnv(current.extraEnv)[RA_ENV];
  const ours = previous?.wroteEnv[RA_ENV];
  if (isRouted(current, borrowlens) && configured && configured !== ours) {
    return configured; // typed in by hand
  }
  const elsewhere = inherited.find((path) => ownPath(path, borrowlens));
  if (elsewhere !== undefined && elsewhere !== null) {
    return elsewhere;
  }
  if (bundled !== undefined) {
    return bundled;
  }
  return configured !== undefined && configured !== ours ? configured : undefined;
}

/** rust-analyzer's extension reads a leading `~/` in server.path as the home folder; an
 * environment variable is taken literally, so it gets the expanded path. */
function expandHome(path: string, home: string | undefined): string {
  return home !== undefined && path.startsWith("~/") ? `${home.replace(/\/+$/, "")}/${path.slice(2)}` : path;
}

/** What planRoute knows beyond the scope's own settings. */
export interface RouteContext {
  /** `server.path` at the other settings levels, most specific first (see realRustAnalyzer). */
  inherited?: readonly (string | null | undefined)[];
  /** The home folder, for a `~/` path. */
  home?: string;
}

export interface RoutePlan {
  path: string;
  extraEnv: Env;
  entry: LedgerEntry;
}

/**
 * The settings that route rust-analyzer through `borrowlens`, keeping every other extraEnv
 * key the user has; `settingsEnv` carries borrowlens' own settings (explanation depth…).
 */
export function planRoute(current: RaServerSettings, borrowlens: string, bundled: string | undefined,
                          settingsEnv: Env, scope: Scope, settingsFile: string | null,
                          previous?: LedgerEntry, context: RouteContext = {}): RoutePlan {
  const found = realRustAnalyzer(current, borrowlens, bundled, previous, context.inherited);
  const real = found === undefined ? undefined : expandHome(found, context.home);
  const routedAlready = isRouted(current, borrowlens);
  const before = stringEnv(current.extraEnv);
  const wroteEnv: Env = { ...settingsEnv };
  if (real !== undefined) {
    wroteEnv[RA_ENV] = real;
  }
  // Re-routing (new settings, a new bundled path) keeps the values from before the first route.
  const previousEnv: Record<string, string | null> = { ...(previous?.previousEnv ?? {}) };
  for (const key of Object.keys(wroteEnv)) {
    if (!(key in previousEnv)) {
      // Settings routed without a ledger entry (synced from another machine): what is there is
      // borrowlens' own doing, not a value to restore.
      previousEnv[key] = routedAlready ? null : before[key] ?? null;
    }
  }
  const entry: LedgerEntry = {
    scope,
    settingsFile,
    previousPath: previous ? previous.previousPath
      : typeof current.path === "string" && !routedAlready ? current.path : null,
    previousEnv,
    hadExtraEnv: previous ? previous.hadExtraEnv : current.extraEnv != null,
    wrotePath: borrowlens,
    wroteEnv,
  };
  const extraEnv: Env = { ...before, ...wroteEnv };
  if (real === undefined) {
    delete extraEnv[RA_ENV]; // a stale value of borrowlens' own (realRustAnalyzer keeps the user's)
  }
  return { path: borrowlens, extraEnv, entry };
}

/**
 * The settings after undoing `entry`. A value the user changed after borrowlens wrote it is
 * the user's and stays; what borrowlens wrote goes back to what was there before.
 */
export function planUnroute(current: RaServerSettings, entry: LedgerEntry): RaServerSettings {
  const path = typeof current.path === "string" && samePath(current.path, entry.wrotePath)
    ? entry.previousPath ?? undefined
    : current.path;
  const env = stringEnv(current.extraEnv);
  for (const [key, wrote] of Object.entries(entry.wroteEnv)) {
    if (env[key] !== wrote) {
      continue;
    }
    const before = entry.previousEnv[key];
    if (before === null || before === undefined) {
      delete env[key];
    } else {
      env[key] = before;
    }
  }
  const extraEnv = Object.keys(env).length === 0 && !entry.hadExtraEnv ? undefined : env;
  return { path, extraEnv };
}

/** Whether the user's preference and the stored answer say to route, and where. */
export function routingScope(preference: "ask" | "workspace" | "user" | "never",
                             answer: Scope | "never" | undefined): Scope | "never" | "ask" {
  if (preference !== "ask") {
    return preference;
  }
  return answer ?? "ask";
}
