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

/**
 * The rust-analyzer borrowlens should sit in front of: a rust-analyzer the user had
 * configured themselves wins over the one bundled with the extension. A value borrowlens
 * wrote itself earlier does not: after the extension updates, its old folder is gone.
 */
export function realRustAnalyzer(current: RaServerSettings, borrowlens: string,
                                 bundled: string | undefined, previous?: LedgerEntry): string | undefined {
  if (typeof current.path === "string" && current.path.trim() !== "" && !samePath(current.path, borrowlens)) {
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
  return bundled ?? configured;
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
                          previous?: LedgerEntry): RoutePlan {
  const real = realRustAnalyzer(current, borrowlens, bundled, previous);
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
  return { path: borrowlens, extraEnv: { ...before, ...wroteEnv }, entry };
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
