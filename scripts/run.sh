#!/usr/bin/env bash
# Starts every process on localhost: the action server, the analysis worker, the Rasa server
# (REST, socket.io and video-upload channels, HTTP API locked with a token) and the web
# widget's demo site; prints where to talk to them, restarts a process that crashes, and
# stops them all cleanly on Ctrl-C. The work is done by scripts/launch.py (supervised,
# logs in var/log/, pid files in var/run/); `make cluster` is the scaled variant.
# Ports: RASA_PORT (5005), ACTIONS_PORT (5055), WEB_PORT (8080).
# Storage: DATABASE_URL (SQLite file var/app.db), MEDIA_DIR (var/media); see docs/video_flow.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
exec "$root/.venv/actions/bin/python" "$root/scripts/launch.py" run "$@"
