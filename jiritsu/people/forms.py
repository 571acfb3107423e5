"""Forms for people and households. Dates accept ISO and 和暦."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms

from jiritsu.core.forms import JapaneseDateField, VersionedForm, form_field
from jiritsu.core.kana import is_kana
from jiritsu.offices.models import PartnerOrganisation, User
from jiritsu.people.models import (
    HospitalStay,
    Household,
    HouseholdType,
    MedicalEvidence,
    Person,
    VisitGrade,
    WorkCapacityAssessment,
)


class PersonForm(VersionedForm):
    name = forms.CharField(label="氏名", max_length=100, strip=False)
    kana = forms.CharField(label="ふりがな", max_length=100)
    birth_date = JapaneseDateField(label="生年月日")
    sex = forms.ChoiceField(label="性別", choices=Person.Sex.choices)
    relationship = forms.ChoiceField(label="続柄", choices=Person.Relationship.choices)
    employment_status = forms.ChoiceField(label="就労状況",
                                          choices=Person.EmploymentStatus.choices)
    employer_name = forms.CharField(label="勤務先", max_length=200, required=False)
    earned_income = forms.IntegerField(label="就労収入（月額・円）", min_value=0,
                                       error_messages={"min_value": "0以上の金額を入力してください。"})
    school_name = forms.CharField(label="学校名", max_length=100, required=False)
    school_grade = forms.ChoiceField(label="学年", required=False,
                                     choices=[("", "―")] + list(Person.SchoolGrade.choices))
    note = forms.CharField(label="備考", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        if not name.strip():
            raise forms.ValidationError("氏名を入力してください。")
        return name  # kept exactly as entered (髙, 﨑, 𠮷, IVS)

    def clean_kana(self) -> str:
        kana: str = self.cleaned_data["kana"].strip()
        if not is_kana(kana):
            raise forms.ValidationError("ふりがなはひらがなまたはカタカナで入力してください。")
        return kana

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        return {f: getattr(person, f) for f in cls.base_fields if f != "version"} | {
            "version": person.version
        }


class PersonCreateForm(PersonForm):
    """Registering a person: the household (if any) comes from the URL."""

    member_number = forms.IntegerField(label="世帯員番号", min_value=1, max_value=99, required=False,
                                       help_text="空欄なら世帯内の次の番号を付けます。")
    address_number = forms.CharField(label="宛名番号", max_length=20, required=False,
                                     help_text="住民記録の宛名番号。マイナンバーは入力しないでください。")

    field_order = ["member_number", "name", "kana", "birth_date", "sex", "relationship",
                   "address_number"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False
        self.fields["earned_income"].initial = 0
        self.fields["earned_income"].required = False

    def clean_address_number(self) -> str:
        value: str = self.cleaned_data["address_number"].strip()
        if len(value) == 12 and value.isdigit():
            raise forms.ValidationError("12桁の番号はマイナンバーの可能性があります。宛名番号を入力してください。")
        return value

    def clean_earned_income(self) -> int:
        return self.cleaned_data.get("earned_income") or 0


def _office_caseworkers(office: Any) -> Any:
    return User.objects.filter(
        memberships__office=office, memberships__is_active=True,
        memberships__role__in=["caseworker", "supervisor", "manager"],
    ).order_by("username").distinct()


class HouseholdForm(VersionedForm):
    case_number = forms.CharField(label="ケース番号", max_length=30)
    household_type = forms.ChoiceField(label="世帯類型", choices=HouseholdType.choices)
    type_changed_on = JapaneseDateField(label="世帯類型の変更日", required=False,
                                        help_text="世帯類型を変えたときだけ入力（空欄なら今日）。")
    district = forms.CharField(label="地区", max_length=50, required=False)
    address = forms.CharField(label="住所", max_length=200, required=False)
    caseworker: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="地区担当員", queryset=None, required=False,
                                        empty_label="（未設定）")
    visit_grade: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="訪問格付け", queryset=None, required=False,
                                         empty_label="（未設定）")
    assistance_started_on = JapaneseDateField(label="保護開始日", required=False)
    assistance_ended_on = JapaneseDateField(label="保護廃止日", required=False)
    end_reason = forms.ChoiceField(label="廃止理由", required=False,
                                   choices=[("", "―"), *Household.EndReason.choices])

    def __init__(self, *args: Any, office: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "caseworker", forms.ModelChoiceField).queryset = _office_caseworkers(office)
        form_field(self, "visit_grade", forms.ModelChoiceField).queryset = VisitGrade.objects.filter(office=office)
        if creating:
            self.fields["version"].required = False
            del self.fields["type_changed_on"]

    def clean_case_number(self) -> str:
        value: str = unicodedata.normalize("NFKC", self.cleaned_data["case_number"]).strip()
        if not value:
            raise forms.ValidationError("ケース番号を入力してください。")
        return value

    @classmethod
    def initial_for(cls, household: Household) -> dict[str, Any]:
        names = ["case_number", "household_type", "district", "address", "caseworker",
                 "visit_grade", "assistance_started_on", "assistance_ended_on", "end_reason"]
        return {f: getattr(household, f) for f in names} | {"version": household.version}


# ---------------------------------------------------------------- person parts

BARRIER_CHOICES = [("illness", "傷病"), ("disability", "障害"), ("childcare", "育児"),
                   ("nursing_care", "介護"), ("other", "その他")]


def _formfield(field: Any, **kwargs: Any) -> Any:
    """Model dates become 和暦-aware date fields; everything else as Django makes it."""
    from django.db import models as m

    if isinstance(field, m.DateField):
        return JapaneseDateField(label=field.verbose_name, required=not field.blank,
                                 help_text=field.help_text)
    return field.formfield(**kwargs)


class _PartForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    required_css_class = "required"


def part_form_class(model: type[Any], office: Any, person: Any = None) -> type[forms.ModelForm]:
    """A ModelForm for one kind of person part (all fields but the person)."""
    exclude = ["person", "version"]
    if model is WorkCapacityAssessment:
        exclude.append("assessed_by")
    if model is MedicalEvidence:
        exclude.append("recorded_by")

    attrs: dict[str, Any] = {"Meta": type("Meta", (), {"model": model, "exclude": exclude,
                                                         "formfield_callback": _formfield})}
    if model is WorkCapacityAssessment:
        attrs["barriers"] = forms.MultipleChoiceField(
            label="阻害要因", choices=BARRIER_CHOICES, required=False,
            widget=forms.CheckboxSelectMultiple)
        attrs["evidence"] = forms.CharField(label="根拠", required=False,
                                            widget=forms.Textarea(attrs={"rows": 3}))
    if model is MedicalEvidence:
        for name, label in (("question", "照会・協議の内容"), ("finding", "所見・結果")):
            attrs[name] = forms.CharField(label=label, required=False,
                                          widget=forms.Textarea(attrs={"rows": 3}))
    form_class = type(f"{model.__name__}Form", (_PartForm,), attrs)

    if model is MedicalEvidence:
        class EvidenceForm(form_class):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                # A 嘱託医協議 discusses one of the person's own documents.
                base = MedicalEvidence.objects.filter(person=person).exclude(
                    kind=MedicalEvidence.Kind.CONSULTATION).order_by("-issued_on", "-id")
                self.fields["based_on"].queryset = base if person is not None else base.none()
                self.fields["based_on"].help_text = "嘱託医協議のときに、協議した資料を選びます。"

        return EvidenceForm

    if model is HospitalStay:
        class StayForm(form_class):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self.fields["hospital"].queryset = PartnerOrganisation.objects.filter(
                    office=office, kind__in=["hospital", "psychiatric_hospital"])
                self.fields["hospital"].required = False
                self.fields["hospital_name"].help_text = "関係機関に登録のない医療機関は名称を入力してください。"
                self.fields["hospital_name"].required = False

            def clean(self) -> dict[str, Any]:
                data = super().clean() or {}
                if not data.get("hospital_name") and data.get("hospital"):
                    data["hospital_name"] = data["hospital"].name
                if not data.get("hospital_name"):
                    self.add_error("hospital_name", "医療機関を選ぶか、名称を入力してください。")
                return data

        return StayForm
    return form_class
