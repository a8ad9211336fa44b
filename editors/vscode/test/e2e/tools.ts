/**
 * What the VS Code end-to-end tests need from the machine, found (or failed on) in one place:
 * code-server, Chromium, the real rust-analyzer, the borrowlens server, the extension's vsix,
 * the rust-analyzer stand-in's vsix; plus the fixture crates and `cargo check`.
 *
 * A missing tool fails the test with a message saying how to get it; nothing is ever skipped.
 */
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** editors/vscode: the nearest folder above this file whose package.json is named borrowlens
 * (works from test/e2e/*.ts and from its compiled copy under out/). */
function findExtensionRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        const name = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
        if (name === 'borrowlens') {
          return dir;
        }
      } catch {
        // not a manifest we can read: keep looking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no package.json named "borrowlens" above ${__dirname}`);
    }
    dir = parent;
  }
}

export const EXTENSION_ROOT = findExtensionRoot();
export const REPO_ROOT = path.resolve(EXTENSION_ROOT, '..', '..');
export const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures');
export const STANDIN_SOURCE = path.join(EXTENSION_ROOT, 'test', 'ra-standin');

/** Where screenshots and logs go: $BORROWLENS_E2E_ARTIFACTS, else editors/vscode/test-artifacts. */
export function artifactsRoot(): string {
  return path.resolve(process.env.BORROWLENS_E2E_ARTIFACTS ?? path.join(EXTENSION_ROOT, 'test-artifacts'));
}

/** A fresh, empty artefacts folder for one scenario. */
export function scenarioArtifacts(name: string): string {
  const dir = path.join(artifactsRoot(), name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export class MissingToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingToolError';
  }
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Runs one of the repository's scripts/ensure-*.sh, which print the tool's path. */
function ensureScript(script: string, what: string, envName: string): string {
  const run = spawnSync(path.join(REPO_ROOT, 'scripts', script), [], {
    encoding: 'utf8',
    timeout: 60 * 60 * 1000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed = (run.stdout ?? '').trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !printed || !executable(printed)) {
    throw new MissingToolError(
      `no ${what}: $${envName} is unset and scripts/${script} failed ` +
        `(exit ${String(run.status)}${run.error ? `, ${run.error.message}` : ''}):\n` +
        `${(run.stderr ?? '').slice(-3000)}`,
    );
  }
  return printed;
}

function fromEnv(envName: string, what: string): string | undefined {
  const given = process.env[envName];
  if (!given) {
    return undefined;
  }
  if (!executable(given)) {
    throw new MissingToolError(`${envName}=${given} is not an executable file (${what})`);
  }
  return given;
}

/** code-server 4.100.3: $BORROWLENS_CODE_SERVER or $CODE_SERVER (scripts/test-vscode.sh sets
 * it), else what scripts/ensure-code-server.sh prints. */
export function codeServerBinary(): string {
  return (
    fromEnv('BORROWLENS_CODE_SERVER', 'code-server') ??
    fromEnv('CODE_SERVER', 'code-server') ??
    ensureScript('ensure-code-server.sh', 'code-server', 'BORROWLENS_CODE_SERVER')
  );
}

/** The real rust-analyzer: $BORROWLENS_TEST_RUST_ANALYZER or $BORROWLENS_RUST_ANALYZER
 * (scripts/test-vscode.sh sets it; it is not passed on to code-server unless a scenario says
 * so), else scripts/ensure-rust-analyzer.sh. */
export function rustAnalyzerBinary(): string {
  return (
    fromEnv('BORROWLENS_TEST_RUST_ANALYZER', 'rust-analyzer') ??
    fromEnv('BORROWLENS_RUST_ANALYZER', 'rust-analyzer') ??
    ensureScript('ensure-rust-analyzer.sh', 'rust-analyzer', 'BORROWLENS_TEST_RUST_ANALYZER')
  );
}

/** Chromium for Playwright: $BORROWLENS_CHROMIUM, else Debian's /usr/bin/chromium. */
export function chromiumBinary(): string {
  const given = fromEnv('BORROWLENS_CHROMIUM', 'Chromium');
  if (given) {
    return given;
  }
  const debian = '/usr/bin/chromium';
  if (!executable(debian)) {
    throw new MissingToolError(
      `no Chromium at ${debian} and $BORROWLENS_CHROMIUM is unset: ` +
        'scripts/ensure-code-server.sh installs Debian\'s chromium (apt-get install chromium)',
    );
  }
  return debian;
}

/** The borrowlens language server: $BORROWLENS_SERVER, else the clone's .venv/bin/borrowlens. */
export function borrowlensServer(): string {
  const given = fromEnv('BORROWLENS_SERVER', 'the borrowlens executable');
  if (given) {
    return given;
  }
  const venv = path.join(REPO_ROOT, '.venv', 'bin', 'borrowlens');
  if (!executable(venv)) {
    throw new MissingToolError(`no borrowlens server at ${venv} and $BORROWLENS_SERVER is unset: run scripts/setup.sh`);
  }
  return venv;
}

/** The extension under test: $BORROWLENS_VSIX, else editors/vscode/dist/borrowlens.vsix. */
export function borrowlensVsix(): string {
  const vsix = path.resolve(process.env.BORROWLENS_VSIX ?? path.join(EXTENSION_ROOT, 'dist', 'borrowlens.vsix'));
  if (!fs.existsSync(vsix) || !fs.statSync(vsix).isFile()) {
    throw new MissingToolError(
      `no borrowlens extension package at ${vsix}: build it with \`npm run package\` in ` +
        'editors/vscode, or point $BORROWLENS_VSIX at one',
    );
  }
  return vsix;
}

/** A new temporary folder (removed by the caller, or left behind on failure for inspection). */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `borrowlens-${prefix}-`));
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): { status: number | null; output: string } {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return {
    status: result.status,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`,
  };
}

let standinVsix: string | undefined;

/**
 * The rust-analyzer stand-in (test/ra-standin) packaged as a vsix, with the real rust-analyzer
 * bundled at server/rust-analyzer as the real extension bundles it. Built once per test
 * process in a temporary copy: nothing is installed in the source folder.
 */
export function packageStandin(): string {
  if (standinVsix && fs.existsSync(standinVsix)) {
    return standinVsix;
  }
  const rustAnalyzer = rustAnalyzerBinary();
  const work = tempDir('ra-standin');
  // A rust-analyzer binary and node_modules: removed when the test process ends.
  process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
  const dir = path.join(work, 'rust-analyzer');
  fs.cpSync(STANDIN_SOURCE, dir, {
    recursive: true,
    filter: (source) => !['node_modules', 'server', 'package-lock.json'].includes(path.basename(source)),
  });
  const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const npmArgs = ['install', '--omit=dev', '--no-package-lock', '--no-save'];
  let install = run('npm', [...npmArgs, '--offline'], { cwd: dir, env: npmEnv, timeoutMs: 300_000 });
  if (install.status !== 0) {
    install = run('npm', npmArgs, { cwd: dir, env: npmEnv, timeoutMs: 600_000 });
  }
  if (install.status !== 0 || !fs.existsSync(path.join(dir, 'node_modules', 'vscode-languageclient', 'package.json'))) {
    throw new MissingToolError(`npm could not install vscode-languageclient for the rust-analyzer stand-in in ${dir}:\n${install.output.slice(-3000)}`);
  }
  fs.mkdirSync(path.join(dir, 'server'));
  const bundled = path.join(dir, 'server', 'rust-analyzer');
  fs.copyFileSync(rustAnalyzer, bundled);
  fs.chmodSync(bundled, 0o755);
  const vsce = path.join(EXTENSION_ROOT, 'node_modules', '.bin', 'vsce');
  if (!executable(vsce)) {
    throw new MissingToolError(`no vsce at ${vsce}: run \`npm ci\` in editors/vscode (@vscode/vsce is a devDependency)`);
  }
  const vsix = path.join(work, 'rust-lang.rust-analyzer-standin.vsix');
  const pack = run(vsce, ['package', '--allow-missing-repository', '--skip-license', '--out', vsix], {
    cwd: dir,
    timeoutMs: 300_000,
  });
  if (pack.status !== 0 || !fs.existsSync(vsix)) {
    throw new Error(`vsce could not package the rust-analyzer stand-in in ${dir}:\n${pack.output.slice(-3000)}`);
  }
  standinVsix = vsix;
  return vsix;
}

/** A fixture crate (tests/fixtures/<family>/<case>) copied alone into `dest`, uniquely named
 * (same-named copies must not share builds), with the fixtures' Cargo.lock when it has
 * dependencies. */
export function copyFixtureCrate(fixture: string, dest: string): string {
  const source = path.join(FIXTURES, fixture);
  if (!fs.existsSync(path.join(source, 'Cargo.toml'))) {
    throw new Error(`no fixture crate at ${source}`);
  }
  fs.cpSync(source, dest, {
    recursive: true,
    filter: (file) => !['rustc.json', 'expect.toml', 'target'].includes(path.basename(file)),
  });
  const manifest = path.join(dest, 'Cargo.toml');
  // The fixtures' shared Cargo.lock pins the dependencies (the crate must build offline); a
  // std-only crate gets none, or cargo would rewrite it under rust-analyzer's file watcher.
  const lock = path.join(FIXTURES, 'Cargo.lock');
  const dependencies = /^\[dependencies\]\s*\n\s*[A-Za-z0-9_-]+\s*=/m.test(fs.readFileSync(manifest, 'utf8'));
  if (dependencies && fs.existsSync(lock) && !fs.existsSync(path.join(dest, 'Cargo.lock'))) {
    fs.copyFileSync(lock, path.join(dest, 'Cargo.lock'));
  }
  const name = `vscode-e2e-${crypto.randomBytes(6).toString('hex')}`;
  const renamed = fs
    .readFileSync(manifest, 'utf8')
    .split('\n')
    .map((line) => (line.startsWith('name = ') ? `name = "${name}"` : line))
    .join('\n');
  fs.writeFileSync(manifest, renamed);
  return dest;
}

/** `cargo check --offline` in a crate, in its own target directory. */
export function cargoCheck(crate: string, targetDir: string): { ok: boolean; output: string } {
  const result = run('cargo', ['check', '--offline', '--quiet'], {
    cwd: crate,
    env: { ...process.env, CARGO_TARGET_DIR: targetDir, CARGO_TERM_COLOR: 'never' },
    timeoutMs: 600_000,
  });
  return { ok: result.status === 0, output: result.output };
}
