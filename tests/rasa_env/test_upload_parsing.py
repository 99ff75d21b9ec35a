"""Unit tests for the upload connector's streaming multipart parser and container sniffing.

Stdlib only: no Rasa needed.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT / "rasa_project", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from connectors.multipart import (  # noqa: E402
    BodyEnd,
    MultipartError,
    MultipartParser,
    PartData,
    PartEnd,
    PartStart,
    boundary_from_content_type,
)
from connectors.video_sniff import sniff_container  # noqa: E402

TESTDATA = ROOT.parent / "shared" / "testdata"
BOUNDARY = b"----WebKitFormBoundary7MA4YWxkTrZu0gW"


def _body(parts: list[tuple[str, bytes]], boundary: bytes = BOUNDARY) -> bytes:
    out = b"preamble to ignore\r\n"
    for name, content in parts:
        out += b"--" + boundary + b"\r\n"
        out += f'Content-Disposition: form-data; name="{name}"; filename="f.bin"\r\n'.encode()
        out += b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
    return out + b"--" + boundary + b"--\r\nepilogue"


def _parse(body: bytes, sizes: list[int]) -> dict[str, bytes]:
    parser = MultipartParser(BOUNDARY)
    parts: dict[str, bytes] = {}
    current = None
    position = 0
    ended = False
    for size in [*sizes, len(body)]:
        for event in parser.feed(body[position : position + size]):
            if isinstance(event, PartStart):
                current = event.name
                parts[current] = b""
            elif isinstance(event, PartData):
                parts[current] += event.data
            elif isinstance(event, PartEnd):
                current = None
            elif isinstance(event, BodyEnd):
                ended = True
        position += size
    parser.close()
    assert ended
    return parts


TRICKY = b"\r\n--" + BOUNDARY[:-1] + b"X\r\n-" + b"\r\n\r\n--" + b"\x00\xff" * 50


@pytest.mark.parametrize("seed", range(20))
def test_any_chunking_gives_the_same_parts(seed: int) -> None:
    rng = random.Random(seed)
    video = bytes(rng.randrange(256) for _ in range(5000)) + TRICKY
    body = _body([("note", b"hello"), ("video", video), ("empty", b"")])
    sizes = [rng.randint(1, 90) for _ in range(len(body))]
    assert _parse(body, sizes) == {"note": b"hello", "video": video, "empty": b""}


def test_one_byte_at_a_time() -> None:
    body = _body([("video", TRICKY * 3)])
    assert _parse(body, [1] * len(body)) == {"video": TRICKY * 3}


def test_part_headers_are_parsed() -> None:
    parser = MultipartParser(b"b")
    body = (
        b'--b\r\nContent-Disposition: form-data; name="video"; filename="my run.mp4"\r\n'
        b"Content-Type: video/mp4\r\n\r\nxx\r\n--b--"
    )
    start = parser.feed(body)[0]
    assert isinstance(start, PartStart)
    assert (start.name, start.filename) == ("video", "my run.mp4")
    assert start.headers["content-type"] == "video/mp4"


@pytest.mark.parametrize(
    "body",
    [
        b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="v"\r\n\r\nabc',
        b"--" + BOUNDARY + b"\r\nno header end",
        b"nothing at all",
    ],
)
def test_truncated_bodies_fail_on_close(body: bytes) -> None:
    parser = MultipartParser(BOUNDARY)
    parser.feed(body)
    with pytest.raises(MultipartError):
        parser.close()


def test_oversized_part_headers_are_refused() -> None:
    parser = MultipartParser(BOUNDARY)
    with pytest.raises(MultipartError):
        parser.feed(b"--" + BOUNDARY + b"\r\nX-A: " + b"a" * 20_000)


def test_malformed_header_is_refused() -> None:
    parser = MultipartParser(b"b")
    with pytest.raises(MultipartError):
        parser.feed(b"--b\r\nnot a header\r\n\r\ndata\r\n--b--")


@pytest.mark.parametrize(
    ("content_type", "boundary"),
    [
        ("multipart/form-data; boundary=abc", b"abc"),
        ('multipart/form-data; boundary="a b:c"', b"a b:c"),
        ("Multipart/Form-Data; charset=utf-8; boundary=----x", b"----x"),
    ],
)
def test_boundary_from_content_type(content_type: str, boundary: bytes) -> None:
    assert boundary_from_content_type(content_type) == boundary


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "",
        "application/json",
        "multipart/form-data",
        "multipart/mixed; boundary=a",
        "multipart/form-data; boundary=" + "a" * 71,
        "multipart/form-data; boundary=a\x00b",
    ],
)
def test_bad_content_types(content_type: str | None) -> None:
    with pytest.raises(MultipartError):
        boundary_from_content_type(content_type)


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    size = 16 + 4 * len(compatible)
    return size.to_bytes(4, "big") + b"ftyp" + major + b"\x00\x00\x02\x00" + b"".join(compatible)


@pytest.mark.parametrize(
    ("head", "container"),
    [
        (_ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41"), "mp4"),
        (_ftyp(b"mp42", b"isom", b"mp42"), "mp4"),
        (_ftyp(b"qt  ", b"qt  "), "mov"),
        (_ftyp(b"3gp4", b"3gp4"), "mp4"),
        (_ftyp(b"heic", b"mif1", b"heic"), None),
        (_ftyp(b"M4A ", b"M4A ", b"mp42", b"isom"), None),
        (_ftyp(b"avif", b"avif", b"mif1"), None),
        (_ftyp(b"abcd"), None),
        (b"\x00\x00\x00\x08ftyp", None),
        (b"\x00\x00\xff\xffftypisom", None),
        (b"\x1a\x45\xdf\xa3\x93\x42\x86\x81\x01\x42\x82\x88matroska\x42\x87\x81\x04", "webm"),
        (b"\x1a\x45\xdf\xa3\x87\x42\x82\x84webm", "webm"),
        (b"\x1a\x45\xdf\xa3\x87\x42\x82\x84wemb", None),
        (b"\x1a\x45\xdf\xa3\xff", None),
        (b"\x1a\x45\xdf\xa3", None),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, None),
        (b"GIF89a", None),
        (b"RIFF\x00\x00\x00\x00AVI ", None),
        (b"", None),
    ],
)
def test_sniff_container(head: bytes, container: str | None) -> None:
    assert sniff_container(head) == container


@pytest.mark.skipif(not TESTDATA.exists(), reason="shared/testdata missing")
def test_real_clips_are_mp4() -> None:
    clips = sorted(TESTDATA.glob("*.mp4"))
    assert clips
    for clip in clips:
        with clip.open("rb") as handle:
            assert sniff_container(handle.read(4096)) == "mp4", clip.name
