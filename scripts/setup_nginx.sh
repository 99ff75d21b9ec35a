#!/usr/bin/env bash
# Installs Debian's nginx-light when nginx is missing (make cluster, make test). nginx then
# runs as the current user with everything under var/ (scripts/launch.py), never as a
# system service: the package's own service is not started here.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/usr/local/sbin"
if command -v nginx >/dev/null 2>&1; then exit 0; fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "nginx is missing: install Debian's nginx-light (apt-get install nginx-light)" >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing nginx-light (Debian package)..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
command -v nginx >/dev/null 2>&1 || { echo "nginx-light installed but nginx not found" >&2; exit 1; }
