#!/usr/bin/env bash
# Starts every process on localhost: the action server, the analysis worker, the Rasa server
# (REST, socket.io and video-upload channels, HTTP API) and the web widget's demo site;
# prints where to talk to them, and stops them all cleanly on Ctrl-C.
# Ports: RASA_PORT (5005), ACTIONS_PORT (5055), WEB_PORT (8080).
# Storage: DATABASE_URL (SQLite file var/app.db), MEDIA_DIR (var/media); see docs/video_flow.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export RASA_PORT="${RASA_PORT:-5005}" ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export SANIC_HOST="${SANIC_HOST:-127.0.0.1}"   # keep the action server private
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3
export WEB_PORT="${WEB_PORT:-8080}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$root/var/app.db}"
export MEDIA_DIR="${MEDIA_DIR:-$root/var/media}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:$RASA_PORT}"
export BOT_URL="${BOT_URL:-http://127.0.0.1:$RASA_PORT}"
export PYTHONPATH="$root/rasa_project:$root${PYTHONPATH:+:$PYTHONPATH}"
logs="$root/var/log"; mkdir -p "$logs"
pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

start() {  # start NAME CMD... : runs CMD in its own process group, logging to var/log/NAME.log
  local name="$1"; shift
  setsid "$@" >"$logs/$name.log" 2>&1 &
  pids+=("$!")
}
wait_for() {  # wait_for URL NAME PID
  for _ in $(seq 1 180); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    kill -0 "$3" 2>/dev/null || { echo "The $2 failed to start; see var/log/$2.log" >&2; tail -20 "$logs/$2.log" >&2; exit 1; }
    sleep 1
  done
  echo "The $2 did not answer within 3 minutes; see var/log/$2.log" >&2; exit 1
}

cd "$root"
py="$root/.venv/actions/bin/python"
"$py" -c "from kneeapp.store.db import init_db; init_db()"   # database migrations
start action-server "$py" -m rasa_sdk --actions actions -p "$ACTIONS_PORT" --quiet
wait_for "http://127.0.0.1:$ACTIONS_PORT/health" action-server "${pids[0]}"
start worker "$py" -m kneeapp.jobs.worker
cd "$root/rasa_project"
start rasa-server "$root/.venv/rasa/bin/rasa" run --enable-api -i 127.0.0.1 -p "$RASA_PORT" \
  --cors "*" --credentials credentials.yml --endpoints endpoints.yml -m models/current.tar.gz
wait_for "http://127.0.0.1:$RASA_PORT/status" rasa-server "${pids[2]}"
cd "$root"
"$py" web/build.py >/dev/null
start web "$py" web/serve.py
wait_for "http://127.0.0.1:$WEB_PORT/widget.js" web "${pids[3]}"
cat <<TXT

  The knee assistant is running.
    Demo site with the chat widget: http://127.0.0.1:$WEB_PORT/
    Video upload:      POST http://127.0.0.1:$RASA_PORT/webhooks/video/upload (token from the bot)
    REST channel:      POST http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook  {"sender": "<random id>", "message": "hi"}
    socket.io channel: http://127.0.0.1:$RASA_PORT/socket.io
    HTTP API:          http://127.0.0.1:$RASA_PORT/ (status: /status)
    Chat in a terminal instead: make shell
  Logs in var/log/. Press Ctrl-C to stop.

TXT
if [ "${1:-}" = "--shell" ]; then
  "$root/.venv/rasa/bin/python" "$root/scripts/chat.py" "http://127.0.0.1:$RASA_PORT"
else
  wait -n "${pids[@]}"
  echo "A server stopped unexpectedly; see var/log/." >&2
  exit 1
fi
