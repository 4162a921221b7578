#!/usr/bin/env bash
# What users run, on another Node: every test that runs a built bundle, with the bundles on that
# Node (BERTH_TEST_NODE; jest itself stays on this machine's Node), then `npm run demo -- --no-docker`
# wholly on it. Usage: bash scripts/test-on-node.sh 24
set -euo pipefail
cd "$(dirname "$0")/.."
major=${1:-}
node_bin=$(bash scripts/install-node.sh "$major")
version=$("$node_bin" --version)

mapfile -t tests < <(node scripts/dist-tests.mjs)
[ ${#tests[@]} -gt 0 ] || { echo "test-on-node: no test runs a bundle (scripts/dist-tests.mjs found none)" >&2; exit 1; }
echo "Bundles on Node $version: ${#tests[@]} test files that run them"
BERTH_TEST_NODE=$node_bin npm run jest -- --maxWorkers="${BERTH_JEST_WORKERS:-1}" --runTestsByPath "${tests[@]}"

# npm, tsx, the demo and every bundle it starts all run on the first node on PATH.
node_path="$(dirname "$node_bin"):$PATH"
[ "$(PATH=$node_path node --version)" = "$version" ] || { echo "test-on-node: node on PATH is not $version" >&2; exit 1; }
echo "npm run demo -- --no-docker on Node $version"
PATH=$node_path npm run demo -- --no-docker
