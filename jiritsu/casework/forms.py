"""Forms of the caseworker's day (Japanese labels; dates accept 和暦 and ISO)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from jiritsu.cases.models import ActivityRecord
from jiritsu.casework.models import Confirmation
from jiritsu.core import clock
from jiritsu.core.forms import JapaneseDateField


class PlanForm(forms.Form):
    household = forms.IntegerField(widget=forms.HiddenInput)
    planned_on = JapaneseDateField(label="訪問予定日")
    note = forms.CharField(label="メモ", required=False, max_length=200)


class VisitRecordForm(forms.Form):
    """The visit's 経過記録: 家庭訪問 about the household's head."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    occurred_on = JapaneseDateField(label="訪問日")
    occurred_time = forms.TimeField(label="時刻", required=False,
                                    widget=forms.TimeInput(attrs={"type": "time"}),
                                    help_text="空欄なら「時刻なし」として記録します。")
    duration_minutes = forms.IntegerField(label="所要時間（分）", required=False, min_value=1,
                                          max_value=1440)
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 6}))

    def values(self) -> dict[str, Any]:
        cd = self.cleaned_data
        when: dt.date = cd["occurred_on"]
        if cd.get("occurred_time") is not None:
            when = dt.datetime.combine(when, cd["occurred_time"], tzinfo=clock.JAPAN)
        return {"occurred_at": when, "text": cd["text"],
                "duration_minutes": cd.get("duration_minutes")}


class ConfirmForm(forms.Form):
    outcome = forms.ChoiceField(label="結果", choices=Confirmation.Outcome.choices,
                                widget=forms.RadioSelect, initial=Confirmation.Outcome.CONFIRMED)
    comment = forms.CharField(label="コメント", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="追記依頼のときは依頼する内容を書いてください。")


class SettingsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    event_visit_days = forms.IntegerField(label="出来事の後の訪問期限（日）", min_value=1,
                                          max_value=90,
                                          help_text="プログラム開始・退院・成果の記録から何日以内に訪問するか")
    confirm_kinds = forms.MultipleChoiceField(label="供覧する記録の種別", required=False,
                                              choices=ActivityRecord.Kind.choices,
                                              widget=forms.CheckboxSelectMultiple)
    confirm_from = JapaneseDateField(label="供覧の開始日", required=False,
                                     help_text="空欄なら事務所の利用開始日から")
    digest_enabled = forms.BooleanField(label="朝のお知らせメールを送る", required=False)
    digest_base_url = forms.CharField(label="メールに載せるURLの先頭", required=False,
                                      max_length=200)


class SaveFilterForm(forms.Form):
    name = forms.CharField(label="名前", max_length=50)
