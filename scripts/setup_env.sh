#!/usr/bin/env bash
# Creates or refreshes one virtualenv from its pinned lock file.
# Usage: scripts/setup_env.sh rasa|actions
# A stamp holding the lock file's hash makes re-runs instant when nothing changed.
set -euo pipefail
name="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv/$name"
lock="$root/requirements/$name.lock.txt"
stamp="$venv/.installed-$(sha256sum "$lock" | cut -c1-16)"
[ -f "$stamp" ] && exit 0
python310="$("$root/scripts/find_python310.sh")"
echo "Setting up the '$name' environment in .venv/$name (first run takes a few minutes)..."
[ -x "$venv/bin/python" ] || "$python310" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade "pip==25.*"
"$venv/bin/python" -m pip install --quiet -r "$lock"
rm -f "$venv"/.installed-*
touch "$stamp"
