/**
 * The extension's entry point: decides how borrowlens runs in this window (the
 * rust-analyzer extension routed through it, or its own language client), wires the
 * commands, the hover link, the explain view, the markers beside the error under the cursor
 * and the status bar, and undoes the routing when it is deactivated (disabled, uninstalled,
 * or the window closes).
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";

import { OwnClient } from "./client";
import { countErrors } from "./diagnostics";
import { findServer, installCommand, onPath, type Discovered } from "./discovery";
import { EXPLAIN_AT_CURSOR, ExplainHover, ExplainView } from "./explainView";
import { MarkerDecorations } from "./markerDecorations";
import { raExtension, Routing } from "./raRouting";
import { readConfig, SERVER_KEYS, type BorrowlensConfig } from "./settings";
import { isRoutedMode, statusView, type Mode } from "./status";

let extension: BorrowlensExtension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extension = new BorrowlensExtension(context);
  await extension.start();
}

export async function deactivate(): Promise<void> {
  await extension?.dispose();
  extension = undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function config(): BorrowlensConfig {
  const section = vscode.workspace.getConfiguration("borrowlens");
  return readConfig((key) => section.get(key));
}

class BorrowlensExtension {
  private readonly output = vscode.window.createOutputChannel("Borrow Lens");
  private readonly status = vscode.window.createStatusBarItem("borrowlens.status", vscode.StatusBarAlignment.Left, 10);
  private readonly own = new OwnClient(this.output);
  private readonly routing: Routing;
  private readonly view: ExplainView;
  private mode: Mode = "starting";
  private missing: Discovered | undefined;
  private starting: Promise<void> | undefined;
  /** Whether the rust-analyzer extension was there when borrowlens last chose how to run. */
  private sawRustAnalyzer = false;
  /** While routed: re-reads what the rust-analyzer extension's server is (it restarts on its
   * own, and its client object changes each time). */
  private routedWatch: NodeJS.Timeout | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    const log = (line: string): void => this.output.appendLine(line);
    this.routing = new Routing(context, log);
    this.view = new ExplainView(log);
    this.status.name = "Borrow Lens";
    this.status.command = "borrowlens.showStatus";
    this.render();
    this.status.show();
    context.subscriptions.push(
      this.output, this.status, new MarkerDecorations(),
      vscode.commands.registerCommand(EXPLAIN_AT_CURSOR, (uri?: string, line?: number, character?: number) =>
        this.view.explain(uri ? vscode.Uri.parse(uri) : undefined,
          typeof line === "number" && typeof character === "number" ? new vscode.Position(line, character) : undefined)),
      vscode.commands.registerCommand("borrowlens.routeRustAnalyzer", () => this.routeOnRequest()),
      vscode.commands.registerCommand("borrowlens.unrouteRustAnalyzer", () => this.unrouteOnRequest()),
      vscode.commands.registerCommand("borrowlens.restartServer", () => this.restart()),
      vscode.commands.registerCommand("borrowlens.showOutput", () => this.output.show(true)),
      vscode.commands.registerCommand("borrowlens.showStatus", () => this.onStatusClick()),
      vscode.languages.registerHoverProvider({ language: "rust" }, new ExplainHover()),
      vscode.languages.onDidChangeDiagnostics(() => this.render()),
      vscode.workspace.onDidChangeConfiguration((event) => this.onConfigurationChange(event)),
      vscode.extensions.onDidChange(() => this.onExtensionsChange()),
    );
  }

  /** `restartRa`: restart the routed rust-analyzer extension's server even when its settings
   * did not change (borrowlens itself was restarted). */
  async start(restartRa = false): Promise<void> {
    this.starting = this.startNow(restartRa).catch((error: unknown) => {
      this.output.appendLine(`borrowlens failed to start: ${String(error)}`);
      this.setMode("failed");
    });
    // Asking the routing question must not hold up activation: the prompt can wait.
    if (!raExtension()) {
      await this.starting;
    }
  }

  private discover(settings: BorrowlensConfig): Discovered {
    const home = os.homedir();
    const pathEnv = process.env.PATH;
    const wheelDir = this.context.asAbsolutePath("server");
    const wheels = fs.existsSync(wheelDir) ? fs.readdirSync(wheelDir).filter((f) => f.endsWith(".whl")) : [];
    const wheel = wheels.length > 0 ? path.join(wheelDir, wheels.sort().reverse()[0]) : "borrowlens";
    const pipxNames = process.platform === "win32" ? ["pipx.exe", "pipx"] : ["pipx"];
    const pipx = onPath(pipxNames, { pathEnv, platform: process.platform, isExecutable }).found !== undefined;
    return findServer({ settingPath: settings.serverPath, pathEnv, platform: process.platform, home, isExecutable },
      installCommand(wheel, pipx, process.platform));
  }

  private async startNow(restartRa: boolean): Promise<void> {
    const settings = config();
    const found = this.discover(settings);
    this.missing = found.kind === "missing" ? found : undefined;
    this.sawRustAnalyzer = raExtension() !== undefined;
    if (this.sawRustAnalyzer) {
      const scope = await this.routing.decide(settings);
      if (scope === "never" || scope === "later") {
        this.output.appendLine(scope === "never"
          ? "rust-analyzer extension found; routing declined (borrowlens.rustAnalyzer.routing / your answer): borrowlens is off."
          : "rust-analyzer extension found; not routed yet: run “Borrow Lens: Route rust-analyzer Through Borrow Lens”.");
        this.setMode("off");
        return;
      }
      if (found.kind === "missing") {
        this.reportMissing(found);
        return;
      }
      const changed = await this.routing.route(scope, found.path, settings);
      this.setMode(this.routing.routedMode());
      await this.routing.settle(changed, { force: restartRa });
      this.setMode(this.routing.routedMode());
      return;
    }
    if (found.kind === "missing") {
      this.reportMissing(found);
      return;
    }
    this.output.appendLine(`starting ${found.path} (found via ${found.source})`);
    this.setMode("starting");
    const mode = await this.own.start(found.path, settings);
    this.own.onStopped(() => {
      if (this.mode !== "off" && this.mode !== "missing") {
        this.setMode("failed");
      }
    });
    this.setMode(mode);
  }

  private async stopAll(): Promise<void> {
    await this.starting;
    await this.own.stop();
  }

  private async restart(): Promise<void> {
    await this.stopAll();
    // The routed rust-analyzer extension runs borrowlens: its server restarts with ours.
    await this.start(true);
  }

  private async routeOnRequest(): Promise<void> {
    if (!raExtension()) {
      void vscode.window.showInformationMessage("Borrow Lens: the rust-analyzer extension is not installed; borrowlens runs its own language client.");
      return;
    }
    await this.routing.remember(undefined);
    const section = vscode.workspace.getConfiguration("borrowlens");
    if (section.get("rustAnalyzer.routing") === "never") {
      await section.update("rustAnalyzer.routing", "ask", vscode.ConfigurationTarget.Global);
    }
    await this.restart();
  }

  private async unrouteOnRequest(): Promise<void> {
    const changed = await this.routing.unroute();
    await this.routing.remember("never");
    this.setMode("off");
    await this.routing.settle(changed, { routed: false });
    void vscode.window.showInformationMessage(changed
      ? "Borrow Lens: rust-analyzer no longer goes through borrowlens; its settings are back as they were."
      : "Borrow Lens: rust-analyzer was not routed through borrowlens.");
  }

  private reportMissing(found: Extract<Discovered, { kind: "missing" }>): void {
    this.output.appendLine(`${found.message}\nlooked in: ${found.tried.join(", ")}`);
    this.setMode("missing");
    void this.offerInstall(found);
  }

  private async offerInstall(found: Extract<Discovered, { kind: "missing" }>): Promise<void> {
    const picked = await vscode.window.showErrorMessage(`Borrow Lens: ${found.message}`,
      "Run in Terminal", "Set Path…", "Copy Command");
    if (picked === "Run in Terminal") {
      const terminal = vscode.window.createTerminal({ name: "Install borrowlens" });
      terminal.show();
      terminal.sendText(found.installCommand);
      const retry = await vscode.window.showInformationMessage(
        "Borrow Lens: when the install has finished, start the server.", "Start borrowlens");
      if (retry) {
        await this.restart();
      }
    } else if (picked === "Set Path…") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "borrowlens.server.path");
    } else if (picked === "Copy Command") {
      await vscode.env.clipboard.writeText(found.installCommand);
    }
  }

  private async onStatusClick(): Promise<void> {
    if (this.mode === "missing" && this.missing?.kind === "missing") {
      await this.offerInstall(this.missing);
    } else if (this.mode === "off" && raExtension()) {
      await vscode.commands.executeCommand("borrowlens.routeRustAnalyzer");
    } else {
      this.output.show(true);
    }
  }

  private onConfigurationChange(event: vscode.ConfigurationChangeEvent): void {
    if (event.affectsConfiguration("borrowlens.server.path") || event.affectsConfiguration("borrowlens.rustAnalyzer.routing")) {
      void this.restart();
      return;
    }
    if (SERVER_KEYS.some((key) => event.affectsConfiguration(key)) || event.affectsConfiguration("borrowlens.trace.server")) {
      if (isRoutedMode(this.mode)) {
        // rust-analyzer passes only its environment to borrowlens: new settings need a new server.
        void this.restart();
      } else {
        void this.own.configure(config());
      }
    }
  }

  private onExtensionsChange(): void {
    const haveRa = raExtension() !== undefined;
    if (haveRa !== this.sawRustAnalyzer) {
      this.output.appendLine(haveRa ? "the rust-analyzer extension was installed" : "the rust-analyzer extension was removed");
      void (haveRa ? this.restart() : this.routing.unroute().then(() => this.restart()));
    }
  }

  private setMode(mode: Mode): void {
    this.mode = mode;
    if (isRoutedMode(mode) && !this.routedWatch) {
      this.routedWatch = setInterval(() => {
        const now = this.routing.routedMode();
        if (isRoutedMode(this.mode) && now !== this.mode) {
          this.output.appendLine(`the routed rust-analyzer extension's server: ${now}`);
          this.setMode(now);
        }
      }, 2000);
    } else if (!isRoutedMode(mode) && this.routedWatch) {
      clearInterval(this.routedWatch);
      this.routedWatch = undefined;
    }
    this.render();
  }

  private render(): void {
    const rust = vscode.languages.getDiagnostics()
      .filter(([uri]) => uri.path.endsWith(".rs"))
      .map(([, diagnostics]) => diagnostics);
    const { errors, explained } = countErrors(rust);
    const view = statusView(this.mode, explained, errors);
    this.status.text = view.text;
    this.status.tooltip = view.tooltip;
    this.status.backgroundColor = view.warning ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
  }

  async dispose(): Promise<void> {
    clearInterval(this.routedWatch);
    this.view.dispose();
    await this.stopAll().catch(() => undefined);
    // Disabling or uninstalling deactivates us: rust-analyzer must not keep pointing at borrowlens.
    await this.routing.unroute().catch((error: unknown) => this.output.appendLine(`undoing the routing failed: ${String(error)}`));
  }
}
