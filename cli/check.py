"""`borrowlens check`: runs `cargo check` and prints each diagnostic as rustc does, followed by
borrowlens' explanation of the errors it recognises; or one JSON object per diagnostic, GitHub
Actions workflow commands (`github`), or one SARIF log (`sarif`) (`check_output`).

cargo starts before anything of the analyses is loaded, and `cargo locate-project` (the
workspace root, which rustc's paths are relative to) runs while it checks: importing the
families, compiling their triggers and templates, and locating the workspace all overlap
cargo's own work instead of coming before it.

Exit status: 0 when the crate is clean, 101 when it has errors, 2 when borrowlens or cargo
could not check it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from borrowlens.cli.terminal import (
    EXIT_ERRORS,
    EXIT_FAILURE,
    EXIT_OK,
    CliError,
    print_error,
    use_color,
)
from borrowlens.server import cargo as cargo_runner
from borrowlens.server.cargo import CargoError, Workspace


def manifest_of(path: Path) -> Path:
    """The Cargo.toml PATH names (a crate or workspace directory, or the file itself)."""
    if "\0" in str(path):
        raise CliError(f"the path {str(path)!r} contains a NUL byte, which no file name can")
    if not path.exists():
        raise CliError(f"{path}: no such file or directory")
    manifest = path if path.is_file() else path / "Cargo.toml"
    if manifest.name != "Cargo.toml" or not manifest.is_file():
        raise CliError(f"could not find `Cargo.toml` in `{path}` "
                       "(borrowlens takes the directory of a crate or workspace)")
    return manifest


def _workspace_of(manifest: Path, cargo: str) -> Workspace:
    try:
        return cargo_runner.locate_workspace(manifest, cargo)
    except CargoError as error:
        raise CliError(f"cargo cannot read `{manifest}`: {error}") from error


def locate_workspace(path: Path, cargo: str) -> Workspace:
    """Finds the Cargo.toml for PATH and the workspace root cargo will report paths against."""
    return _workspace_of(manifest_of(path), cargo)


def find_cargo() -> str:
    cargo = cargo_runner.find_cargo()
    if cargo is None:
        raise CliError("cargo was not found on PATH (install Rust with rustup: "
                       "https://rustup.rs)")
    return cargo


def run_check(args: argparse.Namespace) -> int:
    if getattr(args, "verify", False) and args.format != "json":
        raise CliError("--verify needs --format json (it adds `verified` to each fix)")
    # The machine formats never colour: nothing of rustc's rendered text reaches them.
    color = use_color(args.color, sys.stdout) if args.format in ("human", "json") else False
    cargo = find_cargo()
    manifest = manifest_of(Path(args.path))
    check = cargo_runner.Check(cargo, manifest=manifest.resolve(), color=color,
                               extra_args=args.cargo_args)
    # Leaving the block early (cargo cannot read the manifest, Ctrl-C) kills the check.
    with cargo_runner.Streaming(check) as run:
        try:
            workspace = _workspace_of(manifest, cargo)
        except CliError:
            # The check reads the same manifest and fails on it as fast: its complaint comes
            # before ours every time, instead of when it happened to be quicker.
            run.settle(timeout=10)
            raise
        # Lazy: loads the analyses while cargo checks (see the module's docstring).
        from borrowlens.cli import check_output  # noqa: PLC0415
        session = check_output.Session(args, workspace, color)
        # Build scripts may print plain lines on stdout; keep them visible.
        for message in run.messages(other=sys.stderr.write):
            raw = cargo_runner.compiler_message(message, workspace.root)
            if raw is not None:
                session.show(raw)
    tally = session.finish()
    if tally.errors:
        return EXIT_ERRORS
    if run.returncode != 0:
        print_error("cargo could not check the crate (see its output above)", color)
        return EXIT_FAILURE
    return EXIT_OK


def default_path(*, upward: bool) -> str:
    """PATH when none is given: the current directory, or (`upward`, as a cargo subcommand)
    the directory of the nearest Cargo.toml at or above it, as cargo itself looks."""
    if not upward:
        return "."
    manifest = cargo_runner.find_manifest(Path.cwd())
    if manifest is None:
        raise CliError(f"could not find `Cargo.toml` in `{Path.cwd()}` or any parent "
                       "directory")
    return str(manifest.parent)
