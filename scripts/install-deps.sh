#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the demo need, if any is missing.
set -euo pipefail
# libboost1.74-dev: Boost.Beast and Boost.Asio (the service's HTTP transport, header-only);
# libcpp-httplib-dev: the HTTP client of the service's C++ test.
packages=(build-essential cmake pkg-config nlohmann-json3-dev libboost1.74-dev libboost-graph-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libeigen3-dev pybind11-dev liblemon-dev libpugixml-dev
  python3-numpy python3-pytest python3-pandas python3-scipy python3-dask python3-distributed
  python3-tqdm python3-matplotlib
  zlib1g-dev chromium chromium-driver python3-selenium python3-jsonschema libcpp-httplib-dev
  postgresql-15 libpq-dev wrk python3-build python3-wheel python3-venv dpkg-dev lintian file ccache)
if [[ "${AIG_WITH_FUZZ:-0}" == 1 ]]; then packages+=(clang-14 libclang-rt-14-dev); fi
if [[ "${AIG_WITH_TIDY:-0}" == 1 ]]; then packages+=(clang-tidy-14); fi
# The ZEN peer (differential test against GoRules ZEN, label zen): node and npm from Debian,
# then the pinned npm package (benchmarks/peers/zen/install.sh, after the apt step below).
if [[ "${AIG_WITH_ZEN:-0}" == 1 ]]; then packages+=(nodejs npm); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [[ "${AIG_WITH_ZEN:-0}" == 1 ]]; then
  "$(dirname "${BASH_SOURCE[0]}")/../benchmarks/peers/zen/install.sh"
fi
