#!/usr/bin/env bash
# Set up everything the workbench needs on this machine, idempotently:
#   system packages (Chinese fonts; chromium for the browser tests) when apt-get is usable,
#   a virtual environment in .venv with this project installed (editable) and its tools.
# Used by scripts/demo and scripts/test; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

say() { printf '\033[1m== %s\033[0m\n' "$*"; }

# --- system packages -------------------------------------------------------------
need=()
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
$PY -c "import ensurepip, venv" >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; fi
  if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; }; then
    say "installing system packages: ${need[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    rm -f "${MPLCONFIGDIR:-$HOME/.cache/matplotlib}"/fontlist-*.json  # matplotlib must see the new fonts
  else
    echo "note: cannot install system packages here (needs apt-get and root or sudo). Please install:" >&2
    echo "      ${need[*]}  (fonts-noto-cjk: Chinese in charts; chromium: browser tests)" >&2
    if printf '%s\n' "${need[@]}" | grep -qx python3-venv; then exit 2; fi
  fi
fi

# --- python environment ----------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  $PY -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  say "installing the workbench and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c constraints.txt -e ".[dev]"
  .venv/bin/python -m ipykernel install --sys-prefix --name workbench \
      --display-name "Customer Insight Workbench (.venv)" >/dev/null
  rm -f .venv/.installed-* && touch "$stamp"
fi

# bytecode of the package itself (pip compiles what it installs, not an editable install's sources): every
# command, kernel and test process then reads it instead of compiling ~15,000 lines again, also where
# PYTHONDONTWRITEBYTECODE keeps Python from writing it (0.1 s of CPU a process; up to date in 0.1 s)
.venv/bin/python -m compileall -q src >/dev/null
