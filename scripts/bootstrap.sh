#!/usr/bin/env bash
# One-time set-up on a fresh machine: a virtualenv in .venv with the CPU build of torch, then the project.
# TORCH_INDEX_URL picks where the CPU wheel comes from (set it to "" where pip already finds it locally).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TORCH_VERSION=${TORCH_VERSION:-2.13.0}
TORCH_INDEX_URL=${TORCH_INDEX_URL-https://download.pytorch.org/whl/cpu}

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
# torch first, as the CPU build: sentence-transformers would otherwise pull a multi-GB CUDA build.
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
    if [ -n "$TORCH_INDEX_URL" ]; then
        .venv/bin/pip install "torch==${TORCH_VERSION}" --extra-index-url "$TORCH_INDEX_URL"
    else
        .venv/bin/pip install "torch==${TORCH_VERSION}"
    fi
fi
.venv/bin/pip install -e ".[test]"
