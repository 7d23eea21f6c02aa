"""Printable papers (fpdf2) with the reports' Arabic shaping: HarfBuzz (uharfbuzz) shapes
the letters, fpdf2's bidirectional algorithm orders them, and in Arabic the page is mirrored
(text aligned right, label columns on the right). Same font as ``reports.pdf`` (IBM Plex Sans
Arabic from the ``fontpkg-ibm-plex-sans-arabic`` package), read from that package: nothing
from the system, so every machine prints the same paper.

``reports.pdf.ReportPDF`` predates this module and holds the same setup; it can become a
subclass of ``PaperPDF`` (left to the reports app's owner to avoid a merge conflict).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import get_language
from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode, WrapMode, XPos, YPos

FONT = "plex"
PRIMARY = (11, 110, 105)  # the site's colour (static/css/tawjih.css)
MUTED = (90, 90, 90)
LRI, PDI = "\u2066", "\u2069"  # left-to-right isolate: codes and dates inside Arabic text


@cache
def font_files() -> dict[str, Path]:
    try:
        import fontpkg_ibm_plex_sans_arabic as package
    except ImportError as exc:  # pragma: no cover - an install step was skipped
        raise ImproperlyConfigured(
            "Printable papers need the font package fontpkg-ibm-plex-sans-arabic."
        ) from exc
    files = package.ROOT / "files"
    return {
        "": files / "IBMPlexSansArabic-Regular.ttf",
        "B": files / "IBMPlexSansArabic-Bold.ttf",
    }


def is_rtl(language: str | None = None) -> bool:
    return (language or get_language() or "fr").startswith("ar")


def ltr(text, rtl: bool) -> str:
    """A code, date or phone number kept left to right inside Arabic text (UAX #9)."""
    text = str(text)
    return f"{LRI}{text}{PDI}" if rtl and text else text


def day(value, rtl: bool) -> str:
    """A date in the active language's short format, kept left to right. Django's Arabic
    format carries right-to-left marks between its parts (``d\u200f/m\u200f/Y``), which
    would print the year first: they are removed and the date isolated instead."""
    from django.utils.formats import date_format

    if not value:
        return "–"
    if hasattr(value, "date") and callable(value.date):
        value = timezone.localtime(value).date()
    text = date_format(value, "SHORT_DATE_FORMAT").replace("\u200f", "").replace("\u200e", "")
    return ltr(text, rtl)


class PaperPDF(FPDF):
    """An A4 page in the active language, with a footer line and simple building blocks."""

    def __init__(self, *, title: str, footer_text: str = ""):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        language = get_language() or "fr"
        self.rtl = is_rtl(language)
        self.align = "R" if self.rtl else "L"
        self.footer_text = footer_text or title
        for style, path in font_files().items():
            self.add_font(FONT, style, str(path))
        self.set_font(FONT, size=10)
        self.set_text_shaping(use_shaping_engine=True)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)
        self.set_title(title)
        self.set_author("Tawjih")
        self.set_creation_date(timezone.now())
        self.set_lang(language)

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.footer_text, align="C")
        self.set_text_color(0, 0, 0)

    def paragraph(self, text: str, *, size: float = 10, bold: bool = False, color=None, gap=2):
        self.set_font(FONT, "B" if bold else "", size=size)
        if color:
            self.set_text_color(*color)
        self.multi_cell(0, size * 0.5, text, align=self.align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(gap)

    def heading(self, text: str, *, size: float = 12):
        self.paragraph(text, size=size, bold=True, color=PRIMARY, gap=1)

    def grid(self, header: list[str] | None, rows: list[list[str]], *, widths: list[float]):
        """A bordered table; in Arabic its columns run right to left."""
        order = (lambda seq: list(reversed(seq))) if self.rtl else list
        align = "RIGHT" if self.rtl else "LEFT"
        self.set_font(FONT, size=9)
        with self.table(
            col_widths=order(widths),
            first_row_as_headings=header is not None,
            headings_style=FontFace(emphasis="BOLD", fill_color=(232, 242, 241)),
            cell_fill_mode=TableCellFillMode.ROWS,
            cell_fill_color=(248, 248, 248),
            line_height=5,
            wrapmode=WrapMode.CHAR,
            text_align=align,
        ) as table:
            for line in ([header] if header else []) + rows:
                row = table.row()
                for text in order([str(cell) for cell in line]):
                    row.cell(text)
        self.ln(3)

    def pairs(self, rows: list[tuple[str, str]], *, label_width: float = 0.35):
        """Label / value lines (a definition list)."""
        self.grid(None, [[label, value or "–"] for label, value in rows],
                  widths=[label_width, 1 - label_width])  # fmt: skip

    def bytes(self) -> bytes:
        return bytes(self.output())
