"""The merge, unmerge and 別人と確認 forms (the services decide; the forms only carry input)."""

from __future__ import annotations

from django import forms


class MergeForm(forms.Form):
    keep = forms.ChoiceField(label="残す記録", choices=[("first", "左の記録"), ("second", "右の記録")],
                             widget=forms.RadioSelect, initial="first")
    reason = forms.CharField(label="統合の理由", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "統合の理由を入力してください。"},
                             help_text="例：廃止後の再申請で新しいケース番号で登録されていたため")


class UnmergeForm(forms.Form):
    reason = forms.CharField(label="取消しの理由", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "取消しの理由を入力してください。"})


class DismissForm(forms.Form):
    note = forms.CharField(label="確認の内容", max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="例：家族構成と以前の住所を確認し、別人と判断")
