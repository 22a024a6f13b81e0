#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Prints the fault -> check table of docs/simulate.md from `oauthctl serve --simulate list`,
# so the page cannot drift from the binary (e2e.simulate compares them).
# Usage: scripts/simulate-table.sh path/to/oauthctl
set -euo pipefail
oauthctl=${1:?usage: scripts/simulate-table.sh OAUTHCTL}
echo '| fault | what the server does | checks that fail |'
echo '|---|---|---|'
"$oauthctl" serve --simulate list | while IFS= read -r line; do
  fault=${line%% *}
  rest=$(sed 's/^[^ ]* *//' <<<"$line")
  description=${rest%  \[check: *}
  caught=$(sed -n 's/.*\[check: \(.*\)\]$/\1/p' <<<"$line")
  case $caught in
    "none fails") checks="none (a careful client copes)" ;;
    *+) checks="\`${caught%+}\`, then every check that needs it" ;;
    *) checks="\`${caught//,/\`, \`}\`" ;;
  esac
  printf '| `%s` | %s | %s |\n' "$fault" "${description//|/\\|}" "$checks"
done
