"""Forms for office administration (offices and their settings, staff accounts, partner
organisations). They only shape the input; the services check it (one rule, one place)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from jiritsu.core.forms import form_field
from jiritsu.offices.models import Membership, Office, PartnerOrganisation


class _OfficeForm(forms.Form):
    required_css_class = "required"

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "partner" in self.fields:
            form_field(self, "partner", forms.ModelChoiceField).queryset = PartnerOrganisation.objects.filter(
                office=office, is_active=True)


class StaffCreateForm(_OfficeForm):
    username = forms.CharField(label="ユーザー名", max_length=150)
    display_name = forms.CharField(label="氏名", max_length=100)
    password = forms.CharField(label="初期パスワード", widget=forms.PasswordInput(render_value=False),
                               help_text="10文字以上。本人に伝え、初回ログイン後に変更してもらってください。")
    role = forms.ChoiceField(label="役割", choices=Membership.Role.choices)
    profession = forms.ChoiceField(label="職種（支援員のとき）", required=False,
                                   choices=[("", "―"), *Membership.Profession.choices])
    partner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="所属する関係機関（関係機関職員のとき）", queryset=None,
                                     required=False, empty_label="―")


class MembershipForm(_OfficeForm):
    display_name = forms.CharField(label="氏名", max_length=100)
    role = forms.ChoiceField(label="役割", choices=Membership.Role.choices)
    profession = forms.ChoiceField(label="職種（支援員のとき）", required=False,
                                   choices=[("", "―"), *Membership.Profession.choices])
    partner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="所属する関係機関（関係機関職員のとき）", queryset=None,
                                     required=False, empty_label="―")
    is_active = forms.BooleanField(label="有効（チェックを外すとログインしても何も見えません）", required=False)
    password = forms.CharField(label="新しいパスワード", required=False,
                               widget=forms.PasswordInput(render_value=False),
                               help_text="変更するときだけ入力してください。")


class PartnerForm(forms.Form):
    required_css_class = "required"

    kind = forms.ChoiceField(label="種別", choices=PartnerOrganisation.Kind.choices)
    name = forms.CharField(label="名称", max_length=200)
    operator = forms.CharField(label="事業実施者", max_length=200, required=False)
    areas = forms.CharField(label="担当圏域", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="担当する地区・市町村を1行に1つ、または「、」区切りで。")
    capacity = forms.IntegerField(label="定員", min_value=0, required=False)
    address = forms.CharField(label="所在地", max_length=200, required=False)
    phone = forms.CharField(label="電話", max_length=30, required=False)
    is_active = forms.BooleanField(label="有効", required=False, initial=True)

    def clean_areas(self) -> list[str]:
        raw: str = self.cleaned_data.get("areas") or ""
        for sep in ("、", ",", "，"):
            raw = raw.replace(sep, "\n")
        return [a.strip() for a in raw.splitlines() if a.strip()]

    @classmethod
    def initial_for(cls, partner: PartnerOrganisation) -> dict[str, Any]:
        data = {f: getattr(partner, f) for f in cls.base_fields}
        data["areas"] = "\n".join(partner.areas or [])
        return data


def _office_field(name: str) -> forms.Field:
    """A form field with the Office model's label and help text (no model validation: the
    service checks the value)."""
    model_field = Office._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    field = model_field.formfield()
    assert field is not None
    field.validators = []
    return field


class OfficeSettingsForm(forms.Form):
    """An office's own settings (its system administrator, or the installation administrator)."""

    required_css_class = "required"
    FIELDS: tuple[str, ...] = ("name", "head_title", "head_name", "document_number_format",
              "record_retention_years", "log_retention_days", "long_stay_months",
              "survey_period_ends")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.FIELDS:
            self.fields[name] = _office_field(name)
        self.fields["head_name"].help_text = "通知書などの差出人に印字します。"
        if "survey_period_ends" in self.fields:
            self.fields["survey_period_ends"] = forms.CharField(
                label="病状調査等の期限（月日）", required=False, max_length=10,
                help_text=Office._meta.get_field("survey_period_ends").help_text,
                widget=forms.TextInput(attrs={"placeholder": "例: 11月30日"}))
        self.order_fields(self.FIELDS)

    @classmethod
    def initial_for(cls, office: Office) -> dict[str, Any]:
        initial = {name: getattr(office, name) for name in cls.FIELDS}
        if office.survey_period_ends:
            month, day = (int(x) for x in office.survey_period_ends.split("-"))
            initial["survey_period_ends"] = f"{month}月{day}日"
        return initial


class OfficeForm(OfficeSettingsForm):
    """Every setting of an office, including what identifies it (installation administrator)."""

    FIELDS: tuple[str, ...] = ("code", "name", "municipality", "kind", *OfficeSettingsForm.FIELDS[1:])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = "半角の英数字・「-」・「_」で2〜20文字。ログ・ファイル名・全国集計・API で事務所を表します。"


class OfficeCreateForm(OfficeForm):
    """A new office and its first system administrator."""

    admin_username = forms.CharField(label="管理者のユーザー名", max_length=150)
    admin_display_name = forms.CharField(label="管理者の氏名", max_length=100)
    admin_email = forms.EmailField(label="管理者のメールアドレス", required=False)
    admin_password = forms.CharField(
        label="管理者の初期パスワード", widget=forms.PasswordInput(render_value=False),
        help_text="10文字以上。本人に伝え、初回ログイン後に変更してもらってください。")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields([*self.FIELDS, "admin_username", "admin_display_name", "admin_email",
                           "admin_password"])
