#!/usr/bin/env bash
# Rewrites the ABI baseline (abi/) from the shared library built in BUILD_DIR (default: build).
# Run it when a C function, type or constant is added on purpose, and commit abi/ with the change.
#   scripts/update-abi.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmake --build "$build" --target aiguillage_shared
lib=$(ls "$build"/libaiguillage.so.[0-9]* | grep -E '\.so\.[0-9]+$' | head -n 1)
python3 scripts/abi.py update "$lib" include/aiguillage.h abi
git --no-pager diff --stat -- abi/ || true
