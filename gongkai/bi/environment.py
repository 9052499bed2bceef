"""Superset's own virtual environment, ``.venv-bi`` beside ``.venv``: Superset pins libraries (Flask,
SQLAlchemy 1.4, marshmallow …) that clash with Airflow's, so the two never share one.

Installed from the committed, hash-pinned ``requirements.txt`` on first use (uv when it is there, as
the Makefile installs it; pip otherwise), and again whenever that file changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
REQUIREMENTS = HERE / "requirements.txt"
STAMP = ".gongkai-requirements.sha256"


class InstallError(RuntimeError):
    """The BI environment could not be installed."""


def venv_dir() -> Path:
    return Path(os.environ.get("GONGKAI_BI_VENV") or ROOT / ".venv-bi").resolve()


def bin_dir(venv: Path | None = None) -> Path:
    return (venv or venv_dir()) / "bin"


def _wanted() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def is_installed(venv: Path | None = None) -> bool:
    stamp = (venv or venv_dir()) / STAMP
    return stamp.is_file() and stamp.read_text().strip() == _wanted()


def _uv() -> str | None:
    for candidate in (os.environ.get("GONGKAI_UV"), shutil.which("uv"), str(ROOT / ".tools" / "bin" / "uv")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode:
        tail = "\n".join(done.stdout.strip().splitlines()[-15:])
        raise InstallError(f"`{' '.join(cmd[:3])} …` failed:\n{tail}")


def ensure(echo: Callable[[str], None] = print, venv: Path | None = None) -> Path:
    """The BI environment's bin directory, installing or updating it first when needed."""
    venv = venv or venv_dir()
    if is_installed(venv):
        return bin_dir(venv)
    echo(f"installing Apache Superset into {venv} (first time only: a few minutes, about 650 MB) …")
    uv = _uv()
    python = bin_dir(venv) / "python"
    if uv:
        _run([uv, "venv", "--quiet", "--allow-existing", "--python", sys.executable, str(venv)])
        _run([uv, "pip", "sync", "--quiet", "--python", str(python), str(REQUIREMENTS)])
    else:
        _run([sys.executable, "-m", "venv", str(venv)])
        _run([str(python), "-m", "pip", "install", "--quiet", "--require-hashes", "-r", str(REQUIREMENTS)])
    (venv / STAMP).write_text(_wanted() + "\n")
    return bin_dir(venv)
