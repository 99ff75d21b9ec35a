"""Entry point for ``python -m analysis_core``."""

import sys

from analysis_core.cli import main

sys.exit(main())
