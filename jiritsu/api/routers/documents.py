"""Attachments (添付書類) through the API: list, attach (multipart), metadata, download, delete.

The same access rules and services as the screens: a download is read under the rules of
the record the attachment belongs to and audited; a partner sees an attachment only where
the person's consent gives it the attachment's data category.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponse
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from jiritsu.api.common import (
    EARLIEST,
    ERRORS,
    LATEST,
    Id,
    InputSchema,
    acting,
    download,
    file_operation,
    person_ref,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.core import wareki
from jiritsu.core.errors import NotFound, ValidationFailed
from jiritsu.documents import services
from jiritsu.documents.access import (
    get_attachment_for_user,
    person_attachments,
    resolve_target,
    target_kind,
)
from jiritsu.documents.models import Attachment, DocumentType

router = Router()
# The file is checked by the operation (after the role), not by the schema: see AttachmentIn.
OPTIONAL_FILE = File(None)


class AttachmentOut(Schema):
    id: int
    person_id: int
    attached_to: str = Field(..., description="person / enrollment / record / consent / guidance_step")
    attached_to_id: int | None
    attached_to_label: str
    document_type: str
    document_type_label: str
    category: str
    document_date: dt.date
    note: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime

    # Read from the attachment: what it is attached to, and the document type's label.
    @staticmethod
    def resolve_attached_to(obj: Attachment) -> str:
        return target_kind(obj)

    @staticmethod
    def resolve_attached_to_id(obj: Attachment) -> int | None:
        kind = target_kind(obj)
        return None if kind == "person" else getattr(obj, f"{kind}_id")

    @staticmethod
    def resolve_attached_to_label(obj: Attachment) -> str:
        return obj.target_label

    @staticmethod
    def resolve_document_type_label(obj: Attachment) -> str:
        return str(obj.get_document_type_display())


class AttachmentListOut(Schema):
    results: list[AttachmentOut]


@router.get("/people/{person_id}/attachments", response=responses(AttachmentListOut),
            summary="世帯員の添付書類の一覧")
def attachment_list(request: ApiRequest, person_id: Id) -> dict[str, list[Attachment]]:
    m = acting(request, "person.view")
    person = person_ref(m, person_id)
    return {"results": list(person_attachments(m, person))}


class AttachmentIn(Schema):
    """The form fields of an upload (all checked by the service, so that a role without the
    action is answered 403 before the content is looked at)."""

    document_type: str = Field("", max_length=30, description="consent / medical_need_opinion / "
                               "doctor_opinion / condition_survey / resume / employment_contract / other")
    document_date: str = Field("", max_length=30, description="書類の日付（YYYY-MM-DD または和暦）")
    attached_to: str = Field("person", max_length=20,
                             description="person / enrollment / record / consent / guidance_step")
    attached_to_id: int | None = Field(None, ge=1, le=2_147_483_647)
    note: str = Field("", max_length=2000)


@router.post(
    "/people/{person_id}/attachments", response=responses(AttachmentOut, 201),
    summary="書類を添付（multipart/form-data: file, document_type, document_date, 任意で "
            "attached_to・attached_to_id・note。形式はファイルの中身で判定：PDF・JPEG・PNG）")
def attachment_create(request: ApiRequest, person_id: Id, meta: Form[AttachmentIn],
                      file: UploadedFile | None = OPTIONAL_FILE) -> tuple[int, Attachment]:
    m = acting(request, "person.view")
    person = person_ref(m, person_id)
    document_type, document_date, note = meta.document_type, meta.document_date, meta.note
    try:
        target = resolve_target(m, person, meta.attached_to, meta.attached_to_id)
    except Http404:
        raise NotFound(field="attached_to_id") from None
    if file is None:
        raise ValidationFailed("ファイルを指定してください。", field="file")
    if document_type not in DocumentType.values:
        raise ValidationFailed("書類の種類を指定してください。", field="document_type")
    try:
        day = wareki.parse_date(document_date)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="document_date") from None
    if not EARLIEST <= day <= LATEST:
        raise ValidationFailed("1900年1月1日から2100年12月31日までの日付を入力してください。",
                               field="document_date")
    data = services.read_upload(file, size=file.size)
    attachment = services.attachment_add(
        actor=m, person=person, target=target, data=data, original_name=file.name or "",
        document_type=document_type, document_date=day, note=note)
    return 201, attachment


@router.get("/attachments/{attachment_id}", response=responses(AttachmentOut),
            summary="添付書類の情報")
def attachment_detail(request: ApiRequest, attachment_id: Id) -> Attachment:
    m = acting(request, "person.view")
    return get_attachment_for_user(m, attachment_id)


@router.get("/attachments/{attachment_id}/content", response=dict(ERRORS),
            openapi_extra=file_operation("application/pdf", "image/jpeg", "image/png",
                                         description="添付されたファイル"),
            summary="添付書類のダウンロード（閲覧として監査ログに記録）")
def attachment_content(request: ApiRequest, attachment_id: Id) -> HttpResponse:
    m = acting(request, "person.view")
    attachment = get_attachment_for_user(m, attachment_id)
    data = services.attachment_read(actor=m, attachment=attachment)
    return download(data, attachment.original_name, attachment.content_type)


class DeleteIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000, description="削除の理由")


@router.post("/attachments/{attachment_id}/delete", response=responses(AttachmentOut),
             summary="添付書類の削除（理由を記録。ファイルは保存期間の満了後に消去）")
def attachment_delete(request: ApiRequest, attachment_id: Id, body: DeleteIn) -> Attachment:
    m = acting(request, "person.view")
    attachment = get_attachment_for_user(m, attachment_id, write=True)
    return services.attachment_delete(actor=m, attachment=attachment, reason=body.reason)
