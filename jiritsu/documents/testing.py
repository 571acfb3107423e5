"""Small files for attachment tests (made here, nothing downloaded)."""

from __future__ import annotations

import io
import time

from PIL import Image


def png_bytes(color: str = "#336699", size: tuple[int, int] = (60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(color: str = "#993333") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), color).save(out, "JPEG")
    return out.getvalue()


def pdf_bytes(color: str = "#228833") -> bytes:
    """A one-page PDF (Pillow writes it: an image on an A4-ish page)."""
    out = io.BytesIO()
    # Fixed dates: the same call gives the same bytes (tests compare downloads with them).
    moment = time.gmtime(1_775_000_000)
    Image.new("RGB", (210, 297), color).save(out, "PDF", resolution=25.4, creationDate=moment,
                                             modDate=moment)
    return out.getvalue()


# An HEIC file's first bytes (ISO base media: ftyp box, brand heic) — enough to be recognised.
HEIC_HEAD = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
