"""Custom Rasa NLU components (loaded by config.yml).

Importing the package inside the Rasa environment also applies ``rasa_fixes``; the
stdlib-only extractor stays importable elsewhere (its unit tests run in the actions env).
"""

from importlib.util import find_spec

if find_spec("rasa") is not None:
    from rasa_fixes import apply as _apply_rasa_fixes

    _apply_rasa_fixes()
