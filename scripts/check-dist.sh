#!/usr/bin/env bash
# Rebuilds every bundle and fails when actions/*/dist differs from what is committed,
# new untracked files included.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs
changes=$(git status --porcelain --untracked-files=all -- 'actions/*/dist')
if [ -n "$changes" ]; then
  echo "actions/*/dist is stale: run 'npm run build' and commit the result." >&2
  echo "$changes" >&2
  git --no-pager diff --stat -- 'actions/*/dist' >&2 || true
  exit 1
fi
echo "actions/*/dist matches the sources."
