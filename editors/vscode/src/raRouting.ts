/**
 * Routing the rust-analyzer extension through borrowlens in VS Code: asking once, writing
 * the two `rust-analyzer.server.*` settings at the chosen scope, recording them in the
 * ledger, restarting rust-analyzer, and undoing all of it. The decisions are in routing.ts.
 */

import * as path from "node:path";
import * as vscode from "vscode";

import { ledgerFile, readLedger, withEntry, withoutEntry, writeLedger } from "./ledger";
import { isRouted, planRoute, planUnroute, routingScope, type LedgerEntry, type RaServerSettings, type Scope } from "./routing";
import { serverEnvironment, type BorrowlensConfig } from "./settings";

export const RA_EXTENSION_ID = "rust-lang.rust-analyzer";
const ANSWER_KEY = "borrowlens.routingAnswer";

/** What the rust-analyzer extension exports from `activate` (RustAnalyzerExtensionApi). */
interface RaApi {
  readonly client?: {
    initializeResult?: { capabilities?: { executeCommandProvider?: { commands?: string[] } } };
    isRunning?: () => boolean;
  };
}

export function raExtension(): vscode.Extension<RaApi> | undefined {
  return vscode.extensions.getExtension<RaApi>(RA_EXTENSION_ID);
}

/** The rust-analyzer binary the extension ships, if this build of it bundles one. */
export function bundledRustAnalyzer(extension: vscode.Extension<unknown>): string {
  const name = process.platform === "win32" ? "rust-analyzer.exe" : "rust-analyzer";
  return path.join(extension.extensionPath, "server", name);
}

function target(scope: Scope): vscode.ConfigurationTarget {
  return scope === "user" ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace;
}

function current(scope: Scope): RaServerSettings {
  const inspected = vscode.workspace.getConfiguration("rust-analyzer");
  const pathValues = inspected.inspect<string | null>("server.path");
  const envValues = inspected.inspect<Record<string, unknown> | null>("server.extraEnv");
  return scope === "user"
    ? { path: pathValues?.globalValue, extraEnv: envValues?.globalValue }
    : { path: pathValues?.workspaceValue, extraEnv: envValues?.workspaceValue };
}

/** The file VS Code writes settings of `scope` to, for the uninstall hook. */
function settingsFile(context: vscode.ExtensionContext, scope: Scope): string | null {
  if (scope === "user") {
    // globalStorage is <user data>/User/globalStorage/<extension id>.
    return path.join(context.globalStorageUri.fsPath, "..", "..", "settings.json");
  }
  const workspaceFile = vscode.workspace.workspaceFile;
  if (workspaceFile?.scheme === "file") {
    return workspaceFile.fsPath;
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? path.join(folder.uri.fsPath, ".vscode", "settings.json") : null;
}

export class Routing {
  constructor(private readonly context: vscode.ExtensionContext,
              private readonly log: (line: string) => void) {}

  /** The stored answer: "This Workspace" is remembered per workspace, the others everywhere. */
  answer(): Scope | "never" | undefined {
    return this.context.workspaceState.get<Scope>(ANSWER_KEY)
      ?? this.context.globalState.get<Scope | "never">(ANSWER_KEY);
  }

  async remember(answer: Scope | "never" | undefined): Promise<void> {
    if (answer === "workspace") {
      await this.context.workspaceState.update(ANSWER_KEY, answer);
    } else {
      await this.context.workspaceState.update(ANSWER_KEY, undefined);
      await this.context.globalState.update(ANSWER_KEY, answer);
    }
  }

  /** The scope to route at; asks (once) when neither the setting nor an answer decides. */
  async decide(config: BorrowlensConfig): Promise<Scope | "never" | "later"> {
    const decided = routingScope(config.routing, this.answer());
    if (decided !== "ask") {
      return decided;
    }
    const hasWorkspace = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
    const choices = [...(hasWorkspace ? ["This Workspace"] : []), "All Workspaces (User)", "Not Now", "Never"];
    const picked = await vscode.window.showInformationMessage(
      "Route rust-analyzer through borrowlens? borrowlens will point rust-analyzer.server.path at "
      + "itself and run the extension's own rust-analyzer behind it, adding explanations and fixes "
      + "to its errors. You can undo this with “Borrow Lens: Stop Routing rust-analyzer”.",
      ...choices);
    const answer: Scope | "never" | undefined = picked === "This Workspace" ? "workspace"
      : picked === "All Workspaces (User)" ? "user" : picked === "Never" ? "never" : undefined;
    if (answer === undefined) {
      return "later";
    }
    await this.remember(answer);
    return answer;
  }

  /** Writes the settings at `scope`; true when anything changed. */
  async route(scope: Scope, borrowlens: string, config: BorrowlensConfig): Promise<boolean> {
    const extension = raExtension();
    if (!extension) {
      return false;
    }
    const file = settingsFile(this.context, scope);
    const ledger = readLedger(ledgerFile());
    const previous = ledger.find((e) => e.scope === scope && e.settingsFile === file);
    const now = current(scope);
    const plan = planRoute(now, borrowlens, bundledRustAnalyzer(extension), serverEnvironment(config), scope, file,
      isRouted(now, borrowlens) ? previous : undefined);
    if (isRouted(now, borrowlens) && JSON.stringify(plan.extraEnv) === JSON.stringify(now.extraEnv)) {
      return false;
    }
    // The ledger first: if VS Code dies between the two writes, undo still knows the old values.
    writeLedger(ledgerFile(), withEntry(ledger, plan.entry));
    const settings = vscode.workspace.getConfiguration("rust-analyzer");
    await settings.update("server.path", plan.path, target(scope));
    await settings.update("server.extraEnv", plan.extraEnv, target(scope));
    this.log(`routed rust-analyzer through ${borrowlens} in the ${scope} settings`);
    return true;
  }

  /** Undoes what borrowlens wrote at every scope it recorded for this window. */
  async unroute(): Promise<boolean> {
    let changed = false;
    let ledger = readLedger(ledgerFile());
    for (const scope of ["workspace", "user"] as const) {
      const file = settingsFile(this.context, scope);
      const entry: LedgerEntry | undefined = ledger.find((e) => e.scope === scope && e.settingsFile === file);
      if (!entry) {
        continue;
      }
      const now = current(scope);
      const after = planUnroute(now, entry);
      const settings = vscode.workspace.getConfiguration("rust-analyzer");
      if (after.path !== now.path) {
        await settings.update("server.path", after.path, target(scope));
        changed = true;
      }
      if (JSON.stringify(after.extraEnv) !== JSON.stringify(now.extraEnv)) {
        await settings.update("server.extraEnv", after.extraEnv, target(scope));
        changed = true;
      }
      ledger = withoutEntry(ledger, scope, file);
      this.log(`removed the rust-analyzer routing from the ${scope} settings`);
    }
    writeLedger(ledgerFile(), ledger);
    return changed;
  }

  /** Whether the running rust-analyzer client talks to borrowlens (it advertises our command). */
  raClientRouted(): boolean | undefined {
    const api = raExtension()?.exports;
    const result = api?.client?.initializeResult;
    if (!result) {
      return undefined;
    }
    return (result.capabilities?.executeCommandProvider?.commands ?? []).includes("borrowlens.explain");
  }

  async restartRustAnalyzer(): Promise<void> {
    const extension = raExtension();
    if (!extension?.isActive) {
      return; // it reads the settings when it starts
    }
    try {
      await vscode.commands.executeCommand("rust-analyzer.restartServer");
    } catch (error) {
      this.log(`could not restart rust-analyzer: ${String(error)}`);
    }
  }
}
