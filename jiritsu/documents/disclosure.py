"""The person's attachments in their 開示 export: a section listing every attachment (deleted
ones too, with the reason) and, in the zip, the files still kept."""

from __future__ import annotations

from jiritsu.core import clock, wareki
from jiritsu.documents.models import Attachment
from jiritsu.documents.sniffing import EXTENSIONS
from jiritsu.documents.storage import attachment_storage
from jiritsu.people.models import Person
from jiritsu.reports.disclosure import Section

DISCLOSURE_MODELS = (Attachment,)


def _rows(person: Person) -> list[Attachment]:
    return list(Attachment.objects.filter(person=person).select_related(
        "enrollment", "enrollment__program", "record", "consent", "guidance_step", "uploaded_by",
        "deleted_by").order_by("document_date", "id"))


def _file_name(a: Attachment) -> str:
    return f"添付書類/{a.pk:06d}_{a.get_document_type_display()}.{EXTENSIONS[a.content_type]}"


def disclosure_sections(person: Person) -> list[Section]:
    rows = []
    for a in _rows(person):
        kept = a.purged_at is None
        rows.append({
            "書類の種類": a.get_document_type_display(), "書類の日付": wareki.format_wareki(a.document_date),
            "添付先": a.target_label, "備考": a.note, "元のファイル名": a.original_name,
            "形式": a.get_content_type_display(), "大きさ（バイト）": a.size, "SHA-256": a.sha256,
            "登録者": str(a.uploaded_by), "登録日時": a.uploaded_at,
            "削除": (f"{wareki.format_wareki(clock.japan_date(a.deleted_at))} {a.deleted_reason}"
                     if a.deleted_at else ""),
            "ファイル": _file_name(a) if kept else "（保存期間満了により消去済み）",
        })
    if not rows:
        return []
    return [Section("attachments", "添付書類", rows,
                    note="ファイルそのものは ZIP の「添付書類」フォルダーに入っています。")]


def disclosure_files(person: Person) -> dict[str, bytes]:
    storage = attachment_storage()
    files: dict[str, bytes] = {}
    for a in _rows(person):
        if a.purged_at is None and storage.exists(a.storage_name):
            with storage.open(a.storage_name, "rb") as f:
                files[_file_name(a)] = f.read()
    return files
