/**
 * Routing the rust-analyzer extension through borrowlens in VS Code: asking once, writing
 * the two `rust-analyzer.server.*` settings at the chosen scope, recording them in the
 * ledger, restarting rust-analyzer, and undoing all of it. The decisions are in routing.ts.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";

import { ledgerFile, readLedger, withEntry, withoutEntry, writeLedger } from "./ledger";
import { isRouted, planRoute, planUnroute, RA_ENV, routingScope, type LedgerEntry, type RaServerSettings, type Scope } from "./routing";
import { serverEnvironment, type BorrowlensConfig } from "./settings";
import { routedMode, type Mode } from "./status";

export const RA_EXTENSION_ID = "rust-lang.rust-analyzer";
const ANSWER_KEY = "borrowlens.routingAnswer";

/** What the rust-analyzer extension exports from `activate` (RustAnalyzerExtensionApi): only
 * once its server has started, as its `activate` awaits the start. */
interface RaApi {
  readonly client?: {
    initializeResult?: {
      capabilities?: { executeCommandProvider?: { commands?: string[] } };
      serverInfo?: { name?: string };
    };
    isRunning?: () => boolean;
  };
}

/** How long rust-analyzer may take to restart on its own (restartServerOnConfigChange) before
 * borrowlens restarts it. */
const SELF_RESTART_MS = 20_000;

export function raExtension(): vscode.Extension<RaApi> | undefined {
  return vscode.extensions.getExtension<RaApi>(RA_EXTENSION_ID);
}

/** The rust-analyzer binary the extension ships, if this build of it bundles one (a build
 * from source has no server/ folder). */
export function bundledRustAnalyzer(extension: vscode.Extension<unknown>): string | undefined {
  const name = process.platform === "win32" ? "rust-analyzer.exe" : "rust-analyzer";
  const bundled = path.join(extension.extensionPath, "server", name);
  return fs.existsSync(bundled) ? bundled : undefined;
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

/** `server.path` at the levels that apply over or under `scope` other than itself, most
 * specific first: for a workspace, its folder's and the user's; for the user settings, none
 * (a workspace's own rust-analyzer is not one to name for every workspace). */
function inherited(scope: Scope): (string | null | undefined)[] {
  if (scope === "user") {
    return [];
  }
  const values = vscode.workspace.getConfiguration("rust-analyzer").inspect<string | null>("server.path");
  return [values?.workspaceFolderValue, values?.globalValue];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
    // Not while it activates: a restart it makes on a settings change (restartServerOnConfigChange)
    // would then start a second server beside the one its activation is starting.
    await this.activated(extension);
    const file = settingsFile(this.context, scope);
    const ledger = readLedger(ledgerFile());
    const previous = ledger.find((e) => e.scope === scope && e.settingsFile === file);
    const now = current(scope);
    const plan = planRoute(now, borrowlens, bundledRustAnalyzer(extension), serverEnvironment(config), scope, file,
      isRouted(now, borrowlens) ? previous : undefined, { inherited: inherited(scope), home: os.homedir() });
    if (isRouted(now, borrowlens) && JSON.stringify(plan.extraEnv) === JSON.stringify(now.extraEnv)) {
      return false;
    }
    // The ledger first: if VS Code dies between the two writes, undo still knows the old values.
    writeLedger(ledgerFile(), withEntry(ledger, plan.entry));
    const settings = vscode.workspace.getConfiguration("rust-analyzer");
    // extraEnv first: with restartServerOnConfigChange rust-analyzer restarts after each write,
    // and a start that sees server.path = borrowlens must also see BORROWLENS_RUST_ANALYZER.
    await settings.update("server.extraEnv", plan.extraEnv, target(scope));
    await settings.update("server.path", plan.path, target(scope));
    this.log(`routed rust-analyzer through ${borrowlens} in the ${scope} settings`
      + ` (${plan.extraEnv[RA_ENV] ? `${RA_ENV}=${plan.extraEnv[RA_ENV]}` : `no ${RA_ENV}: borrowlens looks for one`})`);
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

  /** The status of the routed rust-analyzer extension, from what its running server said. */
  routedMode(): Mode {
    const client = raExtension()?.exports?.client;
    return routedMode(client?.initializeResult, client?.isRunning?.() ?? false);
  }

  /**
   * After routing (`routed`, or finding the settings routed already) or unrouting: makes the
   * rust-analyzer extension's server run through borrowlens, or not. Its API appears only
   * once its server started, so an extension still activating is awaited. One that restarts
   * by itself on a settings change
   * (restartServerOnConfigChange) is given the time to do so, as a restart from here on top
   * of its own would overlap with it. `force`: restart it even when nothing was written
   * (borrowlens' own binary was restarted).
   */
  async settle(changed: boolean, options: { force?: boolean; routed?: boolean } = {}): Promise<void> {
    const routed = options.routed ?? true;
    const extension = raExtension();
    if (!extension || !(await this.activated(extension))) {
      return;
    }
    const done = (): boolean => this.raClientRouted() === routed && (raExtension()?.exports?.client?.isRunning?.() ?? false);
    if (changed && vscode.workspace.getConfiguration("rust-analyzer").get<boolean>("restartServerOnConfigChange")) {
      for (const deadline = Date.now() + SELF_RESTART_MS; Date.now() < deadline; await sleep(500)) {
        if (done()) {
          return;
        }
      }
      this.log(`rust-analyzer did not restart ${routed ? "through" : "without"} borrowlens on its own; restarting it`);
    } else if (!changed && !options.force && this.raClientRouted() !== !routed) {
      return; // as wanted, or not running (it reads the settings when it starts)
    }
    await this.restartRustAnalyzer();
  }

  /** Waits for the rust-analyzer extension to be active: its `activate` returns (and its API
   * appears) only once its server has started. False when its activation failed. */
  private async activated(extension: vscode.Extension<RaApi>): Promise<boolean> {
    if (extension.isActive) {
      return true;
    }
    try {
      await extension.activate();
      return true;
    } catch (error) {
      this.log(`the rust-analyzer extension failed to activate: ${String(error)}`);
      return false;
    }
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
