#!/usr/bin/env bash
# Trains the Rasa model only when its inputs changed (config, domain, training data, the
# spaCy pipeline). The inputs' hash is the model's file name.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/rasa_project"
inputs=(config.yml domain.yml spacy_pipeline/en_knee/meta.json)
# The custom component's code is imported at run time, not stored in the model: not an input.
mapfile -t -O 3 inputs < <(find data components -type f -name '*.yml' | sort)
fingerprint="$(cat "${inputs[@]}" | sha256sum | cut -c1-16)"
model="models/knee-$fingerprint.tar.gz"
if [ -f "$model" ]; then
  ln -sf "$(basename "$model")" models/current.tar.gz
  exit 0
fi
echo "Training the assistant (inputs changed; takes a minute or two)..."
mkdir -p models
mkdir -p "$root/var/log"
if ! PYTHONPATH="$root/rasa_project:$root${PYTHONPATH:+:$PYTHONPATH}" \
  "$root/.venv/rasa/bin/rasa" train --fixed-model-name "knee-$fingerprint" --out models \
  >"$root/var/log/train.log" 2>&1; then
  tail -30 "$root/var/log/train.log" >&2
  echo "Training failed; the full log is var/log/train.log" >&2
  exit 1
fi
find models -name 'knee-*.tar.gz' ! -name "$(basename "$model")" -delete
ln -sf "$(basename "$model")" models/current.tar.gz
