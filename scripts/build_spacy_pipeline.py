"""Builds the offline spaCy pipeline that Rasa's SpacyNLP loads.

Official pretrained English pipelines are not on PyPI, and nothing may be downloaded at
run time, so we build a blank English pipeline with the lookup lemmatizer whose tables
ship in ``spacy-lookups-data``. Run with the Rasa environment's Python:

    .venv/rasa/bin/python scripts/build_spacy_pipeline.py rasa_project/spacy_pipeline/en_knee
"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy


def build(target: Path) -> None:
    """Creates the pipeline at ``target`` unless it is already there."""
    if (target / "config.cfg").exists():
        return
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "knee_blank_lookup"
    nlp.meta["description"] = "Blank English tokenizer + lookup lemmatizer (offline)."
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
