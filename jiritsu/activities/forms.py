"""Forms for the activities screens. They parse; services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from jiritsu.activities.models import (
    FamilyRequest,
    HealthTrack,
    HelloWorkInterviewAttendee,
    HelloWorkReferral,
    ReceivingRequest,
    SessionSeries,
    StaffTraining,
    TrainingMonthlyStatus,
    TrainingPlacement,
    Volunteer,
    WorkBarrier,
    WorkRouteDecision,
)
from jiritsu.activities.services import CYCLE_TASKS, InterviewAttendee
from jiritsu.cases.models import ActivityRecord
from jiritsu.core.forms import JapaneseDateField, form_field, label_options
from jiritsu.people.models import Person

BOOL_CHOICES = [("", "―"), ("true", "はい"), ("false", "いいえ")]


class Form(forms.Form):
    required_css_class = "required"


class InstantiateForm(Form):
    name = forms.CharField(label="プログラム名", max_length=200)
    code = forms.CharField(label="プログラムコード", max_length=40,
                           help_text="事務所内で重複しない短い記号（英数字）")
    established_on = JapaneseDateField(label="策定年月（その月の1日）")
    review_interval_months = forms.IntegerField(label="見直し間隔（月）", min_value=1, max_value=24)
    standard_length_months = forms.IntegerField(label="標準期間（月）", min_value=1, max_value=60,
                                                required=False)
    max_length_months = forms.IntegerField(label="最長期間（月）", min_value=1, max_value=120,
                                           required=False)
    budget_yen = forms.IntegerField(label="予算（円）", min_value=0, required=False)
    capacity = forms.IntegerField(label="定員", min_value=1, required=False)

    def __init__(self, *args: Any, seed_partners: tuple[Any, ...] = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        if seed_partners:  # only a template that names organisations asks
            self.fields["register_partners"] = forms.BooleanField(
                label="事例の関係機関も登録する", required=False,
                help_text="まだ登録していないものだけを登録します（システム管理者のみ）："
                          + "、".join(p.name for p in seed_partners))


class EmployerApproveForm(Form):
    partner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="事業所", queryset=None)
    approved_on = JapaneseDateField(label="承認日")
    work_offered = forms.CharField(label="訓練の内容", max_length=200, required=False)

    def __init__(self, *args: Any, partners: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        form_field(self, "partner", forms.ModelChoiceField).queryset = partners


class PlacementStartForm(Form):
    enrollment: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="参加者", queryset=None)
    employer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="訓練実施機関", queryset=None)
    visited_on = JapaneseDateField(label="仕事場見学日")
    starts_on = JapaneseDateField(label="訓練開始日")
    duties = forms.CharField(label="訓練の内容", max_length=200, required=False)

    def __init__(self, *args: Any, enrollments: Any, employers: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        form_field(self, "enrollment", forms.ModelChoiceField).queryset = enrollments
        label_options(form_field(self, "enrollment", forms.ModelChoiceField), lambda e: f"{e.person.name}（{e.program.name}）")
        form_field(self, "employer", forms.ModelChoiceField).queryset = employers


class TrainingDayForm(Form):
    day = JapaneseDateField(label="訓練日")
    hours = forms.DecimalField(label="時間", max_digits=3, decimal_places=1, min_value=0,
                               help_text="1日4時間以内・1か月20日まで")
    note = forms.CharField(label="様子", max_length=200, required=False)


class TrainingMonthForm(Form):
    month = JapaneseDateField(label="対象月（その月のいずれかの日）")
    assessment = forms.CharField(label="状況", widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(label="期間等の判断", choices=TrainingMonthlyStatus.Decision.choices)


class TrainingExtendForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    until = JapaneseDateField(label="延長後の終了日")
    approved_on = JapaneseDateField(label="所長承認日")


class TrainingEndForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    ended_on = JapaneseDateField(label="終了日")
    follow_up = forms.ChoiceField(label="訓練終了後の処遇", choices=TrainingPlacement.FollowUp.choices)
    follow_up_note = forms.CharField(label="処遇の内容", required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))


class SeriesForm(Form):
    program: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="プログラム", queryset=None)
    kind = forms.ChoiceField(label="種類", choices=SessionSeries.Kind.choices)
    title = forms.CharField(label="名称", max_length=200)
    venue = forms.CharField(label="会場", max_length=200, required=False)
    lecturer = forms.CharField(label="講師", max_length=200, required=False)
    schedule = forms.CharField(label="開催予定", max_length=100, required=False,
                               help_text="例: 毎週1回（木曜日 18時〜20時）")
    districts = forms.CharField(label="募集地域（地区）", required=False,
                                help_text="地区名を改行か「、」で区切って入力（空欄なら選定条件に合う全員）。例: 南部地域")
    starts_on = JapaneseDateField(label="開始日")
    budget_yen = forms.IntegerField(label="予算（円）", min_value=0, required=False,
                                    help_text="空欄ならプログラムの予算")

    def clean_districts(self) -> list[str]:
        return split_districts(self.cleaned_data.get("districts") or "")

    def __init__(self, *args: Any, programs: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        form_field(self, "program", forms.ModelChoiceField).queryset = programs


def split_districts(text: str) -> list[str]:
    return [d.strip() for d in text.replace("、", "\n").replace(",", "\n").splitlines()
            if d.strip()]


class SeriesDistrictsForm(Form):
    districts = forms.CharField(label="募集地域（地区）", required=False,
                                help_text="地区名を改行か「、」で区切って入力（空欄なら選定条件に合う全員）")

    def clean_districts(self) -> list[str]:
        return split_districts(self.cleaned_data.get("districts") or "")


class SessionForm(Form):
    held_on = JapaneseDateField(label="開催日")
    venue = forms.CharField(label="会場", max_length=200, required=False,
                            help_text="空欄ならシリーズの会場")
    lecturer = forms.CharField(label="講師", max_length=200, required=False)
    topic = forms.CharField(label="内容", max_length=200, required=False)
    volunteers: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(label="協力者", queryset=None, required=False,
                                                widget=forms.CheckboxSelectMultiple)
    present: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(label="出席者", queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, volunteers: Any, people: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        form_field(self, "volunteers", forms.ModelChoiceField).queryset = volunteers
        form_field(self, "present", forms.ModelChoiceField).queryset = people


class VolunteerForm(Form):
    name = forms.CharField(label="氏名", max_length=100)
    kind = forms.ChoiceField(label="区分", choices=Volunteer.Kind.choices)
    affiliation = forms.CharField(label="所属", max_length=200, required=False)


class ExpenseForm(Form):
    spent_on = JapaneseDateField(label="支出日")
    item = forms.CharField(label="費目", max_length=200)
    amount_yen = forms.IntegerField(label="金額（円）", min_value=1)


class InviteForm(Form):
    people: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(label="案内する人", queryset=None,
                                            widget=forms.CheckboxSelectMultiple)
    invited_on = JapaneseDateField(label="案内日")

    def __init__(self, *args: Any, people: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        form_field(self, "people", forms.ModelChoiceField).queryset = people


class HwStartForm(Form):
    enrollment: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="参加", queryset=None)
    hello_work: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="ハローワーク", queryset=None)
    consented_on = JapaneseDateField(label="事業説明・同意日")

    def __init__(self, *args: Any, enrollments: Any, hello_works: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        form_field(self, "enrollment", forms.ModelChoiceField).queryset = enrollments
        label_options(form_field(self, "enrollment", forms.ModelChoiceField), lambda e: e.program.name)
        form_field(self, "hello_work", forms.ModelChoiceField).queryset = hello_works


class AttendeesForm(Form):
    """Who attended the interview at Hello Work, chosen from staff and partners on file: one
    field per seat the seed names, and the others. An option's value is ``m<membership id>``
    (staff, or a partner's contact) or ``p<partner id>`` (an organisation whose attendee has
    no account)."""

    SEATS = HelloWorkInterviewAttendee.Seat
    version = forms.IntegerField(widget=forms.HiddenInput)
    person_present = forms.BooleanField(label="本人が出席した", required=False)
    caseworker = forms.ChoiceField(label=SEATS.CASEWORKER.label, required=False)
    office_coordinator = forms.ChoiceField(label=SEATS.OFFICE_COORDINATOR.label, required=False)
    hw_coordinator = forms.ChoiceField(label=SEATS.HW_COORDINATOR.label, required=False)
    hw_chief = forms.ChoiceField(label=SEATS.HW_CHIEF.label, required=False)
    others = forms.MultipleChoiceField(label=SEATS.OTHER.label, required=False,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, referral: HelloWorkReferral, staff: Any, contacts: Any,
                 partners: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._on_file: dict[str, Any] = {}
        staff_opts = [(self._add("m", m), self._staff_label(m)) for m in staff]
        contact_opts = [(self._add("m", m), f"{m.user}（{m.partner}）") for m in contacts]
        partner_opts = [(self._add("p", p), f"{p}（アカウントのない担当者）") for p in partners]
        hw = referral.hello_work_id
        hw_opts = [o for o, m in zip(contact_opts, contacts, strict=True) if m.partner_id == hw] + [
            o for o, p in zip(partner_opts, partners, strict=True) if p.pk == hw]
        blank = [("", "―")]
        for name in ("caseworker", "office_coordinator"):
            form_field(self, name, forms.ChoiceField).choices = blank + staff_opts
        for name in ("hw_coordinator", "hw_chief"):
            form_field(self, name, forms.ChoiceField).choices = blank + hw_opts
        form_field(self, "others", forms.MultipleChoiceField).choices = (
            staff_opts + contact_opts + partner_opts)

    def _add(self, prefix: str, row: Any) -> str:
        key = f"{prefix}{row.pk}"
        self._on_file[key] = row
        return key

    @staticmethod
    def _staff_label(m: Any) -> str:
        return f"{m.user}（{m.get_profession_display() or m.get_role_display()}）"

    @classmethod
    def initial_for(cls, referral: HelloWorkReferral) -> dict[str, Any]:
        """The form as the referral stands: its attendees in their seats."""
        data: dict[str, Any] = {"version": referral.version,
                                "person_present": referral.interview_person_present, "others": []}
        for a in referral.attendees.all():
            key = f"m{a.membership_id}" if a.membership_id else f"p{a.partner_id}"
            if a.seat == cls.SEATS.OTHER:
                data["others"].append(key)
            else:
                data.setdefault(a.seat, key)
        return data

    def attendees(self) -> list[InterviewAttendee]:
        d = self.cleaned_data
        chosen = [(d.get(seat) or "", seat) for seat in
                  ("caseworker", "office_coordinator", "hw_coordinator", "hw_chief")]
        chosen += [(key, self.SEATS.OTHER.value) for key in d.get("others") or []]
        out = []
        for key, seat in chosen:
            row = self._on_file.get(key)
            if row is None:
                continue
            out.append(InterviewAttendee(membership=row, seat=seat) if key.startswith("m")
                       else InterviewAttendee(partner=row, seat=seat))
        return out


class HwAdvanceForm(AttendeesForm):
    STEPS = [("form_a", "個人票Aの提出"), ("request", "支援要請書の送付"),
             ("interview", "ハローワークでの面接相談（支援メニュー決定）"), ("supporting", "支援中"),
             ("employed", "就職（結果報告）"), ("ended", "支援終了（結果報告）")]
    step = forms.ChoiceField(label="手続き", choices=STEPS)
    on = JapaneseDateField(label="日付")
    menu = forms.ChoiceField(label="支援メニュー（面接相談のとき）",
                             choices=[("", "―"), *HelloWorkReferral.Menu.choices], required=False)
    note = forms.CharField(label="報告内容", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["version", "step", "on", "menu", "person_present", "caseworker",
                   "office_coordinator", "hw_coordinator", "hw_chief", "others", "note"]


class HealthTrackForm(Form):
    track = forms.ChoiceField(label="支援対象", choices=HealthTrack.Track.choices)
    started_on = JapaneseDateField(label="開始日")
    living_environment = forms.CharField(label="生活環境（衣・食・住・衛生）", required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))
    health_state = forms.CharField(label="健康状態（栄養・休養・運動・自覚症状）", required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    mental_state = forms.CharField(label="心の状態（寂しさ・不安）", required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    clinic_attendance = forms.CharField(label="【慢性疾患】通院状況", max_length=200, required=False)
    medication = forms.CharField(label="【慢性疾患】服薬状況", max_length=200, required=False)
    doctor_instructions = forms.CharField(label="【慢性疾患】担当医の指示・指導事項", required=False)
    withdrawal_reason = forms.ChoiceField(label="【閉じこもり】理由",
                                          choices=[("", "―"), *HealthTrack.WithdrawalReason.choices],
                                          required=False)
    referral = forms.ChoiceField(label="【閉じこもり】通所の働きかけ先",
                                 choices=[("", "―"), *HealthTrack.Referral.choices], required=False)
    referral_place = forms.CharField(label="【閉じこもり】通所先の名称", max_length=200, required=False)
    preference_survey = forms.CharField(label="【栄養】嗜好調査（好き嫌い）", required=False)
    menu_examples = forms.CharField(label="【栄養】献立例", required=False)
    low_cost_food_info = forms.CharField(label="【栄養】低廉な食材の情報・入手方法", required=False)
    can_live_at_home = forms.ChoiceField(label="【認知症】在宅生活が可能", choices=BOOL_CHOICES,
                                         required=False)
    care_certification_applied_on = JapaneseDateField(label="【認知症】要介護認定申請日",
                                                      required=False)
    facility_option = forms.CharField(label="【認知症】施設入所の検討", required=False)

    def track_data(self) -> dict[str, Any]:
        d = {k: v for k, v in self.cleaned_data.items()
             if k not in ("track", "started_on") and v not in (None, "")}
        if "can_live_at_home" in d:
            d["can_live_at_home"] = d["can_live_at_home"] == "true"
        return d


class FamilyContactForm(Form):
    name = forms.CharField(label="氏名", max_length=100)
    relationship = forms.CharField(label="続柄", max_length=50)
    is_support_obligor = forms.BooleanField(label="扶養義務者", required=False, initial=True)
    phone = forms.CharField(label="電話", max_length=30, required=False)
    address = forms.CharField(label="住所", max_length=200, required=False)


class FamilyRequestForm(Form):
    contact: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="相手", queryset=None)
    ask = forms.ChoiceField(label="依頼内容", choices=FamilyRequest.Ask.choices)
    asked_on = JapaneseDateField(label="依頼日")
    note = forms.CharField(label="備考", required=False)

    def __init__(self, *args: Any, contacts: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        form_field(self, "contact", forms.ModelChoiceField).queryset = contacts


class AnswerForm(Form):
    target = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.ChoiceField(label="回答", choices=[])
    answered_on = JapaneseDateField(label="回答日")
    note = forms.CharField(label="備考", required=False)

    def __init__(self, *args: Any, choices: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        form_field(self, "answer", forms.ChoiceField).choices = choices


FAMILY_ANSWERS = [c for c in FamilyRequest.Answer.choices if c[0] != "pending"]
RECEIVING_ANSWERS = [c for c in ReceivingRequest.Status.choices if c[0] != "requested"]


class ReceivingRequestForm(Form):
    enrollment: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="参加", queryset=None)
    facility: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="受入先", queryset=None)
    requested_on = JapaneseDateField(label="依頼日")
    note = forms.CharField(label="備考", required=False)

    def __init__(self, *args: Any, enrollments: Any, facilities: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        form_field(self, "enrollment", forms.ModelChoiceField).queryset = enrollments
        label_options(form_field(self, "enrollment", forms.ModelChoiceField), lambda e: e.program.name)
        form_field(self, "facility", forms.ModelChoiceField).queryset = facilities
        label_options(form_field(self, "facility", forms.ModelChoiceField),
                      lambda f: f"{f.name}（{f.get_kind_display()}・定員{f.capacity or '―'}）")


class ConsideredForm(Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    program = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(choices=[("new_case", "新規開始ケース"),
                                        ("after_discharge", "退院後の移行")],
                               required=False, widget=forms.HiddenInput)
    on = JapaneseDateField(label="検討日")
    note = forms.CharField(label="検討の結果（見送る理由）", max_length=300)


class CycleTaskForm(Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    task = forms.ChoiceField(label="作業", choices=list(CYCLE_TASKS.items()))
    on = JapaneseDateField(label="実施日")
    text = forms.CharField(label="内容", max_length=300)


class NonRecipientForm(Form):
    name = forms.CharField(label="氏名", max_length=100)
    kana = forms.CharField(label="ふりがな", max_length=100)
    birth_date = JapaneseDateField(label="生年月日")
    sex = forms.ChoiceField(label="性別", choices=Person.Sex.choices)
    school_name = forms.CharField(label="学校名", max_length=100, required=False)
    school_grade = forms.ChoiceField(label="学年", choices=[("", "―"), *Person.SchoolGrade.choices],
                                     required=False)
    single_parent = forms.BooleanField(label="一人親世帯", required=False,
                                       help_text="選定条件「一人親世帯」に使います")
    phone = forms.CharField(label="電話", max_length=30, required=False)
    note = forms.CharField(label="備考（世帯の状況など）", required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    registered_on = JapaneseDateField(label="登録日")


class StaffTrainingForm(Form):
    kind = forms.ChoiceField(label="種類", choices=StaffTraining.Kind.choices)
    title = forms.CharField(label="名称", max_length=200,
                            help_text="例: 自立支援員養成研修（第1回）、就労支援の検討会")
    held_on = JapaneseDateField(label="開催日")
    venue = forms.CharField(label="会場", max_length=200, required=False)
    lecturer = forms.CharField(label="講師", max_length=200, required=False)
    program: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="関連するプログラム", queryset=None, required=False)
    content = forms.CharField(label="内容", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, programs: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        form_field(self, "program", forms.ModelChoiceField).queryset = programs


class StaffAttendanceForm(Form):
    attendees: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label="出席した職員", queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, staff: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = form_field(self, "attendees", forms.ModelMultipleChoiceField)
        field.queryset = staff
        label_options(field, lambda m: f"{m.user}（{m.get_profession_display() or m.get_role_display()}）")


# --- 清洲: the route after the first interview, 阻害要因の解消 -------------------------------

class WorkRouteForm(Form):
    decided_on = JapaneseDateField(label="決定日")
    route = forms.ChoiceField(label="振り分け", choices=WorkRouteDecision.Route.choices)
    reason = forms.CharField(label="理由・補足", required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="面接の結果から導かれる振り分けと異なる振り分けにするときは必須です。")


class WorkAdviceForm(Form):
    on = JapaneseDateField(label="日付")
    kind = forms.ChoiceField(label="場面", choices=[
        (k, ActivityRecord.Kind(k).label) for k in ActivityRecord.LIFE_CHECK_KINDS])
    text = forms.CharField(label="相談助言・趣旨説明の内容", widget=forms.Textarea(attrs={"rows": 2}))


class WorkBarrierForm(Form):
    kind = forms.ChoiceField(label="阻害要因", choices=WorkBarrier.Kind.choices)
    detail = forms.CharField(label="内容", max_length=200, required=False,
                             help_text="例: 腰痛で通院中、3歳の子の保育先がない")
    found_on = JapaneseDateField(label="把握した日")
    first_step = forms.CharField(
        label="最初の手立て", max_length=200, required=False,
        help_text="空欄なら種類ごとの手立て（傷病⇒主治医同行訪問等、障害⇒残存機能能力の活用指導、"
                  "育児⇒保育園の利用、介護⇒介護保険の利用）")
    planned_on = JapaneseDateField(label="手立ての予定日", required=False)


class WorkBarrierJudgeForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="状況", choices=WorkBarrier.Status.choices)
    on = JapaneseDateField(label="判断した日")
    note = forms.CharField(label="判断の理由・根拠", required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="「就労の妨げは少ない」「正当な理由にならない」には必須です。")


class WorkBarrierStepForm(Form):
    action = forms.CharField(label="手立て", max_length=200)
    planned_on = JapaneseDateField(label="予定日", required=False)
    done_on = JapaneseDateField(label="実施日", required=False)
    result = forms.CharField(label="結果", required=False)


class WorkStepDoneForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    done_on = JapaneseDateField(label="実施日")
    result = forms.CharField(label="結果", required=False)
