"""Shared fixtures: throw-away projects with small data the tests generate or ship."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
DEMO_MONTH = "2026-10"


def make_project(folder: Path, raw_from: Path | None = None, notebooks: bool = False) -> Path:
    """A project folder with this repository's parameters (and notebooks), and raw files copied in."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "parameters", folder / "parameters", dirs_exist_ok=True)
    if notebooks:
        shutil.copytree(ROOT / "notebooks", folder / "notebooks", dirs_exist_ok=True)
    raw = folder / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    if raw_from is not None and raw_from.resolve() != raw.resolve():
        for item in raw_from.iterdir():
            if item.is_file():
                shutil.copy2(item, raw / item.name)
    return folder


def build_demo(tmp_path_factory, name: str, **sizes):
    """A project with demo data of the given sizes: (parameters, tables, truth folder)."""
    from analysis import load_parameters, load_tables
    from analysis.data.demo import generate_demo_data

    raw = tmp_path_factory.mktemp(name) / "data" / "raw"
    truth = generate_demo_data(raw, end_month=DEMO_MONTH, **sizes).truth_dir
    params = load_parameters(root=make_project(raw.parent.parent, raw), month=DEMO_MONTH)
    return params, load_tables(params), truth


@pytest.fixture(scope="session")
def demo_raw(tmp_path_factory) -> Path:
    """Small demo data (80 customers, 8 months, 400 leads), generated once per test session."""
    from analysis.data.demo import generate_demo_data

    raw = tmp_path_factory.mktemp("demo") / "data" / "raw"
    generate_demo_data(raw, customers=80, months=8, seed=7, leads=400, end_month=DEMO_MONTH)
    return raw


@pytest.fixture
def demo_project(tmp_path, demo_raw) -> Path:
    return make_project(tmp_path / "project", demo_raw, notebooks=True)


@pytest.fixture
def good_project(tmp_path) -> Path:
    return make_project(tmp_path / "project", FIXTURES / "good")


def run_cli(*args: str, cwd: Path | None = None, check: bool = False):
    """Run the workbench CLI in a subprocess, as a user would."""
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "analysis.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"workbench {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc
