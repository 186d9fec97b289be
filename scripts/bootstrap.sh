#!/usr/bin/env bash
# One-time set-up on a fresh machine: a virtualenv in .venv with the CPU build of torch, then the project.
# TORCH_INDEX_URL picks where the CPU wheel comes from; when it cannot be reached (or is set to ""), torch
# comes from pip's usual sources, which must then offer a CPU build (as a local wheel folder does here).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TORCH_VERSION=${TORCH_VERSION:-2.13.0}
TORCH_INDEX_URL=${TORCH_INDEX_URL-https://download.pytorch.org/whl/cpu}

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
reachable() {
    .venv/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/", timeout=10)' "$1" \
        >/dev/null 2>&1
}
# torch first, as the CPU build: sentence-transformers would otherwise pull a multi-GB CUDA build.
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
    if [ -n "$TORCH_INDEX_URL" ] && reachable "$TORCH_INDEX_URL"; then
        .venv/bin/pip install "torch==${TORCH_VERSION}" --index-url "$TORCH_INDEX_URL"
    else
        [ -n "$TORCH_INDEX_URL" ] && echo "note: $TORCH_INDEX_URL is unreachable; installing torch==${TORCH_VERSION} from pip's configured sources" >&2
        .venv/bin/pip install "torch==${TORCH_VERSION}"
    fi
fi
.venv/bin/pip install -e ".[test]"
