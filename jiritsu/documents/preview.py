"""Thumbnails and first-page previews of attachments (Pillow; pdftoppm for a PDF's first page)."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from jiritsu.documents.models import Attachment
from jiritsu.documents.storage import attachment_storage

WIDTH = 240


def _image_thumbnail(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (WIDTH * 2, WIDTH * 2))
        picture = image.convert("RGB")
        picture.thumbnail((WIDTH, WIDTH * 2))
        out = io.BytesIO()
        picture.save(out, "PNG")
        return out.getvalue()


def pdf_first_page_png(data: bytes, *, width: int = WIDTH) -> bytes:
    """The first page of a PDF as PNG, drawn by poppler's pdftoppm (no network, 30 s at most)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(data)
        subprocess.run(["pdftoppm", "-png", "-f", "1", "-l", "1", "-singlefile",
                        "-scale-to-x", str(width), "-scale-to-y", "-1", str(src),
                        str(Path(tmp) / "page")], check=True, capture_output=True, timeout=30)
        return (Path(tmp) / "page.png").read_bytes()


def thumbnail(attachment: Attachment) -> bytes | None:
    """A small PNG of the attachment, or None when it cannot be drawn (shown as an icon)."""
    try:
        with attachment_storage().open(attachment.storage_name, "rb") as f:
            data = f.read()
        if attachment.is_image:
            return _image_thumbnail(data)
        return pdf_first_page_png(data)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
