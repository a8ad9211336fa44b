/**
 * The extension's settings, read and validated once, and how they reach the server: as the
 * `borrowlens` section of initializationOptions / didChangeConfiguration for our own client,
 * or as environment variables when the rust-analyzer extension starts borrowlens (it can only
 * pass `rust-analyzer.server.extraEnv`). What the server accepts is declared in protocol.ts.
 * Pure: no `vscode` import.
 */

import { SETTINGS, type Depth, type SettingsSection } from "./protocol";

export type { Depth } from "./protocol";
export type RoutingPreference = "ask" | "workspace" | "user" | "never";
export type TraceLevel = "off" | "messages" | "verbose";

export interface BorrowlensConfig {
  serverPath: string | null;
  depth: Depth;
  summaryInMessage: boolean;
  hover: boolean;
  verifyFixes: boolean;
  routing: RoutingPreference;
  trace: TraceLevel;
}

/** The whole `borrowlens` section: the extension always sends every key. */
export type ServerSettings = Required<SettingsSection>;

/** Reads a setting by its key below `borrowlens.`; a `WorkspaceConfiguration.get` fits. */
export type Getter = (key: string) => unknown;

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === "string" && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : fallback;
}

function bool(value: unknown, fallback: boolean): boolean {
  return typeof value === "boolean" ? value : fallback;
}

/** The settings with defaults for anything unset or of the wrong type. */
export function readConfig(get: Getter): BorrowlensConfig {
  const path = get("server.path");
  return {
    serverPath: typeof path === "string" && path.trim() !== "" ? path.trim() : null,
    depth: oneOf(get("explanation.depth"), ["short", "full", "teach"] as const, "short"),
    summaryInMessage: bool(get("explanation.summaryInMessage"), true),
    hover: bool(get("hover.enabled"), true),
    verifyFixes: bool(get("fixes.verify"), true),
    routing: oneOf(get("rustAnalyzer.routing"), ["ask", "workspace", "user", "never"] as const, "ask"),
    trace: oneOf(get("trace.server"), ["off", "messages", "verbose"] as const, "off"),
  };
}

export function serverSettings(config: BorrowlensConfig): ServerSettings {
  return {
    summaryInMessage: config.summaryInMessage,
    hover: config.hover,
    explanation: config.depth,
    verifyFixes: config.verifyFixes,
  };
}

/** The same settings as the environment variables borrowlens reads at start-up. */
export function serverEnvironment(config: BorrowlensConfig): Record<string, string> {
  const section = serverSettings(config);
  return {
    [SETTINGS.explanation.env]: section.explanation,
    [SETTINGS.summaryInMessage.env]: String(section.summaryInMessage),
    [SETTINGS.hover.env]: String(section.hover),
    [SETTINGS.verifyFixes.env]: String(section.verifyFixes),
  };
}

/** The setting keys whose change must reach a running server. */
export const SERVER_KEYS = [
  "borrowlens.explanation.depth",
  "borrowlens.explanation.summaryInMessage",
  "borrowlens.hover.enabled",
  "borrowlens.fixes.verify",
] as const;
