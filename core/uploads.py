"""Checking an uploaded file by its content, never by its name or the browser's type.

``check_document(upload, allowed=..., max_bytes=...)`` reads the first bytes (the format's
signature, as ``projects`` does for proposal attachments) and then really parses the file:
Pillow decodes the image header and verifies its structure, pypdf reads the PDF's cross
reference table and counts its pages. A file that only starts like a PDF, an HTML page renamed
``.png`` or a PNG renamed ``.pdf`` is refused with a message naming the file. Nothing is
written anywhere: the caller stores the file only after this returned.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
}
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg"}
NAMED = {"pdf": "pdf", "png": "png", "jpg": "jpeg", "jpeg": "jpeg"}
# Decoding a 20,000 x 20,000 image would need gigabytes: refuse such dimensions outright.
MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # "pdf", "png" or "jpeg"
    content_type: str
    extension: str
    name: str  # the original name, without any directory, at most 200 characters
    size: int


def _sniff(head: bytes) -> str | None:
    for kind, signatures in SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return kind
    return None


def _parses(kind: str, data: bytes) -> bool:
    if kind == "pdf":
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            return len(reader.pages) > 0
        except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
            return False
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != {"png": "PNG", "jpeg": "JPEG"}[kind]:
                return False
            if image.width * image.height > MAX_PIXELS:
                return False
            image.verify()
        return True
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return False


def check_document(upload, *, allowed=("pdf", "png", "jpeg"), max_bytes: int) -> CheckedFile:
    """The file's real type, or ``ValidationError`` (code ``too_large``, ``empty``,
    ``wrong_type``, ``disguised`` or ``not_real``) with a message in the active language."""
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    name = name or "document"
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("%(name)s is larger than %(size)s MB.")
            % {"name": name, "size": max_bytes // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    kind = _sniff(data[:16])
    if kind not in allowed:
        raise ValidationError(
            _("%(name)s: only PDF, JPEG or PNG files are accepted.") % {"name": name},
            code="wrong_type",
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if NAMED.get(extension) != kind:
        # A real file under another type's name: refused, so what the agent sees in the list
        # is what the file is.
        raise ValidationError(
            _("%(name)s: its name says %(claimed)s but the content is %(type)s.")
            % {"name": name, "claimed": extension.upper() or "?", "type": kind.upper()},
            code="disguised",
        )
    if not _parses(kind, data):
        raise ValidationError(
            _("%(name)s: the content is not a readable %(type)s file.")
            % {"name": name, "type": kind.upper()},
            code="not_real",
        )
    return CheckedFile(kind, CONTENT_TYPES[kind], EXTENSIONS[kind], name, size)
