"""The red seal as officials know it (GA 241 practice for organisations' seals).

A round seal 42 mm across with a red rim; the organisation's name runs clockwise along the
upper arc, each character upright towards the rim; a five-pointed star sits in the centre;
the seal's purpose (合同专用章, 财务专用章 …), if it has one, runs straight below the star.
An organisation's official seal (公章) carries no purpose line.

Drawn as SVG in millimetres (the view box is the seal itself), with the papers' own fonts,
so every character is real text in the PDF. The name is one ``<text>`` whose characters are
each placed and turned about the centre (``x``/``y``/``rotate`` lists): WeasyPrint draws
``<textPath>`` as straight text.
"""

import base64
import functools
import math
import unicodedata

from django.utils.html import escape

DIAMETER_MM = 42.0
RIM_MM = 1.2  # the rim's stroke width
STAR_RADIUS_MM = 7.0  # star 14 mm across
RED = "#e60012"
INK = 0.85  # seal ink lets the black beneath show through, as on paper
FONTS = "Qiyue Song,Qiyue Rare"

_CENTRE = DIAMETER_MM / 2
_INNER = _CENTRE - RIM_MM  # the rim's inner edge, from the centre
_GAP = 1.0  # between the rim and the tops of the characters
_MAX_ARC_DEG = 250.0  # the name never runs lower than this span allows
_MIN_ARC_DEG = 150.0  # a short name is spread, as engravers do


def _name_font(count: int) -> float:
    """The name's character size: 6.5 mm for a short name, smaller for a long one so that
    its characters fit the arc without touching."""
    radius = _INNER - _GAP - 3.0  # about the middle of the characters
    arc = radius * math.radians(_MAX_ARC_DEG)
    return round(min(6.5, 0.86 * arc / max(count, 1)), 2)


def _star(cx: float, cy: float, radius: float) -> str:
    inner = radius * math.sin(math.radians(18)) / math.sin(math.radians(54))
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else inner
        angle = math.radians(-90 + 36 * i)
        points.append(f"{cx + r * math.cos(angle):.3f},{cy + r * math.sin(angle):.3f}")
    return f'<polygon points="{" ".join(points)}"/>'


def _advance(char: str) -> float:
    """A character's advance in em: 1 for the full-width characters names are written in,
    ½ for the rare half-width one (a Latin letter or digit, about that wide in the Song)."""
    return 1.0 if unicodedata.east_asian_width(char) in "FWA" else 0.5


def _name_arc(name: str) -> str:
    """One ``<text>`` placing each character of the name (``x``, ``y`` and ``rotate`` lists):
    character ``i`` stands on the top of the circle, centred, turned about the seal's centre
    by its angle. WeasyPrint lays out and draws a text node's characters one by one either
    way, but a node each cost as much again in set-up: 23 ms a seal against 9."""
    chars = list(name)
    count = len(chars)
    size = _name_font(count)
    baseline = _INNER - _GAP - 0.88 * size  # the characters' ascent reaches under the rim
    mid_radius = baseline + size / 2
    step = math.degrees(1.08 * size / mid_radius)
    span = min(_MAX_ARC_DEG, max(_MIN_ARC_DEG, step * count)) if count > 1 else 0
    spacing = span / (count - 1) if count > 1 else 0
    xs, ys, angles = [], [], []
    for i, char in enumerate(chars):
        angle = -span / 2 + i * spacing
        turn = math.radians(angle)
        # The character's origin at the top, half its advance left of the centre line, turned.
        dx, dy = -_advance(char) * size / 2, -baseline
        xs.append(_CENTRE + dx * math.cos(turn) - dy * math.sin(turn))
        ys.append(_CENTRE + dx * math.sin(turn) + dy * math.cos(turn))
        angles.append(angle)
    return (
        f'<text x="{" ".join(f"{x:.3f}" for x in xs)}" y="{" ".join(f"{y:.3f}" for y in ys)}" '
        f'rotate="{" ".join(f"{a:.2f}" for a in angles)}" font-size="{size}">'
        f"{escape(name)}</text>"
    )


def _purpose_line(purpose: str) -> str:
    if not purpose:
        return ""
    size = 4.2 if len(purpose) <= 6 else 3.6
    return (
        f'<text x="{_CENTRE}" y="{_CENTRE + STAR_RADIUS_MM + 1.6 + size:.2f}" font-size="{size}" '
        f'text-anchor="middle">{escape(purpose)}</text>'
    )


def seal_svg(name: str, purpose: str = "") -> str:
    """The seal of organisation ``name``, with ``purpose`` (e.g. 合同专用章) below the star."""
    radius = _CENTRE - RIM_MM / 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="seal-mark" width="{DIAMETER_MM:g}mm" '
        f'height="{DIAMETER_MM:g}mm" viewBox="0 0 {DIAMETER_MM:g} {DIAMETER_MM:g}">'
        f'<circle cx="{_CENTRE}" cy="{_CENTRE}" r="{radius}" fill="none" stroke="{RED}" '
        f'stroke-width="{RIM_MM}" stroke-opacity="{INK}"/>'
        f'<g font-family="{FONTS}" fill="{RED}" fill-opacity="{INK}">'
        f"{_name_arc(name)}{_purpose_line(purpose)}"
        f"{_star(_CENTRE, _CENTRE, STAR_RADIUS_MM)}</g>"
        "</svg>"
    )


@functools.lru_cache(maxsize=256)
def seal_image(name: str, purpose: str = "") -> str:
    """The seal as an ``<img>`` of its SVG, for a paper: every paper an organisation seals
    names the same image, which WeasyPrint then parses once per process (its image cache)
    instead of once per paper as an inline ``<svg>``: 7 ms of a household agreement's 110."""
    data = base64.b64encode(seal_svg(name, purpose).encode()).decode()
    return f'<img class="seal-mark" src="data:image/svg+xml;base64,{data}" alt="">'
