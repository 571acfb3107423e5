"""Forms for people and households. Dates accept ISO and 和暦."""

from __future__ import annotations

from typing import Any

from django import forms

from jiritsu.core.forms import JapaneseDateField, VersionedForm
from jiritsu.core.kana import is_kana
from jiritsu.people.models import Person


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
