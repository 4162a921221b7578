#!/usr/bin/env bash
# Rebuilds every bundle and fails when actions/*/dist differs from what is committed,
# new untracked files included. `--compare-only` skips the build (for its own test).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = --compare-only ] || node scripts/build.mjs
# A glob pathspec: a plain 'actions/*/dist' matches no file inside the folders.
dist=':(glob)actions/*/dist/**'
changes=$(git status --porcelain --untracked-files=all -- "$dist")
if [ -n "$changes" ]; then
  echo "actions/*/dist is stale: run 'npm run build' and commit the result." >&2
  echo "$changes" >&2
  git --no-pager diff --stat -- "$dist" >&2 || true
  exit 1
fi
echo "actions/*/dist matches the sources."
