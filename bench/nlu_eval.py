"""Intent accuracy and entity F1 of the trained model on the held-out NLU sets.

The held-out sets (tests/nlu/heldout*.yml) are never trained on. Run after `make setup`:

    .venv/rasa/bin/python bench/nlu_eval.py

Prints one Markdown row per set (targets: intent accuracy >= 0.95, entity F1 >= 0.9).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROJECT = REPO / "rasa_project"


def evaluate(test_set: Path) -> dict[str, float]:
    out = PROJECT / "results" / f"nlu-{test_set.stem}"
    env = dict(os.environ, PYTHONPATH=f"{PROJECT}:{REPO}", RASA_TELEMETRY_ENABLED="false",
               TF_CPP_MIN_LOG_LEVEL="3")
    subprocess.run(
        [str(REPO / ".venv/rasa/bin/rasa"), "test", "nlu", "--nlu", str(test_set),
         "-m", "models/current.tar.gz", "--out", str(out), "--no-plot"],
        cwd=PROJECT, env=env, check=True, capture_output=True,
    )
    intents = json.loads((out / "intent_report.json").read_text())
    entities = json.loads((out / "RuleEntityExtractor_report.json").read_text())
    return {
        "examples": intents["weighted avg"]["support"],
        "intent_accuracy": intents["accuracy"],
        "entity_f1_micro": entities["micro avg"]["f1-score"],
        "entity_f1_weighted": entities["weighted avg"]["f1-score"],
    }


def main() -> None:
    sets = sorted((REPO / "tests" / "nlu").glob("heldout*.yml"))
    print("| held-out set | examples | intent accuracy | entity F1 (micro) "
          "| entity F1 (weighted) |")
    print("|---|---|---|---|---|")
    for test_set in sets:
        m = evaluate(test_set)
        print(f"| {test_set.name} | {m['examples']} | {m['intent_accuracy']:.3f} | "
              f"{m['entity_f1_micro']:.3f} | {m['entity_f1_weighted']:.3f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
