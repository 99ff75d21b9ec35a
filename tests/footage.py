"""Real clips and the compressed variants runners' messaging apps turn them into.

Used by the real-footage tests (a fast subset) and by ``bench/footage_eval.py`` (all of them).
Variants are derived at run time with Debian's ``ffmpeg`` (never committed): what WhatsApp
delivers (about 480p at a low bitrate), what Telegram delivers (720p), a very small copy
(360p), a 25 fps copy, and the first half only.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared" / "testdata"
FIXTURES = REPO / "tests" / "fixtures" / "video"


@dataclass(frozen=True)
class Clip:
    """A real clip and what it truly shows.

    Attributes:
        name: File name under ../shared/testdata or tests/fixtures/video.
        activity: True activity, or ``None`` when the clip is none of ours (any answer but
            ``not_activity`` is right).
        view: True camera view, or ``None`` when it changes during the clip (any view is
            right).
        cadence_spm: Cadence measured without the pose model, when known.
        not_activity: An activity the clip must never be called (for clips that show
            none of ours).
    """

    name: str
    activity: str | None
    view: str | None
    cadence_spm: float | None = None
    not_activity: str | None = None

    @property
    def path(self) -> Path:
        """Where the clip lies (shared test data first, then the repository's fixtures)."""
        shared = SHARED / self.name
        return shared if shared.is_file() else FIXTURES / self.name


CLIPS = (
    Clip("treadmill_side_male.mp4", "running", "side", cadence_spm=168.9),
    Clip("track_side_screen_recording.mp4", "running", "side"),
    Clip("squat_side_gym.mp4", "squat", "side"),
    Clip("sports2d_demo.mp4", None, None, not_activity="running"),
    Clip("streamposeml_walk_front_back.webm", "walking", None),
)


@dataclass(frozen=True)
class Variant:
    """One way a clip reaches us: a short name and the ffmpeg options that make it."""

    name: str
    short_side: int | None = None
    bitrate_kbps: int | None = None
    fps: float | None = None
    first_half: bool = False

    def ffmpeg_args(self, duration_s: float) -> list[str]:
        """Options for ffmpeg between the input and the output file."""
        filters = []
        if self.short_side:
            s = self.short_side
            filters.append(f"scale='if(gt(iw,ih),-2,{s})':'if(gt(iw,ih),{s},-2)'")
        if self.fps:
            filters.append(f"fps={self.fps}")
        args = ["-vf", ",".join(filters)] if filters else []
        if self.bitrate_kbps:
            args += ["-b:v", f"{self.bitrate_kbps}k", "-maxrate", f"{self.bitrate_kbps}k",
                     "-bufsize", f"{2 * self.bitrate_kbps}k"]
        else:
            args += ["-crf", "26"]
        if self.first_half:
            args += ["-t", f"{duration_s / 2:.2f}"]
        return args


VARIANTS = (
    Variant("whatsapp_480p", short_side=480, bitrate_kbps=600, fps=30),
    Variant("telegram_720p", short_side=720, bitrate_kbps=1500),
    Variant("small_360p", short_side=360, bitrate_kbps=400),
    Variant("25fps", fps=25),
    Variant("first_half", first_half=True),
)


def ffmpeg_available() -> bool:
    """True when Debian's ffmpeg is installed (``make setup`` installs it)."""
    return shutil.which("ffmpeg") is not None


def derive(src: Path, variant: Variant, dst_dir: Path, duration_s: float) -> Path:
    """Write ``variant`` of ``src`` into ``dst_dir`` (H.264, no audio) and return its path."""
    dst = dst_dir / f"{src.stem}__{variant.name}.mp4"
    if not dst.exists():
        cmd = ["ffmpeg", "-v", "error", "-y", "-i", str(src), *variant.ffmpeg_args(duration_s),
               "-an", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(dst)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    return dst


def truncate(src: Path, dst: Path, keep_share: float = 0.6) -> Path:
    """A copy of ``src`` cut off part-way, as an interrupted upload leaves it."""
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * keep_share)])
    return dst
