/**
 * One code-server (VS Code 1.100 in the browser) for one scenario: a free localhost port, no
 * auth, a fresh user-data-dir and extensions-dir, pre-seeded user settings, the given
 * extensions installed first, a small explicit environment, and a teardown that kills the
 * whole process tree (extension host, language servers, rust-analyzer, cargo).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

import { codeServerBinary, tempDir } from './tools';

export interface CodeServerOptions {
  /** vsix files installed (in this order) before code-server starts. */
  extensions: string[];
  /** Variables added to code-server's environment (and so the extension host's and the
   * language servers'); an undefined value leaves the variable out. */
  env?: Record<string, string | undefined>;
  /** Added to the pre-seeded user settings. */
  userSettings?: Record<string, unknown>;
  /** How long code-server may take to answer HTTP. */
  startTimeoutMs?: number;
}

/** What a VS Code test user wants: no tours, tips, trust prompts, telemetry or updates. */
export const DEFAULT_USER_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.editor.enablePreview': false,
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'editor.hover.delay': 100,
  'editor.minimap.enabled': false,
  'editor.accessibilitySupport': 'off',
  'files.autoSave': 'off',
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
};

/** Variables passed through from the test's environment (the rest is left out on purpose, so
 * that, say, a BORROWLENS_RUST_ANALYZER in the developer's shell cannot leak into a scenario). */
const PASSED_THROUGH = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'TMPDIR',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'RUSTUP_TOOLCHAIN',
  'XDG_CACHE_HOME',
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** ppid of every live process, from /proc. */
function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may contain spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // exited meanwhile
    }
  }
  return parents;
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parentsByPid()) {
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift() as number;
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  argv: string[];
}

function processInfo(pid: number, ppid: number): ProcessInfo | undefined {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg.length > 0);
    return { pid, ppid, argv };
  } catch {
    return undefined;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/**
 * Kills a process and everything below it, including processes that started their own
 * process group or session (borrowlens puts rust-analyzer in its own group): the tree is
 * frozen with SIGSTOP until no new process appears, so nothing can fork or be re-parented
 * away while it is collected, then every process in it gets SIGKILL.
 */
export async function killTree(root: number): Promise<void> {
  const frozen = new Set<number>();
  signal(root, 'SIGSTOP');
  frozen.add(root);
  for (let round = 0; round < 50; round++) {
    const fresh = descendants(root).filter((pid) => !frozen.has(pid));
    if (fresh.length === 0) {
      break;
    }
    for (const pid of fresh) {
      signal(pid, 'SIGSTOP');
      frozen.add(pid);
    }
    await sleep(20);
  }
  for (const pid of frozen) {
    signal(pid, 'SIGKILL');
  }
  for (const pid of frozen) {
    signal(pid, 'SIGCONT');
  }
}

function copyTree(from: string, to: string): void {
  if (fs.existsSync(from)) {
    fs.cpSync(from, to, { recursive: true, dereference: false, errorOnExist: false, force: true });
  }
}

export class CodeServer {
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly onProcessExit = (): void => {
    // Last resort when the test process itself goes away: the group code-server leads.
    if (this.child.pid !== undefined) {
      signal(-this.child.pid, 'SIGKILL');
    }
  };

  private constructor(
    readonly binary: string,
    readonly child: ChildProcess,
    readonly port: number,
    /** Everything of this instance lives under here (user data, extensions, target dir). */
    readonly root: string,
    readonly userDataDir: string,
    readonly extensionsDir: string,
    /** CARGO_TARGET_DIR given to rust-analyzer's cargo check. */
    readonly targetDir: string,
    /** BORROWLENS_VSCODE_LEDGER: where the extension records what it routed. */
    readonly ledgerFile: string,
    readonly stdoutLog: string,
  ) {
    child.on('exit', (code, sig) => {
      this.exited = { code, signal: sig };
    });
    process.on('exit', this.onProcessExit);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** The workbench with a folder open. */
  folderUrl(folder: string): string {
    return `${this.url}?folder=${encodeURIComponent(path.resolve(folder))}`;
  }

  /** Where an installed extension lives (`<extensions-dir>/<publisher>.<name>-<version>`). */
  extensionDir(id: string): string {
    const prefix = `${id.toLowerCase()}-`;
    const found = fs.readdirSync(this.extensionsDir).find((entry) => entry.toLowerCase().startsWith(prefix));
    if (!found) {
      throw new Error(`extension ${id} is not installed in ${this.extensionsDir}`);
    }
    return path.join(this.extensionsDir, found);
  }

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const binary = codeServerBinary();
    const root = tempDir('code-server');
    const userDataDir = path.join(root, 'user-data');
    const extensionsDir = path.join(root, 'extensions');
    const targetDir = path.join(root, 'cargo-target');
    for (const dir of [path.join(userDataDir, 'User'), extensionsDir, targetDir]) {
      fs.mkdirSync(dir, { recursive: true });
    }
    fs.writeFileSync(
      path.join(userDataDir, 'User', 'settings.json'),
      JSON.stringify({ ...DEFAULT_USER_SETTINGS, ...options.userSettings }, null, 2),
    );
    // An empty config file of our own: otherwise code-server writes ~/.config/code-server.
    const config = path.join(root, 'config.yaml');
    fs.writeFileSync(config, '');

    const env: NodeJS.ProcessEnv = {};
    for (const name of PASSED_THROUGH) {
      if (process.env[name] !== undefined) {
        env[name] = process.env[name];
      }
    }
    env.CARGO_TARGET_DIR = targetDir;
    env.BORROWLENS_LOG = process.env.BORROWLENS_LOG ?? 'info';
    // The extension's routing ledger, kept out of the real ~/.config.
    env.BORROWLENS_VSCODE_LEDGER = path.join(root, 'borrowlens-vscode-routing.json');
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) {
        delete env[name];
      } else {
        env[name] = value;
      }
    }

    const common = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
    for (const vsix of options.extensions) {
      const install = spawnSync(binary, [...common, '--install-extension', vsix, '--force'], {
        env,
        encoding: 'utf8',
        timeout: 180_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output = `${install.stdout ?? ''}${install.stderr ?? ''}`;
      if (install.status !== 0 || !/successfully installed/i.test(output)) {
        throw new Error(`code-server could not install ${vsix} (exit ${String(install.status)}):\n${output.slice(-3000)}`);
      }
    }

    const port = await freePort();
    const stdoutLog = path.join(root, 'code-server.log');
    const log = fs.openSync(stdoutLog, 'a');
    const child = spawn(
      binary,
      [
        ...common,
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
      ],
      { env, detached: true, stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    const server = new CodeServer(binary, child, port, root, userDataDir, extensionsDir, targetDir, env.BORROWLENS_VSCODE_LEDGER ?? '', stdoutLog);

    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    for (;;) {
      if (server.exited) {
        throw new Error(
          `code-server exited before it answered (code ${String(server.exited.code)}, signal ${String(server.exited.signal)}):\n` +
            server.log().slice(-3000),
        );
      }
      if ((await httpStatus(`${server.url}healthz`)) === 200) {
        return server;
      }
      if (Date.now() > deadline) {
        const output = server.log();
        await server.stop();
        throw new Error(`code-server did not answer on ${server.url} within ${options.startTimeoutMs ?? 60_000} ms:\n${output.slice(-3000)}`);
      }
      await sleep(250);
    }
  }

  /** Every live process below code-server (extension hosts, language servers, rust-analyzer,
   * cargo), with its parent and command line. */
  processes(): ProcessInfo[] {
    if (this.child.pid === undefined) {
      return [];
    }
    const parents = parentsByPid();
    return descendants(this.child.pid)
      .map((pid) => processInfo(pid, parents.get(pid) ?? 0))
      .filter((info): info is ProcessInfo => info !== undefined);
  }

  /** code-server's own stdout and stderr so far. */
  log(): string {
    try {
      return fs.readFileSync(this.stdoutLog, 'utf8');
    } catch {
      return '';
    }
  }

  /** Copies code-server's output and VS Code's logs (window, extension host, every output
   * channel: the language clients' traces and the servers' stderr) into `dest`. */
  collectLogs(dest: string): void {
    fs.mkdirSync(dest, { recursive: true });
    if (fs.existsSync(this.stdoutLog)) {
      fs.copyFileSync(this.stdoutLog, path.join(dest, 'code-server.log'));
    }
    copyTree(path.join(this.userDataDir, 'logs'), path.join(dest, 'vscode-logs'));
    const settings = path.join(this.userDataDir, 'User', 'settings.json');
    if (fs.existsSync(settings)) {
      fs.copyFileSync(settings, path.join(dest, 'user-settings.json'));
    }
  }

  /** Kills code-server and every process below it, then removes its folders unless `keep`. */
  async stop(options: { keep?: boolean } = {}): Promise<void> {
    process.removeListener('exit', this.onProcessExit);
    if (this.child.pid !== undefined && !this.exited) {
      await killTree(this.child.pid);
      const deadline = Date.now() + 10_000;
      while (!this.exited && Date.now() < deadline) {
        await sleep(50);
      }
    }
    if (!options.keep) {
      fs.rmSync(this.root, { recursive: true, force: true });
    }
  }
}
