#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter, or explains what to install and fails.
# Rasa 3.6 and rasa-sdk 3.6 need Python >=3.8,<3.11; the project standardises on 3.10.
set -euo pipefail
if [ -n "${PYTHON310:-}" ] && [ -x "$PYTHON310" ]; then echo "$PYTHON310"; exit 0; fi
if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  command -v python3.10; exit 0
fi
for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.*/bin/python /usr/bin/python3.10 /usr/local/bin/python3.10; do
  if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
echo "Python 3.10 is required (Rasa 3.6 does not run on 3.11+). Install it, e.g. 'pyenv install 3.10' or your OS package 'python3.10', or set PYTHON310=/path/to/python3.10." >&2
exit 1
