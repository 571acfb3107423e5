"""Screen forms for attachments."""

from __future__ import annotations

from typing import Any

from django import forms

from jiritsu.core.forms import JapaneseDateField, form_field
from jiritsu.documents.models import DocumentType


class AttachmentForm(forms.Form):
    target = forms.ChoiceField(label="添付先")
    document_type = forms.ChoiceField(label="書類の種類", choices=DocumentType.choices)
    document_date = JapaneseDateField(label="書類の日付")
    note = forms.CharField(label="備考", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label="ファイル（PDF・JPEG・PNG）")

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "target", forms.ChoiceField).choices = targets


class DeleteForm(forms.Form):
    reason = forms.CharField(label="削除の理由", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
