"""The retention screen's forms: the office's periods per kind, and a deletion request."""

from __future__ import annotations

from typing import Any

from django import forms

from jiritsu.offices.services import RECORD_RETENTION_YEARS
from jiritsu.retention.kinds import KINDS


class PeriodsForm(forms.Form):
    """One number of years per kind (1–100, the services check again)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        low, high = RECORD_RETENTION_YEARS
        for code, kind in KINDS.items():
            self.fields[code] = forms.IntegerField(
                label=f"{kind.label}（年）", min_value=low, max_value=high,
                help_text=f"{kind.start}数えます。初期値 {kind.default_years}年",
                error_messages={"invalid": "数字で入力してください。",
                                "required": "保存年限を入力してください。",
                                "min_value": f"{low}年から{high}年の間で入力してください。",
                                "max_value": f"{low}年から{high}年の間で入力してください。"},
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class RequestForm(forms.Form):
    note = forms.CharField(label="起案の理由・確認したこと", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"max_length": "2000文字以内で入力してください。"})
