"""Video input: probing a file and streaming its frames.

Frames are streamed one at a time (a bounded queue at most), never held all in memory.
OpenCV's FFmpeg backend applies the rotation stored in the container by default, so frames
come out the way the phone showed them; ``probe`` reports the rotation and the displayed size.

Limitations: timestamps are derived from the frame index and the container's nominal frame
rate, so variable-frame-rate phone clips are treated as constant rate.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from analysis_core.errors import VideoError

log = logging.getLogger(__name__)

MAX_LONG_SIDE_PX = 4096  # 4K phones are 3840; anything larger is refused before decoding
MAX_FPS = 300.0
MAX_DURATION_S = 60.0  # longer clips are analysed up to this point only
MAX_FILE_DURATION_S = 1800.0  # refuse absurd containers outright


@dataclass(frozen=True)
class VideoInfo:
    """Facts about a video read from its container plus one decoded frame.

    Attributes:
        width: Displayed width in pixels (after rotation).
        height: Displayed height in pixels (after rotation).
        fps: Nominal frames per second.
        frame_count: Frames announced by the container (may be approximate).
        duration_s: frame_count / fps.
        rotation: Rotation metadata in degrees (0, 90, 180, 270).
        cut_off: The container ends part-way (an interrupted upload): frames near the
            end announced by the container may be missing.
    """

    width: int
    height: int
    fps: float
    frame_count: int
    duration_s: float
    rotation: int
    cut_off: bool = False

    def to_dict(self) -> dict[str, float | int]:
        """Plain dict for JSON."""
        return asdict(self)


INCOMPLETE = ("The video file seems incomplete: it was probably cut off while it was sent. "
              "Please send it again.")
_BOX_HEADER = 8


def iso_media_cut_off(path: Path) -> bool:
    """True when an MP4/MOV file ends inside one of its top-level boxes.

    Phones write MP4 and MOV as a chain of boxes, each starting with its size; an upload
    cut off part-way leaves the last box shorter than it says. Other formats return False.
    """
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(_BOX_HEADER)
        if len(head) < _BOX_HEADER or head[4:8] != b"ftyp":
            return False
        offset = 0
        while offset + _BOX_HEADER <= size:
            fh.seek(offset)
            header = fh.read(16)
            box = int.from_bytes(header[:4], "big")
            if box == 1 and len(header) == 16:
                box = int.from_bytes(header[8:16], "big")
            elif box == 0:  # the last box runs to the end of the file
                return False
            if box < _BOX_HEADER:
                return True  # garbage where a box header should be
            offset += box
        return offset != size


def _open(path: Path, threads: int = 0) -> cv2.VideoCapture:
    """Open with OpenCV's FFmpeg backend; ``threads`` > 0 caps FFmpeg's decoding threads."""
    if not path.is_file():
        raise VideoError("The video file could not be found.")
    if path.stat().st_size == 0:
        raise VideoError("The file is empty, so there is no video to analyse.")
    params = [cv2.CAP_PROP_N_THREADS, threads] if threads > 0 else []
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG, params)
    if not cap.isOpened():
        cap.release()
        if iso_media_cut_off(path):
            raise VideoError(INCOMPLETE)
        raise VideoError("This file is not a video format that can be read.")
    return cap


def probe(video_path: str | os.PathLike[str]) -> VideoInfo:
    """Read container facts and decode the first frame only.

    Args:
        video_path: Path to the file.

    Returns:
        The video's facts.

    Raises:
        VideoError: When the file is missing, empty, not a video, has no decodable frame,
            or announces a size, rate or length outside what the analysis accepts.
    """
    path = Path(video_path)
    cap = _open(path)
    try:
        raw_w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        raw_h = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        rotation = int(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0) % 360
        if raw_w <= 0 or raw_h <= 0 or fps <= 0 or not np.isfinite(fps):
            raise VideoError("The video's size or frame rate cannot be read.")
        if max(raw_w, raw_h) > MAX_LONG_SIDE_PX:
            raise VideoError("The video resolution is larger than 4K, please send a smaller copy.")
        if fps > MAX_FPS:
            raise VideoError("The video's frame rate is higher than 300 frames per second.")
        if count > 0 and count / fps > MAX_FILE_DURATION_S:
            raise VideoError("The video is far too long; please send a clip under one minute.")
        ok, frame = cap.read()
        if not ok or frame is None:
            raise VideoError("The video has no frame that can be decoded; it may be damaged.")
        height, width = frame.shape[:2]  # displayed size, rotation already applied
    finally:
        cap.release()
    if count <= 0:
        count = 1
    return VideoInfo(
        width=int(width),
        height=int(height),
        fps=fps,
        frame_count=count,
        duration_s=round(count / fps, 3),
        rotation=rotation,
        cut_off=iso_media_cut_off(path),
    )


def pose_stride(fps: float, min_rate_hz: float = 30.0) -> int:
    """How many recorded frames to advance between pose estimates.

    High-speed clips are sampled so the pose rate stays at or above ``min_rate_hz``:
    60 fps -> every 2nd frame, 240 fps -> every 8th, 30 fps -> every frame.

    Args:
        fps: Recorded frame rate.
        min_rate_hz: Lowest pose rate accepted.

    Returns:
        Stride of at least 1.
    """
    if fps <= 0:
        return 1
    return max(1, int(fps // min_rate_hz))


def resize_long_side(frame: np.ndarray, max_long_side: int) -> tuple[np.ndarray, float]:
    """Downscale so the longer side is at most ``max_long_side`` pixels.

    Returns:
        The (possibly unchanged) frame and the factor applied (<= 1).
    """
    h, w = frame.shape[:2]
    long_side = max(h, w)
    if long_side <= max_long_side:
        return frame, 1.0
    scale = max_long_side / long_side
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA), scale


THUMB_SIZE = (48, 48)  # grey thumbnail used to check that a seek landed on the right frame
THUMB_MATCH_MAX_DIFF = 1.0  # mean absolute grey-level difference of two decodes of one frame


def thumbnail(frame_bgr: np.ndarray) -> np.ndarray:
    """Small grey picture of a frame, used as its fingerprint."""
    grey = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY)
    return cv2.resize(grey, THUMB_SIZE, interpolation=cv2.INTER_AREA)


def thumb_diff(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two thumbnails (grey levels)."""
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))


@dataclass
class FrameItem:
    """One decoded frame handed to the pose stage.

    ``rgb`` is the downscaled RGB frame for the pose model, or None for a frame that was
    only decoded to take its thumbnail (seek verification).
    """

    index: int
    time_s: float
    rgb: np.ndarray | None
    scale: float
    thumb: np.ndarray


_END = object()


def open_at(path: Path, start: int, seek: bool = True, threads: int = 0) -> cv2.VideoCapture:
    """Open a video positioned so the next decoded frame is frame ``start``.

    With ``seek`` the container index is used (OpenCV decodes forward from the previous
    key frame); callers check the landing with thumbnails because seeking is not
    frame-accurate for every file. Without it, frames are grabbed (decoded, not converted)
    up to ``start``.
    """
    cap = _open(path, threads)
    if start <= 0:
        return cap
    if seek:
        cap.set(cv2.CAP_PROP_POS_FRAMES, float(start))
    else:
        for _ in range(start):
            if not cap.grab():
                break
    return cap


def iter_frames(
    video_path: str | os.PathLike[str],
    fps: float,
    stride: int = 1,
    max_long_side: int = 960,
    max_frames: int | None = None,
    stop: threading.Event | None = None,
    queue_size: int = 8,
    start: int = 0,
    seek: bool = True,
    thumbs_for: range | None = None,
    decoder_threads: int = 0,
) -> Iterator[FrameItem]:
    """Stream frames decoded in a background thread.

    Decoding (and resizing) runs in its own thread while the caller runs the pose model, so
    the two overlap; OpenCV releases the GIL while it decodes. The queue is bounded, so
    memory stays flat whatever the clip's length. Frames that are not analysed are only
    grabbed: decoded (unavoidable for inter-coded video) but neither converted to BGR nor
    copied.

    Args:
        video_path: Path of the video.
        fps: Frame rate used for timestamps.
        stride: Keep every ``stride``-th frame (counted from frame 0, not from ``start``).
        max_long_side: Downscale target for the pose stage.
        max_frames: Stop before this recorded frame index (exclusive end).
        stop: Set it to ask the decoder to stop early.
        queue_size: Frames buffered between decoder and consumer.
        start: First frame to deliver (see ``open_at``).
        seek: Reach ``start`` by seeking (True) or by grabbing frames (False).
        thumbs_for: Extra frame indices (may reach past ``max_frames``) that are decoded
            for their thumbnail only (``rgb`` is None).
        decoder_threads: FFmpeg decoding threads (0 = OpenCV's default, one per core).

    Yields:
        Frames in order.
    """
    cap = open_at(Path(video_path), start, seek, decoder_threads)
    q: queue.Queue[object] = queue.Queue(maxsize=queue_size)
    stop_event = stop or threading.Event()
    extra = thumbs_for if thumbs_for is not None else range(0)
    end = max_frames
    if end is not None and len(extra):
        end = max(end, extra.stop)

    def put(item: object) -> bool:
        while not stop_event.is_set():
            try:
                q.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def worker() -> None:
        index = start
        try:
            while not stop_event.is_set():
                if end is not None and index >= end:
                    break
                analysed = index % stride == 0 and (max_frames is None or index < max_frames)
                if not analysed and index not in extra:
                    if not cap.grab():
                        break
                    index += 1
                    continue
                ok, frame = cap.read()
                if not ok or frame is None:
                    break
                small, scale = resize_long_side(frame, max_long_side)
                rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB) if analysed else None
                if not put(FrameItem(index, index / fps, rgb, scale, thumbnail(small))):
                    break
                index += 1
        except cv2.error:  # damaged stream mid-way: end the stream, keep what we have
            log.warning("decoder stopped on a damaged frame")
        finally:
            cap.release()
            put(_END)

    thread = threading.Thread(target=worker, name="video-decoder", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                break
            assert isinstance(item, FrameItem)
            yield item
    finally:
        stop_event.set()
        thread.join(timeout=5)


def read_frames_at(
    video_path: str | os.PathLike[str], indices: list[int], max_long_side: int = 960,
    thumbs: dict[int, np.ndarray] | None = None,
) -> dict[int, np.ndarray]:
    """Decode a few chosen frames (BGR, downscaled).

    With ``thumbs`` (thumbnails taken during the pose pass), each frame is reached by
    seeking and kept only if its thumbnail matches; frames whose seek landed elsewhere are
    then decoded in one sequential pass. Without thumbnails, one sequential pass is used.
    """
    wanted = sorted(set(i for i in indices if i >= 0))
    out: dict[int, np.ndarray] = {}
    if not wanted:
        return out
    path = Path(video_path)
    if thumbs:
        for index in wanted:
            ref = thumbs.get(index)
            if ref is None:
                continue
            cap = open_at(path, index, seek=True)
            try:
                ok, frame = cap.read()
            finally:
                cap.release()
            if not ok or frame is None:
                continue
            small, _ = resize_long_side(frame, max_long_side)
            if thumb_diff(thumbnail(small), ref) <= THUMB_MATCH_MAX_DIFF:
                out[index] = small
            else:
                log.info("seek to frame %d was not exact; decoding sequentially", index)
        wanted = [i for i in wanted if i not in out]
        if not wanted:
            return out
    cap = _open(path)
    try:
        index = 0
        last = wanted[-1]
        targets = set(wanted)
        while index <= last:
            if index in targets:
                ok, frame = cap.read()
                if not ok or frame is None:
                    break
                out[index], _ = resize_long_side(frame, max_long_side)
            elif not cap.grab():
                break
            index += 1
    finally:
        cap.release()
    return out
