#!/usr/bin/env bash
# Installs what the tests and benchmarks need beyond the Python environments: Debian's
# ffmpeg, which derives the compressed copies of real clips that messaging apps deliver
# (tests/footage.py). The product itself decodes video with OpenCV's own FFmpeg.
# Safe to run again: it does nothing that is already done.
set -euo pipefail
if ! command -v ffmpeg >/dev/null; then
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  echo "Installing Debian's ffmpeg for the real-footage tests..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq ffmpeg >/dev/null
fi
