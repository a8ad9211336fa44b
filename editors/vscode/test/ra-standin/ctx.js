// The stand-in's server lifecycle. It behaves like rust-analyzer's editors/code/src/ctx.ts
// (class Ctx: start, restart, stopAndDispose, updateCommands) and bootstrap.ts (which binary),
// written anew for this test. See README.md.
'use strict';

const { spawn } = require('child_process');
const os = require('os');
const path = require('path');
const fs = require('fs');
const vscode = require('vscode');

const { createClient } = require('./client');

/** bootstrap.ts: server.path (a leading `~/` is the home folder), else the bundled binary. */
function serverBinary(context, config) {
  const explicit = config.serverPath;
  if (explicit) {
    return explicit.startsWith('~/') ? os.homedir() + explicit.slice(1) : explicit;
  }
  const bundled = path.join(context.extensionPath, 'server', process.platform === 'win32' ? 'rust-analyzer.exe' : 'rust-analyzer');
  if (fs.existsSync(bundled)) {
    return bundled;
  }
  void vscode.window.showErrorMessage("Unfortunately we don't ship binaries for your platform yet.");
  return undefined;
}

/** process.env with server.extraEnv: an empty or null value removes the variable. */
function serverEnv(extraEnv) {
  const env = { ...process.env };
  for (const [key, value] of Object.entries(extraEnv)) {
    if (value) {
      env[key] = value;
    } else {
      delete env[key];
    }
  }
  return env;
}

/** bootstrap.ts: the binary must answer `--version` (run with the server's environment). */
function answersVersion(binary, env) {
  return new Promise((resolve) => {
    const child = spawn(binary, ['--version'], { env, stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

class Ctx {
  /**
   * @param {vscode.ExtensionContext} context
   * @param {import('./config').Config} config
   * @param {Record<string, {enabled: (ctx: Ctx) => Function, disabled?: (ctx: Ctx) => Function}>} commands
   */
  constructor(context, config, commands) {
    this.context = context;
    this.config = config;
    this.commands = commands;
    this.commandDisposables = [];
    /** @type {import('vscode-languageclient/node').LanguageClient | undefined} */
    this._client = undefined;
    this.outputChannel = vscode.window.createOutputChannel('Rust Analyzer Language Server');
    this.traceOutputChannel = vscode.window.createOutputChannel('Rust Analyzer Language Server Trace');
    context.subscriptions.push(this.outputChannel, this.traceOutputChannel, this);
    this.updateCommands('disable');
  }

  /** The exported API (RustAnalyzerExtensionApi): the client of the moment, if any. */
  get client() {
    return this._client;
  }

  /** The client, created with the settings as they are now unless there is one already. */
  async getOrCreateClient() {
    if (!this._client) {
      const binary = serverBinary(this.context, this.config);
      if (!binary) {
        throw new Error('rust-analyzer Language Server is not available.');
      }
      const env = serverEnv(this.config.serverExtraEnv);
      if (!(await answersVersion(binary, env))) {
        throw new Error(`Failed to execute ${binary} --version.`);
      }
      this.outputChannel.appendLine(`[stand-in] using server binary at ${binary}`);
      const run = { command: binary, options: { env } };
      const initializationOptions = vscode.workspace.getConfiguration('rust-analyzer');
      // Not rechecked after the awaits: two starts at once create two clients, as in ctx.ts.
      this._client = createClient(this.traceOutputChannel, this.outputChannel, initializationOptions,
        { run, debug: run }, this.config);
    }
    return this._client;
  }

  async start() {
    const client = await this.getOrCreateClient();
    await client.start();
    this.updateCommands();
  }

  /** Not serialised: two restarts at once overlap as they do in the real extension. */
  async restart() {
    await this.stopAndDispose();
    await this.start();
  }

  async stopAndDispose() {
    if (!this._client) {
      return;
    }
    this.updateCommands('disable');
    // The server gets 100 ms to stop; after that the client goes on without it.
    await this._client?.stop(100).catch(() => undefined);
    await this.disposeClient();
  }

  async disposeClient() {
    const client = this._client;
    this._client = undefined;
    await client?.dispose();
  }

  /** (Re-)registers every command: its `enabled` form while the client runs, else `disabled`. */
  updateCommands(forceDisable) {
    this.commandDisposables.forEach((d) => d.dispose());
    this.commandDisposables = [];
    const running = forceDisable !== 'disable' && (this._client?.isRunning() ?? false);
    for (const [name, factory] of Object.entries(this.commands)) {
      const fullName = `rust-analyzer.${name}`;
      const callback = running
        ? factory.enabled(this)
        : factory.disabled
          ? factory.disabled(this)
          : () => vscode.window.showErrorMessage(`command ${fullName} failed: rust-analyzer server is not running`);
      this.commandDisposables.push(vscode.commands.registerCommand(fullName, callback));
    }
  }

  dispose() {
    this.commandDisposables.forEach((d) => d.dispose());
    void this.disposeClient();
  }
}

module.exports = { Ctx };
