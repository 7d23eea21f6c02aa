"""A printable PDF of a report (fpdf2): a title page with the parameters, rule set, checksum and
data time, then one table per page section. Built from the same presented tables as the
screen, XLSX and CSV (``presentation.present``), so a hidden value is hidden here too.

French, English and Arabic: text is shaped by HarfBuzz (uharfbuzz) and laid out by fpdf2's
bidirectional algorithm; in Arabic the page is mirrored (row labels on the right, text aligned
right). The font is IBM Plex Sans Arabic (Latin and Arabic glyphs), installed as the Python
package ``fontpkg-ibm-plex-sans-arabic``: nothing is read from the system, so a fresh machine
renders the same PDF.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode, WrapMode, XPos, YPos

from reports import exports

FONT = "plex"
PRIMARY = (11, 110, 105)  # the site's colour (static/css/tawjih.css)
MUTED = (90, 90, 90)


@cache
def font_files() -> dict[str, Path]:
    try:
        import fontpkg_ibm_plex_sans_arabic as package
    except ImportError as exc:  # pragma: no cover - an install step was skipped
        raise ImproperlyConfigured(
            "The PDF export needs the font package fontpkg-ibm-plex-sans-arabic "
            "(pip install fontpkg-ibm-plex-sans-arabic)."
        ) from exc
    files = package.ROOT / "files"
    return {
        "": files / "IBMPlexSansArabic-Regular.ttf",
        "B": files / "IBMPlexSansArabic-Bold.ttf",
    }


class ReportPDF(FPDF):
    def __init__(self, *, rtl: bool, footer_text: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.rtl = rtl
        self.footer_text = footer_text
        self.align = "R" if rtl else "L"
        for style, path in font_files().items():
            self.add_font(FONT, style, str(path))
        self.set_font(FONT, size=10)
        # HarfBuzz shapes Arabic (joined letter forms); direction is left to the
        # bidirectional algorithm so Latin codes inside Arabic text keep their order.
        self.set_text_shaping(use_shaping_engine=True)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        page = _("Page %(number)s") % {"number": self.page_no()}
        self.cell(0, 5, f"{self.footer_text} · {page}", align="C")
        self.set_text_color(0, 0, 0)

    def paragraph(self, text: str, *, size: float = 10, bold: bool = False, color=None, gap=2):
        self.set_font(FONT, "B" if bold else "", size=size)
        if color:
            self.set_text_color(*color)
        self.multi_cell(0, size * 0.5, text, align=self.align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(gap)

    def grid(self, header: list[str], rows: list[list[str]], *, widths: list[float], marks=None):
        """A bordered table; in Arabic its columns run right to left."""
        order = (lambda seq: list(reversed(seq))) if self.rtl else list
        first = "R" if self.rtl else "L"
        self.set_font(FONT, size=9)
        with self.table(
            col_widths=order(widths),
            headings_style=FontFace(emphasis="BOLD", fill_color=(232, 242, 241)),
            cell_fill_mode=TableCellFillMode.ROWS,
            cell_fill_color=(248, 248, 248),
            line_height=5,
            wrapmode=WrapMode.CHAR,
            text_align="CENTER",
        ) as table:
            for index, line in enumerate([header, *rows]):
                row = table.row()
                faded = marks[index - 1] if marks and index else [False] * len(line)
                cells = list(zip(line, faded, strict=True))
                for position, (text, hidden) in enumerate(order(cells)):
                    is_label = position == (len(line) - 1 if self.rtl else 0)
                    style = FontFace(color=MUTED) if hidden else None
                    row.cell(text, align=first if is_label else "R", style=style)
        self.ln(4)


def _rows_of(table: dict) -> tuple[list[str], list[list[str]], list[list[bool]]]:
    header = [table["row_header"], *table["columns"], _("Total")]
    blank = [False] * len(header)
    if table["kind"] == "median":
        return header, [[_("Days"), *table["median"]]], [blank]
    if table.get("empty"):
        return header, [[_("Nothing recorded in this period."), *[""] * (len(header) - 1)]], [blank]
    rows, marks = [], []
    lines = list(table["rows"])
    if table.get("show_totals", True):
        lines.append({"label": table.get("totals_label") or _("Total"), **table["totals"]})
    for line in lines:
        cells = [*line["cells"], line["total"]]
        rows.append([line["label"], *(c["text"] for c in cells)])
        marks.append([False, *(bool(c["flag"]) for c in cells)])
    return header, rows, marks


def _widths(columns: int) -> list[float]:
    """The row label takes a third of the page or more; figures share the rest."""
    label = 0.36 if columns >= 4 else 0.5
    return [label, *[(1 - label) / (columns - 1)] * (columns - 1)]


def to_pdf(report, tables: list[dict], *, cleared: bool) -> bytes:
    rtl = (get_language() or "fr").startswith("ar")
    start, end = report.parameters["start"], report.parameters["end"]
    if rtl:  # dates stay left to right inside Arabic text (Unicode isolates, UAX #9)
        start, end = f"\u2066{start}\u2069", f"\u2066{end}\u2069"
    title = _("Statistical report, %(start)s – %(end)s") % {"start": start, "end": end}
    # The footer's first letter sets its direction: Arabic first in an Arabic report.
    footer = f"{title} · Tawjih" if rtl else f"Tawjih · {title}"
    pdf = ReportPDF(rtl=rtl, footer_text=footer)
    pdf.set_title(title)
    pdf.set_author("Tawjih")
    pdf.set_creation_date(timezone.now())
    pdf.set_lang(get_language() or "fr")

    # Title page: what the report is, how it was made, and how small counts are protected.
    pdf.add_page()
    pdf.paragraph("Tawjih", size=12, color=PRIMARY, gap=1)
    pdf.paragraph(title, size=18, bold=True, gap=4)
    if cleared:
        pdf.paragraph(
            _("Unsuppressed figures: not for publication."), bold=True, color=(176, 42, 55)
        )
    pdf.grid(
        [_("Parameter"), _("Value")],
        [[label, str(value) or "–"] for label, value in exports.parameter_rows(report)],
        widths=[0.32, 0.68],
    )
    pdf.paragraph(_("Notes"), bold=True, gap=1)
    pdf.paragraph(exports._note(cleared, report), size=9)  # the XLSX's note
    pdf.paragraph(
        _("Printed on %(time)s.")
        % {"time": timezone.localtime().isoformat(sep=" ", timespec="minutes")},
        size=8,
        color=MUTED,
    )

    pdf.add_page()
    for table in tables:
        header, rows, marks = _rows_of(table)
        # Keep a table's title with its first rows.
        if pdf.get_y() > pdf.h - 60:
            pdf.add_page()
        pdf.paragraph(table["title"], size=11, bold=True, gap=1)
        if table.get("suppressed"):
            pdf.paragraph(
                _("Small counts hidden (k = %(k)s).") % {"k": table["k"]}, size=8, color=MUTED
            )
        for note in table.get("notes") or []:
            pdf.paragraph(str(note), size=8, color=MUTED)
        pdf.grid(header, rows, widths=_widths(len(header)), marks=marks)
    return bytes(pdf.output())
