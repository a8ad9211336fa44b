/**
 * borrowlens' own language client, used when the rust-analyzer extension is not installed:
 * it launches `borrowlens`, which sits in front of a rust-analyzer it finds or runs
 * standalone, and passes the extension's settings as the server's `borrowlens` section.
 */

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  Trace,
} from "vscode-languageclient/node";

import { SETTINGS_SECTION } from "./protocol";
import { serverSettings, type BorrowlensConfig } from "./settings";
import { modeFromServerInfo, type Mode } from "./status";

export class OwnClient {
  private client: LanguageClient | undefined;

  constructor(private readonly output: vscode.OutputChannel) {}

  async start(serverPath: string, config: BorrowlensConfig): Promise<Mode> {
    const serverOptions: ServerOptions = {
      command: serverPath,
      args: [],
      options: { env: { ...process.env } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: "file", language: "rust" }],
      initializationOptions: { [SETTINGS_SECTION]: serverSettings(config) },
      outputChannel: this.output,
      // The server's hover is plain explanation text; our own hover adds the command link.
      markdown: { isTrusted: false, supportHtml: false },
    };
    this.client = new LanguageClient("borrowlens", "Borrow Lens", serverOptions, clientOptions);
    await this.client.start();
    await this.client.setTrace(Trace.fromString(config.trace));
    return this.mode();
  }

  mode(): Mode {
    const result = this.client?.initializeResult;
    if (!result) {
      return "starting";
    }
    const commands = result.capabilities.executeCommandProvider?.commands ?? [];
    return modeFromServerInfo(result.serverInfo?.name, commands);
  }

  get running(): boolean {
    return this.client?.isRunning() ?? false;
  }

  onStopped(listener: () => void): vscode.Disposable | undefined {
    return this.client?.onDidChangeState((event) => {
      if (event.newState === State.Stopped) {
        listener();
      }
    });
  }

  async configure(config: BorrowlensConfig): Promise<void> {
    if (!this.client?.isRunning()) {
      return;
    }
    await this.client.setTrace(Trace.fromString(config.trace));
    await this.client.sendNotification(DidChangeConfigurationNotification.type,
      { settings: { [SETTINGS_SECTION]: serverSettings(config) } });
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client?.isRunning()) {
      await client.stop(5000);
    }
  }
}
