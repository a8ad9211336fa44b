// Builds the .vsix: the borrowlens wheel goes into server/ (the install command the
// extension offers installs from it), then @vscode/vsce packages the compiled extension
// into dist/borrowlens.vsix. Uses uv when BORROWLENS_UV (or `uv` on PATH) is there, else pip.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = resolve(here, "..", "..");
const server = join(here, "server");
rmSync(server, { recursive: true, force: true });
mkdirSync(server, { recursive: true });
const run = (command, args, cwd = here) => execFileSync(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
const uv = process.env.BORROWLENS_UV || "uv";
try {
  run(uv, ["build", "--wheel", "--out-dir", server, repo], repo);
} catch (error) {
  if (error.code !== "ENOENT") throw error;
  run("python3", ["-m", "pip", "wheel", "--no-deps", "--wheel-dir", server, repo], repo);
}
const wheels = readdirSync(server).filter((f) => f.endsWith(".whl"));
if (wheels.length !== 1) {
  throw new Error(`expected one borrowlens wheel in ${server}, found ${wheels.join(", ") || "none"}`);
}
mkdirSync(join(here, "dist"), { recursive: true });
run("npm", ["run", "--silent", "bundle"]);
run(process.execPath, [join(here, "node_modules", "@vscode", "vsce", "vsce"), "package", "--no-dependencies",
  "--out", join(here, "dist", "borrowlens.vsix")]);
