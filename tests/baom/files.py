"""Real and hostile files for upload tests, made here (no fixtures on disk)."""

from __future__ import annotations

import io

from fpdf import FPDF
from PIL import Image


def png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def jpeg(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 30, 200)).save(out, "JPEG")
    return out.getvalue()


def pdf(text: str = "Carte de séjour") -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(0, 10, text.encode("latin-1", "replace").decode("latin-1"))
    return bytes(document.output())


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"
PDF_HEADER_ONLY = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG_HEADER_ONLY = b"\x89PNG\r\n\x1a\n" + b"<script>alert(1)</script>" * 4
