#!/usr/bin/env bash
# Makes sure the real components the tests use are installed. Installs what Debian packages can
# provide; fails with a clear message for anything it cannot install. Starting and stopping them
# is the tests' job.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing() { echo "::error::$1" >&2; exit 1; }

command -v git >/dev/null || missing "git is not installed: apt-get install git"
command -v moto_server >/dev/null || missing 'moto_server is not on PATH: pip install "moto[server]" (the AWS integration tests run against it)'
echo "moto: $(moto_server --version 2>/dev/null || python3 -c 'import moto; print(moto.__version__)')"
