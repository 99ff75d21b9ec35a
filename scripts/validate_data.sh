#!/usr/bin/env bash
# `rasa data validate`, failing on every warning except one that is expected:
# EXTERNAL_analysis_ready is sent by the analysis worker through the HTTP API, never typed,
# so it has (and should have) no NLU examples.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/rasa_project"
out="$(PYTHONPATH="$root/rasa_project:$root" "$root/.venv/rasa/bin/rasa" data validate 2>&1)" || {
  echo "$out" | tail -30; exit 1; }
warnings="$(echo "$out" | grep -E "UserWarning|WARNING" | grep -v "EXTERNAL_analysis_ready" \
  | grep -v "DeprecationWarning\|MovedIn20Warning" || true)"
if [ -n "$warnings" ]; then
  echo "rasa data validate reported warnings:"; echo "$warnings"; exit 1
fi
echo "rasa data validate: ok"
