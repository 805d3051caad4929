#!/bin/sh
# Installs leadlist into a virtualenv: CPU torch pinned FIRST, then the package.
# The Makefile (make serve / make test, so CI) and the Dockerfile both call this one script, so a green
# CI run has exercised the exact install commands the image is built with.
#
#   scripts/install.sh VENV PIP_ARGS...      e.g.  scripts/install.sh .venv -e '.[test]'
#
# PYTHON picks the interpreter that creates the venv (default python3). TORCH_INDEX_URL, when set, is the
# only index torch is resolved from (the Docker build points it at PyTorch's CPU wheel index); unset, pip's
# own configuration decides.
set -eu

if [ "$#" -lt 2 ]; then
    echo "usage: $0 VENV PIP_ARGS..." >&2
    exit 2
fi
venv=$1
shift

# A loose torch requirement resolves to a multi-gigabyte CUDA build; this pin must match pyproject.toml.
TORCH_PIN="torch==2.13.0"

if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/pip" install --upgrade pip
fi
if [ -n "${TORCH_INDEX_URL:-}" ]; then
    "$venv/bin/pip" install --index-url "$TORCH_INDEX_URL" "$TORCH_PIN"
else
    "$venv/bin/pip" install "$TORCH_PIN"
fi
"$venv/bin/pip" install "$@"
