"""The installed `borrowlens` command (`cli/launcher/borrowlens`): `--version` answered without
Python's `site` and equal to the package's version; everything else through `site` and the
real entry point, as a console script would."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType

from borrowlens.server import __version__
from support.cli import BORROWLENS, ROOT

LAUNCHER = ROOT / "cli" / "launcher" / "borrowlens"


def _launcher_module() -> ModuleType:
    loader = SourceFileLoader("borrowlens_launcher", str(LAUNCHER))
    module = ModuleType(loader.name)
    module.__file__ = str(LAUNCHER)
    loader.exec_module(module)
    return module


def _imports(*args: str) -> tuple[str, set[str]]:
    """The command's stdout and the modules its Python imported (PYTHONPROFILEIMPORTTIME)."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    result = subprocess.run([str(BORROWLENS), *args], env=env, capture_output=True, text=True,
                            check=True, timeout=60)
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
               if line.startswith("import time:") and line.count("|") == 2}
    modules.discard("package")  # the header line
    return result.stdout, modules


def test_version_is_the_package_version() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    version = pyproject["project"]["version"]
    assert importlib.metadata.version("borrowlens") == version == __version__
    for flag in ("--version", "-V", "version"):
        out, _ = _imports(flag)
        assert out == f"borrowlens {version}\n"


def test_version_skips_site_and_the_rest_does_not() -> None:
    _, quick = _imports("--version")
    assert "os" in quick  # the profile was read at all
    assert "site" not in quick
    assert not any(name.startswith(("borrowlens", "__editable__")) for name in quick)
    out, full = _imports("--help")
    assert out.startswith("usage: borrowlens")
    assert "site" in full and "borrowlens.server.entry" in full


def test_installed_command_is_the_launcher() -> None:
    assert BORROWLENS.read_bytes() == LAUNCHER.read_bytes()


def test_installed_version_reads_the_dist_info_beside_the_script(tmp_path: Path) -> None:
    launcher = _launcher_module()
    script = tmp_path / "bin" / "borrowlens"
    script.parent.mkdir()
    shutil.copy(LAUNCHER, script)
    assert launcher.installed_version(str(script)) is None  # no site-packages
    lib = (tmp_path / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
           / "site-packages")
    (lib / "borrowlens_extra-1.0.dist-info").mkdir(parents=True)
    assert launcher.installed_version(str(script)) is None  # another distribution only
    dist = lib / "borrowlens-7.8.9.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.4\nName: borrowlens\n\nVersion: 1\n",
                                   encoding="utf-8")
    assert launcher.installed_version(str(script)) is None  # body text is not a header
    (dist / "METADATA").write_text("Metadata-Version: 2.4\nName: borrowlens\n"
                                   "Version: 7.8.9\n\nVersion: 1\n", encoding="utf-8")
    assert launcher.installed_version(str(script)) == "7.8.9"
    linked = tmp_path / "elsewhere" / "borrowlens"
    linked.parent.mkdir()
    linked.symlink_to(script)
    assert launcher.installed_version(str(linked)) == "7.8.9"


def test_without_metadata_the_real_entry_answers(tmp_path: Path) -> None:
    # An environment of its own (this one's python, its packages reached through a .pth)
    # whose site-packages holds no borrowlens dist-info: the launcher falls through to
    # `site` and `borrowlens.server.entry`, which print the same line.
    shutil.copy(Path(sys.prefix) / "pyvenv.cfg", tmp_path / "pyvenv.cfg")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shutil.copy(LAUNCHER, bin_dir / "borrowlens")
    (bin_dir / "python").symlink_to(sys.executable)
    real = sysconfig.get_path("purelib")
    lib = (tmp_path / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
           / "site-packages")
    lib.mkdir(parents=True)
    (lib / "outer.pth").write_text(f"import site; site.addsitedir({real!r})\n",
                                   encoding="utf-8")
    launcher = _launcher_module()
    assert launcher.installed_version(str(bin_dir / "borrowlens")) is None
    result = subprocess.run([str(bin_dir / "borrowlens"), "--version"], capture_output=True,
                            text=True, check=True, timeout=60)
    assert result.stdout == f"borrowlens {__version__}\n"
