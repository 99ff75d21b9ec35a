#!/usr/bin/env bash
# Installs what the widget's browser tests need: Debian's Chromium (driven by playwright-core,
# which never downloads a browser of its own) and the npm packages of web/ (from the lock file).
# Safe to run again: it does nothing that is already done.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  echo "Installing Debian's chromium for the browser tests..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
command -v node >/dev/null || { echo "Node.js (18 or newer) and npm are needed for the widget: install them first" >&2; exit 1; }
cd "$root/web"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
