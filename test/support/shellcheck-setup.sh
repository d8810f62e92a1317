#!/usr/bin/env bash
# shellcheck, for the test that lints the run: scripts of the workflow `bugbeacon init` writes.
set -euo pipefail
if command -v shellcheck >/dev/null 2>&1; then
  echo "shellcheck: $(shellcheck --version | sed -n 2p)"
  exit 0
fi
echo "installing shellcheck from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends shellcheck >/dev/null
shellcheck --version | sed -n 2p
