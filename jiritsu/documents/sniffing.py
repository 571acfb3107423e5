"""What a file is, read from its bytes (never from its name or the browser's claim).

Accepted: PDF, JPEG, PNG. HEIC/HEIF (iPhone photos) is recognised and refused with a message
saying what to do: no trusted converter is installed (docs/forms.md, Attachments).
"""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from jiritsu.core.errors import ValidationFailed

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}


class UnsupportedFile(ValidationFailed):
    code = "attachment_type"


def sniff(data: bytes) -> str:
    """The content type of ``data``; refuses anything but an intact PDF, JPEG or PNG."""
    if not data:
        raise UnsupportedFile("ファイルが空です。", field="file")
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        raise UnsupportedFile(
            "HEIC形式（iPhone等の写真）は受け付けていません。端末の設定（カメラ→フォーマット→"
            "「互換性優先」）でJPEGにするか、JPEG・PDFに変換してから添付してください。",
            code="attachment_heic", field="file")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise UnsupportedFile("PDFファイルが途中で切れています（読み取れません）。", field="file")
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    else:
        raise UnsupportedFile(
            "添付できるのはPDF・JPEG・PNGのファイルです（ファイルの中身から判定しています）。",
            field="file")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnsupportedFile("画像ファイルが壊れているため読み取れません。", field="file") from exc
    return kind
