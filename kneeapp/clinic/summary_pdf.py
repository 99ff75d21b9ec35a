"""The clinic summary as a printable PDF for a clinician: one or two A4 pages.

Laid out with ReportLab's platypus from the words of :mod:`kneeapp.clinic.summary_words`:
title and date (and the clinic, if any), the level in a coloured band with its advice, the
reasons, after a check-in its history (a table of every assessment and check-in, and a
small chart of the pain over them drawn with ``reportlab.graphics``), the answers table, the
plan with doses, the video measures with their usual ranges and up to three key pictures,
the sources, and on every page a disclaimer and the page number. Every text comes from
``data/``; nothing raw (ids, JSON) is printed.

Works in both environments (ReportLab is pure Python with Pillow). The font is Bitstream
Vera, shipped inside ReportLab, so the output does not depend on the machine's fonts.

Limitations: Vera covers Western European text and common symbols (° ± × ≤ ≥ ≈ – …); any
other character (e.g. in a runner's own words) is printed without its accent, or as "?".
A summary too long for two pages is printed again with smaller, then fewer, then no
pictures, and without the video ranges' sources, and last without the history's chart
(:data:`LAYOUTS`; its table stays); one still too long (dozens of reasons, or nine reasons,
six exercises, long own words and a check-in history together) runs onto a third page.
The chart spaces the assessments evenly, not by the days between them (the dates are
printed under each).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from PIL import Image as PILImage
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.textlabels import Label
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.validators import Auto
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from kneeapp.clinic import summary_words as sw
from kneeapp.clinic.pictures import MAX_KEY_PICTURES, caption

logger = logging.getLogger(__name__)

#: At most this many pages, unless even the most compact layout needs more.
MAX_PAGES = 2
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
TOP_MARGIN = 13 * mm
FOOTER_HEIGHT = 17 * mm
BODY_BOTTOM = FOOTER_HEIGHT + 6 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
PICTURE_MAX_HEIGHT = 62 * mm
PICTURE_GAP = 4 * mm
#: A picture's column is at least this wide, so that its caption reads in a few lines.
CAPTION_MIN_WIDTH = 40 * mm
#: Pictures are re-encoded at most this many pixels on their long side (a small file).
PICTURE_MAX_PIXELS = 1000
#: The check-in history's pain chart: its height, and the room its legend takes on the right.
CHART_HEIGHT = 60 * mm
CHART_LEGEND_WIDTH = 42 * mm
#: More dates than this on the chart's axis are printed at a slant.
CHART_FLAT_DATES = 6
#: The history starts on a new page when less room than this is left (heading and two rows).
HISTORY_MIN_ROOM = 32 * mm

FONT = "KneeSans"
FONT_BOLD = "KneeSans-Bold"
FONT_ITALIC = "KneeSans-Italic"
INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#4d5560")
RULE = colors.HexColor("#d0d5da")
HEADER_FILL = colors.HexColor("#eef1f4")
#: The level band's colour, as on the web widget's printable summary.
LEVEL_COLOURS = {
    "emergency": colors.HexColor("#8e0f14"),
    "urgent": colors.HexColor("#9a3d00"),
    "clinician": colors.HexColor("#174ea6"),
    "self_care": colors.HexColor("#1b6b2e"),
}
#: The chart's two lines: pain at its worst (solid, dots) and on a normal day (dashed, squares),
#: told apart in grey print too.
WORST_PAIN_COLOUR = colors.HexColor("#9a3d00")
PAIN_NOW_COLOUR = colors.HexColor("#174ea6")


@dataclass(frozen=True)
class Layout:
    """How much goes onto the pages: tried fullest first until it fits two pages.

    Attributes:
        pictures: How many key pictures at most.
        picture_height: Their greatest height (points).
        measure_sources: Whether the video ranges' sources are listed.
        history_chart: Whether the check-in history's pain chart is drawn (its table is
            always printed).
    """

    pictures: int
    picture_height: float
    measure_sources: bool
    history_chart: bool = True


LAYOUTS = (
    Layout(MAX_KEY_PICTURES, PICTURE_MAX_HEIGHT, measure_sources=True),
    Layout(MAX_KEY_PICTURES, 42 * mm, measure_sources=False),
    Layout(2, 32 * mm, measure_sources=False),
    Layout(0, 0, measure_sources=False),
    Layout(0, 0, measure_sources=False, history_chart=False),
)


# --------------------------------------------------------------------------- fonts, styles


@lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    """Registers the font family once; returns the code points it can print."""
    folder = Path(reportlab.__file__).resolve().parent / "fonts"
    regular = TTFont(FONT, str(folder / "Vera.ttf"))
    for name, file in ((FONT_BOLD, "VeraBd.ttf"), (FONT_ITALIC, "VeraIt.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD)
    return frozenset(regular.face.charToGlyph)


def printable(text: str) -> str:
    """``text`` with every character the font lacks replaced (accent dropped, else "?")."""
    glyphs = _glyphs()
    out = []
    for char in text:
        if ord(char) in glyphs or char in "\n\t":
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) in glyphs
                       and not unicodedata.combining(c))
        out.append(base or "?")
    return "".join(out)


def _markup(text: str) -> str:
    """Plain text as Paragraph markup (escaped, printable)."""
    return escape(printable(text))


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    _glyphs()
    base = ParagraphStyle("body", fontName=FONT, fontSize=8.5, leading=11, textColor=INK,
                          bulletFontName=FONT, bulletFontSize=8.5)

    def style(name: str, **changes: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **changes)

    return {
        "body": base,
        "title": style("title", fontName=FONT_BOLD, fontSize=16, leading=19),
        "subtitle": style("subtitle", textColor=MUTED),
        "meta": style("meta", alignment=TA_RIGHT, textColor=MUTED),
        "heading": style("heading", fontName=FONT_BOLD, fontSize=10.5, leading=13,
                         spaceBefore=7, spaceAfter=3),
        "level": style("level", fontName=FONT_BOLD, fontSize=14, leading=17,
                       textColor=colors.white),
        "advice": style("advice", fontSize=9.5, leading=12.5, textColor=colors.white),
        "bullet": style("bullet", leftIndent=13, bulletIndent=1, spaceAfter=1.5),
        "cell": style("cell", fontSize=8, leading=10),
        "cell_label": style("cell_label", fontSize=8, leading=10, textColor=MUTED),
        "cell_head": style("cell_head", fontName=FONT_BOLD, fontSize=8, leading=10),
        "caption": style("caption", fontSize=7, leading=8.5, textColor=MUTED),
        "small": style("small", fontSize=7, leading=8.7, textColor=MUTED),
        "small_bullet": style("small_bullet", fontSize=7, leading=8.7, textColor=MUTED,
                              leftIndent=10, bulletIndent=1, bulletFontSize=7),
        "footer": style("footer", fontSize=6.8, leading=8.4, textColor=MUTED),
    }


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(_markup(text), _styles()[style])


def _heading(text: str) -> Paragraph:
    return _p(text, "heading")


def _table(rows: list[list[Any]], widths: Sequence[float], header: bool = False) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1 if header else 0)
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
    table.setStyle(TableStyle(commands))
    return table


# --------------------------------------------------------------------------- the parts


def _title_block(clinic_name: str, created_at: dt.datetime) -> Table:
    texts = sw.document_texts()
    meta = [f"{texts.date_label}: {created_at.date().isoformat()}"]
    if clinic_name.strip():
        meta.append(f"{texts.clinic_label}: {clinic_name.strip()}")
    left = [_p(texts.title, "title"), _p(texts.subtitle, "subtitle")]
    right = [_p(line, "meta") for line in meta]
    table = Table([[left, right]], colWidths=[CONTENT_WIDTH * 0.66, CONTENT_WIDTH * 0.34])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _level_band(summary: Mapping[str, Any]) -> Table:
    level = sw.level_words(summary)
    texts = sw.document_texts()
    cell = [_p(f"{texts.level_heading}: {level.label}", "level")]
    if level.advice:
        cell.append(_p(level.advice, "advice"))
    band = Table([[cell]], colWidths=[CONTENT_WIDTH])
    band.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), LEVEL_COLOURS.get(level.level, MUTED)),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
    ]))
    return band


def _reasons(summary: Mapping[str, Any]) -> list[Flowable]:
    texts = sw.document_texts()
    found = sw.reasons(summary)
    items: list[Flowable] = [Paragraph(_markup(reason), _styles()["bullet"],
                                       bulletText=f"{number}.")
                             for number, reason in enumerate(found, start=1)]
    return [_heading(texts.reasons_heading), *(items or [_p(texts.no_reasons)])]


def _answers(summary: Mapping[str, Any]) -> list[Flowable]:
    texts = sw.document_texts()
    rows = sw.summary_answer_rows(summary)
    half = (len(rows) + 1) // 2
    left, right = rows[:half], rows[half:]
    cells = []
    for index, row in enumerate(left):
        line = [_p(row.label, "cell_label"), _p(row.value, "cell")]
        other = right[index] if index < len(right) else None
        line += [_p(other.label, "cell_label"), _p(other.value, "cell")] if other else ["", ""]
        cells.append(line)
    if not cells:
        return []
    head = [_p(texts.answer_column, "cell_head"), _p(texts.value_column, "cell_head")] * 2
    widths = [CONTENT_WIDTH * share for share in (0.19, 0.31, 0.19, 0.31)]
    return [_heading(texts.answers_heading), _table([head, *cells], widths, header=True)]


def _plan(summary: Mapping[str, Any]) -> list[Flowable]:
    texts = sw.document_texts()
    rows = sw.plan_rows(summary)
    if not rows:
        return [_heading(texts.plan_heading), _p(texts.no_plan)]
    columns = texts.plan_columns
    head = [_p(columns.exercise, "cell_head"), _p(columns.dose, "cell_head"),
            _p(columns.why, "cell_head")]
    body = [[_p(f"{number}. {row.name}", "cell"), _p(row.dose, "cell"), _p(row.why, "cell")]
            for number, row in enumerate(rows, start=1)]
    widths = [CONTENT_WIDTH * share for share in (0.22, 0.30, 0.48)]
    return [KeepTogether([_heading(texts.plan_heading),
                          _table([head, *body], widths, header=True)])]


def _history(summary: Mapping[str, Any], chart: bool) -> list[Flowable]:
    """The check-in history: a table of every assessment and check-in, then the pain chart."""
    rows = sw.history_rows(summary)
    if not rows:
        return []
    texts = sw.words().history
    columns = texts.columns
    head = [_p(text, "cell_head") for text in (
        columns.date, columns.level, columns.pain_worst, columns.pain_now, columns.distance,
        columns.trend, columns.exercises)]
    body = [[[_p(row.date, "cell"), _p(row.kind, "cell_label")], _p(row.level, "cell"),
             _p(row.pain_worst, "cell"), _p(row.pain_now, "cell"), _p(row.distance, "cell"),
             _p(row.trend, "cell"), _p(row.exercises, "cell")] for row in rows]
    widths = [CONTENT_WIDTH * share for share in (0.12, 0.15, 0.10, 0.12, 0.19, 0.16, 0.16)]
    found: list[Flowable] = [  # the heading never alone at a page's foot; the table may
        CondPageBreak(HISTORY_MIN_ROOM),  # split, its head row repeated
        _heading(texts.heading), _p(texts.intro, "small"), Spacer(1, 2),
        _table([head, *body], widths, header=True)]
    drawing = _pain_chart(sw.pain_series(summary)) if chart else None
    if drawing is not None:
        found += [Spacer(1, 4), drawing]
    return found


def _pain_chart(series: sw.PainSeries) -> Drawing | None:
    """Pain at its worst and on a normal day (0–10) at each row, with labelled axes and a
    legend; None when no score is known. A series without any score is left out."""
    words = sw.words().history.chart
    lines = [(values, label, colour, marker, dash) for values, label, colour, marker, dash in (
        (series.worst, words.pain_worst, WORST_PAIN_COLOUR, "FilledCircle", None),
        (series.now, words.pain_now, PAIN_NOW_COLOUR, "FilledSquare", [3, 2]),
    ) if any(value is not None for value in values)]
    if not lines:
        return None
    _glyphs()
    drawing = Drawing(CONTENT_WIDTH, CHART_HEIGHT)
    chart = _line_chart(series.dates)
    chart.data = [list(values) for values, *_ in lines]
    for index, (_, _, colour, marker, dash) in enumerate(lines):
        chart.lines[index].strokeColor = colour
        chart.lines[index].strokeWidth = 1.4
        chart.lines[index].strokeDashArray = dash
        chart.lines[index].symbol = makeMarker(marker, size=4.5, fillColor=colour,
                                               strokeColor=colour)
    drawing.add(chart)
    drawing.add(String(chart.x, CHART_HEIGHT - 9, printable(words.title), fontName=FONT_BOLD,
                       fontSize=8, fillColor=INK))
    drawing.add(_axis_label(words.y_axis, 3 * mm, chart.y + chart.height / 2, angle=90))
    drawing.add(_axis_label(words.x_axis, chart.x + chart.width / 2, 2.5 * mm))
    drawing.add(_legend(chart, [label for _, label, *_ in lines],
                        chart.x + chart.width + 7 * mm, chart.y + chart.height))
    return drawing


def _line_chart(dates: Sequence[str]) -> HorizontalLineChart:
    """The chart's plot area and axes: 0 to 10 up, one date per row along."""
    chart = HorizontalLineChart()
    slanted = len(dates) > CHART_FLAT_DATES
    chart.x, chart.y = 16 * mm, (17 if slanted else 13) * mm
    chart.width = CONTENT_WIDTH - chart.x - CHART_LEGEND_WIDTH
    chart.height = CHART_HEIGHT - chart.y - 7 * mm
    chart.joinedLines = 1
    value_axis = chart.valueAxis
    value_axis.valueMin, value_axis.valueMax, value_axis.valueStep = 0, 10, 2
    value_axis.visibleGrid = True
    value_axis.gridStrokeColor = RULE
    value_axis.gridStrokeWidth = 0.4
    category_axis = chart.categoryAxis
    category_axis.categoryNames = [printable(date) for date in dates]
    if slanted:
        category_axis.labels.angle = 30
        category_axis.labels.boxAnchor = "ne"
    for axis in (value_axis, category_axis):
        axis.labels.fontName = FONT
        axis.labels.fontSize = 7
        axis.labels.fillColor = MUTED
        axis.strokeColor = MUTED
    return chart


def _axis_label(text: str, x: float, y: float, angle: float = 0) -> Label:
    label = Label()
    label.setOrigin(x, y)
    label.setText(printable(text))
    label.angle = angle
    label.boxAnchor = "c"
    label.fontName, label.fontSize, label.fillColor = FONT, 7.5, INK
    return label


def _legend(chart: HorizontalLineChart, labels: Sequence[str], x: float, y: float) -> Legend:
    """Each line's sample (its colour, dash and marker, drawn by the chart) and its name."""
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.colorNamePairs = [(Auto(obj=chart, index=index), printable(label))
                             for index, label in enumerate(labels)]
    legend.fontName, legend.fontSize = FONT, 7.5
    legend.dx, legend.dy, legend.deltay = 18, 6, 13
    legend.columnMaximum = len(labels)
    return legend


def _video(summary: Mapping[str, Any], pictures: Sequence[Path],
           picture_height: float) -> list[Flowable]:
    video = sw.video_block(summary)
    if video is None:
        return []
    texts = sw.document_texts()
    facts = " · ".join(f"{row.label}: {row.value}" for row in sw.video_facts(video))
    parts: list[Flowable] = [_heading(texts.video_heading)]
    if facts:
        parts.append(_p(facts))
        parts.append(Spacer(1, 3))
    rows = sw.measure_rows(video)
    if rows:
        columns = texts.measure_columns
        head = [_p(text, "cell_head") for text in (columns.measure, columns.value, columns.usual,
                                                   columns.reading, columns.confidence)]
        no_range = sw.words().video.no_usual_range
        body = [[_p(row.label, "cell"), _p(row.value, "cell"), _p(row.usual or no_range, "cell"),
                 _p(row.reading, "cell"), _p(row.confidence, "cell")] for row in rows]
        widths = [CONTENT_WIDTH * share for share in (0.30, 0.17, 0.21, 0.18, 0.14)]
        parts.append(_table([head, *body], widths, header=True))
    found: list[Flowable] = [KeepTogether(parts)]
    row = _picture_row(pictures, picture_height)
    if row is not None:
        found.append(Spacer(1, 5))
        found.append(KeepTogether([_p(texts.pictures_heading, "cell_head"), Spacer(1, 2), row]))
    return found


def _sources(summary: Mapping[str, Any], layout: Layout) -> list[Flowable]:
    texts = sw.document_texts()
    rows = sw.source_rows(summary if layout.measure_sources else _without_video(summary))
    if not rows:
        return []
    items = [Paragraph(f"<b>{_markup(row.topic)}</b>: {_markup(row.source)}",
                       _styles()["small_bullet"], bulletText="•") for row in rows]
    return [_heading(texts.sources_heading), _p(texts.sources_intro, "small"),
            Spacer(1, 2), *items]


def _without_video(summary: Mapping[str, Any]) -> dict[str, Any]:
    triage = {key: value for key, value in dict(summary.get("triage") or {}).items()
              if key != "video"}
    return {"triage": triage}


# --------------------------------------------------------------------------- pictures


def _picture_widths(aspects: Sequence[float], height: float, width: float) -> list[float]:
    """Each picture's width in a row: its natural width at ``height`` where the row has room,
    else a fair share of what is left, narrowest first (portrait keyframes keep their size,
    a wide plot takes the rest)."""
    widths = [0.0] * len(aspects)
    remaining = width - PICTURE_GAP * (len(aspects) - 1)
    order = sorted(range(len(aspects)), key=lambda index: aspects[index])
    for placed, index in enumerate(order):
        share = remaining / (len(order) - placed)
        widths[index] = min(aspects[index] * height, share)
        remaining -= widths[index]
    return widths


def _caption_columns(widths: Sequence[float]) -> list[float]:
    """Columns at least :data:`CAPTION_MIN_WIDTH` wide where the row has room for that."""
    columns = [max(width, CAPTION_MIN_WIDTH) for width in widths]
    fits = sum(columns) + PICTURE_GAP * (len(columns) - 1) <= CONTENT_WIDTH
    return columns if fits else list(widths)


def _read_picture(path: Path) -> PILImage.Image | None:
    """The picture as a small RGB image, or None when it cannot be read."""
    try:
        with PILImage.open(path) as opened:
            picture = opened.convert("RGB")
    except (OSError, ValueError, PILImage.DecompressionBombError):
        logger.warning("An analysis picture could not be read for the summary PDF")
        return None
    picture.thumbnail((PICTURE_MAX_PIXELS, PICTURE_MAX_PIXELS))
    return picture


def _image(picture: PILImage.Image, width: float) -> Image:
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=82)
    buffer.seek(0)
    return Image(buffer, width=width, height=width * picture.height / picture.width)


def _picture_row(pictures: Sequence[Path], height: float) -> Table | None:
    """The pictures side by side, scaled to fit the width, each with its caption."""
    found = [(path, image) for path in pictures
             if (image := _read_picture(path)) is not None]
    if not found:
        return None
    aspects = [image.width / image.height for _, image in found]
    widths = _picture_widths(aspects, height, CONTENT_WIDTH)
    cells = []
    for (path, image), width in zip(found, widths, strict=True):
        text = caption(path)
        picture = _image(image, width)
        cells.append([picture, _p(text, "caption")] if text else [picture])
    columns = _caption_columns(widths)
    column_widths = [width + PICTURE_GAP for width in columns[:-1]] + [columns[-1]]
    table = Table([cells], colWidths=column_widths)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), PICTURE_GAP),
                               ("RIGHTPADDING", (-1, 0), (-1, 0), 0)]))
    table.hAlign = "LEFT"
    return table


# --------------------------------------------------------------------------- pages


def _footer_painter() -> Callable[[Canvas, Any], None]:
    """Draws the disclaimer at the foot of every page."""
    texts = sw.document_texts()

    def paint(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, FOOTER_HEIGHT + 3 * mm, PAGE_WIDTH - MARGIN, FOOTER_HEIGHT + 3 * mm)
        note = _p(texts.disclaimer, "footer")
        _, height = note.wrap(CONTENT_WIDTH - 28 * mm, FOOTER_HEIGHT)
        note.drawOn(canvas, MARGIN, FOOTER_HEIGHT + 1.5 * mm - height)
        canvas.restoreState()

    return paint


def _numbered_canvas(page_text: str, counter: list[int]) -> type[Canvas]:
    """A canvas that writes "Page n of N" on each page once N is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            counter.append(len(self._pages))
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 7)
                self.setFillColor(MUTED)
                self.drawRightString(PAGE_WIDTH - MARGIN, FOOTER_HEIGHT - 8.5 * mm,
                                     printable(page_text.format(page=self._pageNumber,
                                                                pages=len(self._pages))))
                super().showPage()
            super().save()

    return NumberedCanvas


def _story(summary: Mapping[str, Any], pictures: Sequence[Path], clinic_name: str,
           created_at: dt.datetime, layout: Layout) -> list[Flowable]:
    return [
        _title_block(clinic_name, created_at),
        Spacer(1, 6),
        _level_band(summary),
        *_reasons(summary),
        *_history(summary, layout.history_chart),
        *_answers(summary),
        *_plan(summary),
        *_video(summary, list(pictures)[:layout.pictures], layout.picture_height),
        *_sources(summary, layout),
    ]


def _document(buffer: io.BytesIO, clinic_name: str) -> BaseDocTemplate:
    """An A4 document whose one frame spans exactly :data:`CONTENT_WIDTH`."""
    texts = sw.document_texts()
    frame = Frame(MARGIN, BODY_BOTTOM, CONTENT_WIDTH, PAGE_HEIGHT - TOP_MARGIN - BODY_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    doc = BaseDocTemplate(buffer, pagesize=A4, title=printable(texts.title),
                          author=printable(clinic_name.strip() or texts.subtitle), subject="",
                          creator="")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_footer_painter())])
    return doc


def _render(summary: Mapping[str, Any], pictures: Sequence[Path], clinic_name: str,
            created_at: dt.datetime, layout: Layout) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    pages: list[int] = []
    _document(buffer, clinic_name).build(
        _story(summary, pictures, clinic_name, created_at, layout),
        canvasmaker=_numbered_canvas(sw.document_texts().page, pages))
    return buffer.getvalue(), pages[-1]


def render_pdf(
    summary: Mapping[str, Any],
    images: Sequence[Path] = (),
    *,
    clinic_name: str = "",
    created_at: dt.datetime | None = None,
) -> bytes:
    """The clinic summary as a printable PDF (A4, one or two pages).

    Args:
        summary: The clinic summary, ``{"triage": {...}}`` (docs/clinic_summary.md).
        images: Key pictures of the video analysis (existing files, e.g. from
            :func:`kneeapp.clinic.pictures.summary_pictures`); at most three are printed,
            scaled to fit.
        clinic_name: The clinic named in the header, if any.
        created_at: When the assessment was made (default: now); only its date is printed.

    Returns:
        The PDF document's bytes.
    """
    when = created_at or dt.datetime.now(dt.timezone.utc)
    document, pages = b"", 0
    for layout in LAYOUTS:
        document, pages = _render(summary, images, clinic_name, when, layout)
        if pages <= MAX_PAGES:
            break
    return document
