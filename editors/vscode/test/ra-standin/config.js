// The stand-in's settings, after rust-analyzer's editors/code/src/config.ts (class Config):
// the server path and environment, and what a change to the `server` settings does (restart
// the server when `restartServerOnConfigChange` is set, else ask). See README.md.
'use strict';

const vscode = require('vscode');

const ROOT = 'rust-analyzer';
// config.ts: requiresServerReloadOpts. `server` covers server.path and server.extraEnv.
const REQUIRES_SERVER_RELOAD = ['server', 'files', 'showSyntaxTree'].map((opt) => `${ROOT}.${opt}`);

class Config {
  /** @param {vscode.Disposable[]} disposables */
  constructor(disposables) {
    vscode.workspace.onDidChangeConfiguration(this.onDidChangeConfiguration, this, disposables);
  }

  /** @param {vscode.ConfigurationChangeEvent} event */
  async onDidChangeConfiguration(event) {
    const requiresServerReloadOpt = REQUIRES_SERVER_RELOAD.find((opt) => event.affectsConfiguration(opt));
    if (!requiresServerReloadOpt) {
      return;
    }
    // One restart per change event: writing server.path and then server.extraEnv restarts
    // the server twice, the first time with only the first value written.
    if (this.restartServerOnConfigChange) {
      await vscode.commands.executeCommand('rust-analyzer.restartServer');
      return;
    }
    const message = `Changing "${requiresServerReloadOpt}" requires a server restart`;
    const userResponse = await vscode.window.showInformationMessage(message, 'Restart now');
    if (userResponse) {
      await vscode.commands.executeCommand('rust-analyzer.restartServer');
    }
  }

  get cfg() {
    return vscode.workspace.getConfiguration(ROOT);
  }

  /** The effective value (config.ts does no validation either). */
  get(path) {
    return this.cfg.get(path);
  }

  get serverPath() {
    return this.get('server.path');
  }

  /** server.extraEnv with every value a string (null stays: it removes the variable). */
  get serverExtraEnv() {
    const extraEnv = this.get('server.extraEnv') ?? {};
    return Object.fromEntries(
      Object.entries(extraEnv).map(([k, v]) => [k, typeof v === 'string' ? v : v?.toString()]),
    );
  }

  get restartServerOnConfigChange() {
    return this.get('restartServerOnConfigChange');
  }

  // Not contributed by the stand-in, so always the real extension's defaults (false).
  get previewRustcOutput() {
    return this.get('diagnostics.previewRustcOutput') ?? false;
  }

  get useRustcErrorCode() {
    return this.get('diagnostics.useRustcErrorCode') ?? false;
  }
}

module.exports = { Config };
