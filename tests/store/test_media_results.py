"""Resolving a result file by job id and name, or by the URL the chat shows it under
(kneeapp/store/media.py): nothing outside the job's folder is ever returned."""

from __future__ import annotations

from pathlib import Path

import pytest

from kneeapp.store.media import MEDIA_URL_PREFIX, result_file, result_file_from_url

JOB = "ab" * 16


@pytest.fixture
def results(tmp_path: Path) -> Path:
    folder = tmp_path / "results" / JOB
    folder.mkdir(parents=True)
    (folder / "keyframe_1.png").write_bytes(b"png")
    (folder / "clip.avi").write_bytes(b"avi")
    (tmp_path / "outside.png").write_bytes(b"png")
    (folder / "escape.png").symlink_to(tmp_path / "outside.png")
    return tmp_path / "results"


def test_an_existing_picture_of_the_job_resolves(results: Path) -> None:
    assert result_file(results, JOB, "keyframe_1.png") == (results / JOB / "keyframe_1.png"
                                                          ).resolve()
    assert result_file_from_url(results, f"{MEDIA_URL_PREFIX}{JOB}/keyframe_1.png") is not None


@pytest.mark.parametrize(("job_id", "name"), [
    (JOB, "../outside.png"), (JOB, "..png"), (JOB, ".hidden.png"), (JOB, "escape.png"),
    (JOB, "clip.avi"), (JOB, "missing.png"), ("AB" * 16, "keyframe_1.png"),
    ("../" + JOB, "keyframe_1.png"), (JOB, "a/b.png"), (JOB, "keyframe_1.png\x00"),
])
def test_any_other_name_resolves_to_nothing(results: Path, job_id: str, name: str) -> None:
    assert result_file(results, job_id, name) is None


@pytest.mark.parametrize("url", [
    f"/webhooks/video/upload/{JOB}/keyframe_1.png", f"{MEDIA_URL_PREFIX}{JOB}",
    f"{MEDIA_URL_PREFIX}{JOB}/../{JOB}/keyframe_1.png", f"http://x{MEDIA_URL_PREFIX}{JOB}/a.png",
])
def test_other_urls_resolve_to_nothing(results: Path, url: str) -> None:
    assert result_file_from_url(results, url) is None
