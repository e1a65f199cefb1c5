"""Interactive work: JupyterLab starts on 127.0.0.1 on notebooks/ and lists the notebooks through its REST API."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT

pytestmark = pytest.mark.lab


def test_jupyterlab_lists_the_notebooks_and_the_kernel(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                             f"--IdentityProvider.token={token}", f"--notebook-dir={ROOT / 'notebooks'}",
                             "--ServerApp.open_browser=False", *(["--allow-root"] if os.geteuid() == 0 else [])],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path)})
    try:
        base = f"http://127.0.0.1:{port}"
        contents = None
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=2) as response:
                    contents = json.load(response)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(proc.stdout.read().decode(errors="replace")[-3000:])
                time.sleep(0.1)
        assert contents is not None, "JupyterLab did not answer within 60 s"
        names = {item["name"] for item in contents["content"]}
        expected = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
        assert expected and expected <= names
        with urllib.request.urlopen(f"{base}/api/kernelspecs?token={token}", timeout=5) as response:
            specs = json.load(response)["kernelspecs"]
        assert "python3" in specs
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as response:
            assert response.status == 200
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
