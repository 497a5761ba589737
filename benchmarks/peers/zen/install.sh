#!/usr/bin/env bash
# Installs the ZEN engine (npm package @gorules/zen-engine, pinned in package.json) into
# benchmarks/peers/zen/node_modules.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install.sh: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
registry="$(npm config get registry)"
if ! npm ping >/dev/null 2>&1; then
  echo "install.sh: npm cannot reach its registry ($registry); the ZEN peer cannot be installed." >&2
  echo "            Check the network or npm's registry setting, then run this script again." >&2
  exit 1
fi
npm install --prefix "$here" --no-audit --no-fund --loglevel=error
cd "$here"
node -e 'const v = require("@gorules/zen-engine/package.json").version; console.log("ZEN engine " + v + " installed")'
