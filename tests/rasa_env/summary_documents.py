"""A clinic summary as the action server sends it (docs/clinic_summary.md), and what the
Rasa-environment tests read back from the PDF made of it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from pypdf import PdfReader


def clinic_summary(job_id: str, level: str = "self_care") -> dict[str, Any]:
    """A small summary of ``level`` with a video block naming two pictures of ``job_id``."""
    media = f"/webhooks/video/media/{job_id}/"
    return {"triage": {
        "schema_version": 1, "level": level,
        "reasons": [{"id": "load_spike", "level": "self_care",
                     "text": "Your weekly distance went up by about 40 %."}],
        "answers": {"side": "left", "red_flags": [], "distance_now_km": 42.0, "unknown": []},
        "plan": ["clamshell"],
        "plan_details": [{"id": "clamshell", "name": "Clamshell", "dose": "2 sets of 10",
                          "why": "It strengthens the side of the hip.", "sources": "seed 001"}],
        "video": {
            "job_id": job_id, "activity": "running", "view": "back", "usable": True,
            "counted": "14 steps", "measures": {},
            "measures_in_words": [{"measure": "knee_fppa_deg", "label": "Knee angle",
                                   "value": "left 12°", "typical": "below 10°",
                                   "confidence": "medium", "severity": "mild"}],
            "findings": [{"id": "valgus_left", "measure": "knee_fppa_deg", "side": "left",
                          "severity": "mild", "contributor": "hip_core",
                          "confidence": "medium"}],
            "images": [media + "keyframe_2_knee_fppa_deg_left.png", media + "../secret.png"],
        },
    }}


def write_png(path: Path) -> None:
    """A real PNG picture at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (360, 640), "white")
    ImageDraw.Draw(image).rectangle((90, 80, 270, 560), fill="#3a7bd5")
    image.save(path)


def pdf_text(document: bytes) -> str:
    """Every page's text, whitespace made single."""
    pages = PdfReader(io.BytesIO(document)).pages
    return " ".join(" ".join(page.extract_text() or "" for page in pages).split())


def pdf_pictures(document: bytes) -> int:
    """How many pictures the PDF holds."""
    return sum(len(page.images) for page in PdfReader(io.BytesIO(document)).pages)
