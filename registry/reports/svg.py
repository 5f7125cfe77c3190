"""The coverage heatmap as a standalone SVG: providers down, recipients across.

Each cell is shaded by how many agreements in force cover the pair and carries a <title>
(the browser's tooltip) naming them, their purposes and data categories.
"""

from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr

from registry.reports.base import Meta

CELL = 34
CHAR = 7.5  # average width of a 12px character, to size the label margins
FONT = "font-family='Arial, Helvetica, sans-serif'"
SHADES = ("#fde0dd", "#c7e9c0", "#74c476", "#238b45")
LEGEND = ("no agreement in force", "1 agreement", "2 agreements", "3 or more")
SELF, OUTSIDE = "#b1b4b6", "#ffffff"


def write_svg(rows: Iterable[dict], meta: Meta) -> Iterator[bytes]:
    cells, names = {}, {}
    for row in rows:
        cells[row["provider"], row["recipient"]] = row
        names[row["provider"]], names[row["recipient"]] = (
            row["provider_name"],
            row["recipient_name"],
        )
    yield _svg(meta, sorted(names), names, cells).encode("utf-8")


def _svg(meta: Meta, codes: list[str], names: dict, cells: dict) -> str:
    margin = int(max((len(code) for code in codes), default=4) * CHAR) + 24
    left, top = margin + 20, margin + 70
    width = max(left + CELL * len(codes) + 20, 660)
    height = top + CELL * len(codes) + 90
    parts = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' {FONT} font-size='12'>",
        f"<title>{escape(meta.report.title)}</title>",
        f"<rect width='{width}' height='{height}' fill='#ffffff'/>",
        f"<text x='10' y='22' font-size='16' font-weight='bold'>{escape(meta.report.title)}</text>",
        f"<text x='10' y='40'>{escape(_subtitle(meta))}</text>",
        "<text x='10' y='56' fill='#505a5f'>Rows: provider. Columns: recipient.</text>",
    ]
    for index, code in enumerate(codes):
        parts += _labels(index, code, names[code], left, top)
        for column, recipient in enumerate(codes):
            parts.append(_cell(code, recipient, cells, left + column * CELL, top + index * CELL))
    parts += _legend(top + CELL * len(codes) + 24)
    parts.append("</svg>")
    return "\n".join(parts)


def _subtitle(meta: Meta) -> str:
    filters = ", ".join(f"{k} = {v}" for k, v in meta.filters.items()) or "none"
    when = f"{meta.generated_at:%Y-%m-%d %H:%M} UTC"
    return f"In force on the day generated, {when}, by {meta.generated_by}; filters: {filters}"


def _labels(index: int, code: str, name: str, left: int, top: int) -> list[str]:
    tip = f"<title>{escape(f'{code}: {name}')}</title>"
    y = top + index * CELL + CELL // 2 + 4
    x = left + index * CELL + CELL // 2 + 4
    return [
        f"<text x='{left - 6}' y='{y}' text-anchor='end'>{escape(code)}{tip}</text>",
        f"<text x='{x}' y='{top - 6}' transform='rotate(-90 {x} {top - 6})'>"
        f"{escape(code)}{tip}</text>",
    ]


def _cell(provider: str, recipient: str, cells: dict, x: int, y: int) -> str:
    row = cells.get((provider, recipient))
    if provider == recipient:
        fill, label, tip = SELF, "", f"{provider}: the same agency"
    elif row is None:
        fill, label, tip = OUTSIDE, "", f"{provider} → {recipient}: outside this report's scope"
    else:
        count = row["agreement_count"]
        fill, label, tip = SHADES[min(count, 3)], str(count), _tip(row)
    ink = "#ffffff" if fill == SHADES[3] else "#0b0c0c"
    return (
        f"<g><title>{escape(tip)}</title>"
        f"<rect x='{x}' y='{y}' width='{CELL}' height='{CELL}' fill='{fill}' stroke='#505a5f'/>"
        f"<text x='{x + CELL // 2}' y='{y + CELL // 2 + 4}' text-anchor='middle' "
        f"fill={quoteattr(ink)}>{label}</text></g>"
    )


def _tip(row: dict) -> str:
    head = f"{row['provider']} → {row['recipient']}: {row['agreement_count']} in force"
    if not row["agreements"]:
        return f"{head}. Not covered by any agreement in force."
    return (
        f"{head} ({', '.join(row['agreements'])}). "
        f"Purposes: {', '.join(row['purposes'])}. "
        f"Data categories: {', '.join(row['data_categories'])}."
    )


def _legend(y: int) -> list[str]:
    parts = [f"<text x='10' y='{y}' font-weight='bold'>Agreements in force</text>"]
    for index, (shade, text) in enumerate(zip(SHADES, LEGEND, strict=True)):
        x = 10 + index * 160
        parts.append(
            f"<rect x='{x}' y='{y + 10}' width='16' height='16' fill='{shade}' stroke='#505a5f'/>"
            f"<text x='{x + 22}' y='{y + 23}'>{escape(text)}</text>"
        )
    return parts
