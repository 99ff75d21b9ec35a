"""The pose pass split over two processes, and keyframes reached by seeking."""

from __future__ import annotations

import numpy as np
import pytest

from analysis_core.pose_run import VERIFY_FRAMES, run_pose, split_agrees
from analysis_core.video_io import probe, read_frames_at, thumb_diff, thumbnail

from .conftest import FIXTURES

pytestmark = pytest.mark.timeout(240)

CLIP = FIXTURES / "pose2sim_balance_front_60fps.mp4"


def _thumbs(start: int, stop: int, seed: int = 0) -> dict[int, np.ndarray]:
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 256, size=(200, 48, 48), dtype=np.uint8)
    return {i: frames[i] for i in range(start, stop)}


def test_split_check_accepts_exact_landing():
    mid = 100
    first = _thumbs(mid - VERIFY_FRAMES, mid + VERIFY_FRAMES)
    second = _thumbs(mid, mid + VERIFY_FRAMES)
    assert split_agrees(first, second, mid)


@pytest.mark.parametrize("shift", [-2, -1, 1, 3])
def test_split_check_rejects_a_seek_that_landed_elsewhere(shift):
    mid = 100
    first = _thumbs(mid - VERIFY_FRAMES, mid + VERIFY_FRAMES)
    landed = _thumbs(mid + shift, mid + shift + VERIFY_FRAMES)
    second = {i - shift: t for i, t in landed.items()}  # labelled as if they started at mid
    assert not split_agrees(first, second, mid)


def test_split_check_tolerates_repeated_frames_and_stream_end():
    mid = 100
    base = _thumbs(mid - VERIFY_FRAMES, mid + VERIFY_FRAMES)
    repeated = {i: base[i - (i % 2)] if i - (i % 2) in base else base[i] for i in base}
    assert split_agrees(repeated, {i: repeated[i] for i in range(mid, mid + 4)}, mid)
    # both processes found nothing after the split point: nothing was lost
    assert split_agrees(_thumbs(mid - VERIFY_FRAMES, mid), {}, mid)
    # the worker found nothing but the stream goes on: reject
    assert not split_agrees(base, {}, mid)


@pytest.fixture(scope="module")
def one_and_two():
    info = probe(CLIP)
    return info, run_pose(CLIP, info, workers=1), run_pose(CLIP, info, workers=2)


def test_two_processes_give_the_same_samples_as_one(one_and_two):
    """Real 60 fps H.264 clip: the worker seeks to the split point, the check accepts it,
    and the joined samples are the same frames as a single sequential pass."""
    _, one, two = one_and_two
    assert two.workers == 2 and not two.split_note
    assert np.array_equal(one.frame_index, two.frame_index)
    assert (one.width, one.height) == (two.width, two.height)
    assert set(one.thumbs) == set(two.thumbs)
    for i, t in one.thumbs.items():
        assert thumb_diff(t, two.thumbs[i]) < 0.5
    split = int(np.searchsorted(two.frame_index, round(len(one.frame_index) / 2) * two.stride))
    # before the split the first process is the same computation as the single pass
    np.testing.assert_allclose(one.landmarks[:split, :, :2], two.landmarks[:split, :, :2],
                               atol=1e-3)
    # after it, the worker's model restarts its tracking: close, not identical
    diff = np.abs(one.landmarks[:, :, :2] - two.landmarks[:, :, :2])
    assert np.nanmedian(diff) < 0.01 * one.height


def test_keyframes_by_seeking_match_the_analysed_frames(one_and_two):
    _, one, _ = one_and_two
    wanted = [int(one.frame_index[k]) for k in (0, 7, 23, len(one.frame_index) - 1)]
    frames = read_frames_at(CLIP, wanted, thumbs=one.thumbs)
    assert sorted(frames) == sorted(wanted)
    for i, frame in frames.items():
        assert thumb_diff(thumbnail(frame), one.thumbs[i]) < 1.0
        assert max(frame.shape[:2]) <= 960
    # a wrong reference thumbnail makes it fall back to a sequential decode of that frame
    wrong = {i: 255 - t for i, t in one.thumbs.items()}
    again = read_frames_at(CLIP, wanted[:2], thumbs=wrong)
    for i in wanted[:2]:
        np.testing.assert_array_equal(again[i], frames[i])
