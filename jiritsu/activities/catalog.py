"""Program templates: the fifteen programs of the seed document, as data.

One :class:`ProgramTemplate` per seed program (plus the two companion programs
竹原市 runs beside its discharge program). ``program_instantiate_template`` in
services.py turns a template into an office's Program with phases, menus,
outcome types and targets; everything here can be adjusted afterwards.

Screening rules use the programs rule format: ``{"op": "and"|"or", "conditions":
[{"field": ..., "op": ..., "value": ...}]}``. Dates are the seed's (平成 years).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# Conference kinds are the values of cases.Conference.Kind.
INTERNAL = "internal"
CASE_DIAGNOSIS = "case_diagnosis"
NETWORK = "network"
AGENCIES = "agencies"
EMPLOYMENT_REVIEW = "employment_review"
DAILY_LIFE_REVIEW = "daily_life_review"
OUTSIDE_COUNCIL = "outside_council"


@dataclass(frozen=True)
class PhaseSpec:
    name: str
    months: int | None = None


@dataclass(frozen=True)
class MenuSpec:
    name: str
    description: str = ""


@dataclass(frozen=True)
class OutcomeSpec:
    kind: str
    name: str
    counts_as_achievement: bool = True


@dataclass(frozen=True)
class TargetSpec:
    label: str
    metric: str
    value: int
    fiscal_year_from: int
    fiscal_year_to: int
    outcome_kind: str = ""
    baseline: int | None = None


@dataclass(frozen=True)
class PartnerSpec:
    """A partner organisation the seed names for the program (和歌山's centres), registered
    in the office on request when the program is created from the template."""

    kind: str  # PartnerOrganisation.Kind value
    name: str
    operator: str = ""
    areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgramTemplate:
    code: str
    office: str  # the office in the seed that runs it
    name: str
    kind: str  # Program.Kind value
    category: str
    established_on: dt.date  # 策定年月 (first of the month)
    description: str
    target_description: str
    legal_basis: str = "art27_2"
    phases: tuple[PhaseSpec, ...] = ()
    menus: tuple[MenuSpec, ...] = ()
    outcomes: tuple[OutcomeSpec, ...] = ()
    targets: tuple[TargetSpec, ...] = ()
    rules: dict[str, Any] = field(default_factory=dict)
    review_interval_months: int = 3
    standard_length_months: int | None = None
    max_length_months: int | None = None
    extension_approval: str = "manager"
    consent_required: bool = True
    allows_non_recipients: bool = False
    conference_kind: str = ""
    conference_name: str = ""  # the seed's own name for it
    professions: tuple[str, ...] = ()  # Membership.Profession values
    partner_kinds: tuple[str, ...] = ()  # PartnerOrganisation.Kind values
    budget_yen: int | None = None
    approvals_needed: tuple[str, ...] = ()
    features: tuple[str, ...] = ()  # activities features the program uses
    companion_of: str = ""  # for 竹原's companion programs
    follow_up_after_discharge_months: int | None = None
    seed_partners: tuple[PartnerSpec, ...] = ()  # named by the seed; registered on request
    decision_attendees: tuple[str, ...] = ()  # who must attend a continue/stop decision

    def program_fields(self) -> dict[str, Any]:
        """Field values for :class:`jiritsu.programs.models.Program`."""
        description = self.description
        if self.conference_name:
            description = f"{description}\n検討の場: {self.conference_name}"
        return {
            "name": self.name, "kind": self.kind, "category": self.category,
            "legal_basis": self.legal_basis, "established_on": self.established_on,
            "description": description, "target_description": self.target_description,
            "review_interval_months": self.review_interval_months,
            "standard_length_months": self.standard_length_months,
            "max_length_months": self.max_length_months,
            "extension_approval": self.extension_approval,
            "consent_required": self.consent_required,
            "allows_non_recipients": self.allows_non_recipients,
            "professions": list(self.professions), "budget_yen": self.budget_yen,
            "conference_kind": self.conference_kind, "rules": self.rules,
            "approvals_needed": list(self.approvals_needed), "template_code": self.code,
            "decision_attendees": list(self.decision_attendees),
        }


def _all(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"op": "and", "conditions": list(conditions)}


def _c(field_name: str, op: str, value: Any = True) -> dict[str, Any]:
    return {"field": field_name, "op": op, "value": value}


ECONOMIC, DAILY, SOCIAL = "economic", "daily_life", "social_life"
WORKING_AGE = _c("age", "between", [15, 64])

TEMPLATES: tuple[ProgramTemplate, ...] = (
    ProgramTemplate(
        code="fukui_health", office="福井県若狭健康福祉センター",
        name="日常生活の自立支援プログラム（保健・栄養指導）", kind=DAILY, category="健康管理",
        established_on=dt.date(2006, 4, 1),
        description=("CW・保健師・栄養士が連携し、保健指導・栄養指導が必要な在宅の被保護世帯に、"
                     "CWの家庭訪問に保健師または栄養士が同行して支援する。生活環境・健康状態・心の状態を"
                     "把握し、疾病の改善と健康の維持増進（医療扶助費の削減）を図る。"),
        target_description=("在宅の被保護者のうち、慢性疾患を抱える者・閉じこもりがちな者・"
                            "栄養状態が不適当な者・認知症状が出現している者"),
        menus=(MenuSpec("慢性疾患", "通院状況・服薬状況・担当医の指示の聞き取り、療養態度の継続指導"),
               MenuSpec("閉じこもり", "理由（精神的／体力的）の聞き取り、高齢者センター・入浴施設等への通所の働きかけ"),
               MenuSpec("栄養", "嗜好調査、献立例、低廉な食材情報、賞味期限・調理の衛生管理"),
               MenuSpec("認知症", "生活面・衛生面・金銭管理面の判断、要介護認定の申請勧奨、施設入所の検討")),
        outcomes=(OutcomeSpec("health_improved", "健康状態の改善"),
                  OutcomeSpec("daily_life_stable", "在宅生活の維持")),
        targets=(TargetSpec("平成18年度 支援対象者5人", "participants", 5, 2006, 2006),
                 TargetSpec("平成19年度 支援対象者5人", "participants", 5, 2007, 2007)),
        # The seed's targets are 在宅 households of any type who need health or nutrition
        # guidance (its four tracks include withdrawn and poorly fed people of any age), so
        # the rule keeps everyone at home on assistance and the 検討会 picks (docs/programs.md).
        rules=_all(_c("on_assistance", "is", True), _c("hospital_stay", "is", False)),
        review_interval_months=3, conference_kind=INTERNAL,
        conference_name="所内関係者検討会（保健師・栄養士・SV・CW）",
        professions=("public_health_nurse", "dietitian"), partner_kinds=("other",),
        features=("health_tracks", "measurements"),
    ),
    ProgramTemplate(
        code="koshu_disability_work", office="甲州市",
        name="障害者に対する就労支援プログラム", kind=ECONOMIC, category="障害者支援",
        established_on=dt.date(2006, 4, 1),
        description=("甲州市障害者地域生活支援センター（職員5名・自立支援員12名）が山梨県精神障害者退院促進支援事業の"
                     "メニューを活用し、障害の種別を問わず支援する。退院後のアフターフォローと、再入院のリスクが"
                     "高い者への予防的支援も行う。"),
        target_description="障害（身体・知的・精神を問わない）のある被保護者。精神障害者は医療機関の推薦による。",
        menus=(MenuSpec("退院促進", "本人の意向確認、環境調整、施設等入所調整、在宅福祉サービスの利用調整"),
               MenuSpec("生活支援", "各種制度手続支援、定期訪問、モニタリング、関係機関との調整、サービス内容変更"),
               MenuSpec("就労支援", "ハローワーク同行、授産施設等紹介及び同行、調整、各種手続支援")),
        outcomes=(OutcomeSpec("employment_start", "就労開始"), OutcomeSpec("discharge", "退院"),
                  OutcomeSpec("daily_life_stable", "地域生活の継続")),
        rules=_all(_c("on_assistance", "is", True), _c("disability", "any", None)),
        conference_kind=OUTSIDE_COUNCIL, conference_name="峡東圏域自立促進支援協議会",
        professions=("self_reliance_support", "psw", "public_health_nurse"),
        partner_kinds=("life_support_centre", "psychiatric_hospital", "hello_work", "council"),
    ),
    ProgramTemplate(
        code="ueda_employment", office="上田市", name="就労支援プログラム", kind=ECONOMIC,
        category="就労支援", established_on=dt.date(2007, 4, 1), legal_basis="art27_2",
        description=("就労支援検討会で就労準備支援対象者を選定し、ハローワーク登録 → 就労支援セミナー → "
                     "履歴書・面接指導 → ハローワーク求人による求職活動の順に就労支援員が支援する。"),
        target_description="就労可能な被保護者",
        phases=(PhaseSpec("ハローワーク登録"), PhaseSpec("就労支援セミナー"),
                PhaseSpec("履歴書・面接指導"), PhaseSpec("求職活動")),
        menus=(MenuSpec("ハローワーク同行"), MenuSpec("就労準備支援（履歴書・面接指導）"),
               MenuSpec("求人情報の提供")),
        outcomes=(OutcomeSpec("employment_start", "就労開始"),
                  OutcomeSpec("closed_by_work", "就労による保護廃止")),
        rules=_all(_c("on_assistance", "is", True), WORKING_AGE),
        conference_kind=EMPLOYMENT_REVIEW, conference_name="就労支援検討会",
        professions=("employment_support",), partner_kinds=("hello_work",),
        features=("group_sessions", "job_search_commitments"),
    ),
    ProgramTemplate(
        code="kiyosu_work_capacity", office="愛知県清洲市", name="稼働能力活用推進プログラム",
        kind=ECONOMIC, category="就労支援", established_on=dt.date(2006, 4, 1),
        description=("就労阻害要因（傷病・障害・育児介護）と本人の能力（年齢・学歴・資格・職歴）を把握し、"
                     "一般就労支援・指導指示・生活保護受給者等就労支援事業の三つの道に振り分ける。"
                     "プログラム導入後の支援内容は定期的に見直す。"),
        target_description="稼働能力が十分活用されておらず、就労に対する援助を必要とする被保護者",
        menus=(MenuSpec("一般就労支援", "自立計画書（就労開始時期の目標、求職活動状況報告書の提出回数・時期、求職活動内容）"),
               MenuSpec("指導指示", "法27条口頭指示（査察同席）→ 法27条文書指示（2回以上・事前にケース検討会）→ 弁明の機会 → 法62条処分"),
               MenuSpec("生活保護受給者等就労支援事業", "同意 → 個人票A・支援要請書 → ハローワーク面接 → 5つの支援メニュー")),
        outcomes=(OutcomeSpec("employment_start", "就労開始"),
                  OutcomeSpec("income_increase", "増収"),
                  OutcomeSpec("closed_by_work", "就労による保護廃止")),
        rules=_all(_c("on_assistance", "is", True), WORKING_AGE,
                   _c("capacity.usage", "in", ["not_fully_used"])),
        review_interval_months=3, conference_kind=CASE_DIAGNOSIS, conference_name="ケース検討会",
        professions=("employment_support",), partner_kinds=("hello_work",),
        features=("hello_work_referral", "job_search_commitments", "guidance",
                  "work_capacity_routing"),
    ),
    ProgramTemplate(
        code="iga_mental_health", office="伊賀市", name="就労に向けてのメンタルヘルスプログラム",
        kind=ECONOMIC, category="就労準備", established_on=dt.date(2007, 4, 1),
        description=("生活心理学の講座（三重県こころの医療センターの臨床心理士・精神保健福祉士）を受講し、"
                     "面接の受け方や人間関係の築き方を学ぶ。受講後の面談で意欲を聞き取り、"
                     "就労支援専門員による支援への移行を検討する。"),
        target_description=("稼働能力を有するが就労意欲が乏しい者、就労経験はあるが長く続かない者、"
                            "人とのコミュニケーションに自信がない者"),
        phases=(PhaseSpec("講座受講"), PhaseSpec("受講後面談")),
        outcomes=(OutcomeSpec("moved_to_program", "就労支援専門員の支援へ移行"),
                  OutcomeSpec("employment_start", "就労開始")),
        rules=_all(_c("on_assistance", "is", True), WORKING_AGE),
        conference_kind=INTERNAL, professions=("clinical_psychologist", "psw"),
        partner_kinds=("psychiatric_hospital",), features=("group_sessions",),
    ),
    ProgramTemplate(
        code="otsu_study_group", office="滋賀県大津市", name="中学3年生に対する高校進学支援事業（中3学習会）",
        kind=SOCIAL, category="子どもの学習支援", established_on=dt.date(2007, 4, 1),
        description=("生活保護世帯や一人親世帯などの中学3年生を対象に、毎週1回、瀬田南市民センターで無料の学習会を開く。"
                     "龍谷大学・滋賀医科大学の学生と民生委員協議会が協力。自立支援員が募集・連絡調整・会場確保を担う。"),
        target_description="中学3年生（生活保護世帯・一人親世帯）。募集は学習会ごとの募集地域（例：南部地域）で行う。",
        menus=(MenuSpec("学習会", "毎週1回・無料・瀬田南市民センター"),),
        outcomes=(OutcomeSpec("high_school", "高校進学"),),
        # Who is eligible city-wide (the seed's 53); the area a study group recruits in is
        # the group's own (SessionSeries.districts), so the rule names no district.
        rules=_all(_c("school_grade", "in", ["j3"]),
                   {"op": "or", "conditions": [_c("on_assistance", "is", True),
                                               _c("single_parent_household", "is", True)]}),
        review_interval_months=3, consent_required=True, allows_non_recipients=True,
        conference_kind=INTERNAL, professions=("self_reliance_support",),
        partner_kinds=("school", "social_welfare_council", "other"), budget_yen=200_000,
        features=("group_sessions", "non_recipients"),
    ),
    ProgramTemplate(
        code="yamashiro_daily_life", office="京都府山城北保健所", name="日常生活支援プログラム",
        kind=DAILY, category="日常生活支援", established_on=dt.date(2007, 5, 1),
        description=("担当CWが生活支援の必要と本人の参加の意志を確認し、定期的な日常生活支援検討会で支援方針を決め、"
                     "日常生活支援員が中心となってCWと連携して支援する。"),
        target_description="生活課題のある被保護者（本人に参加の意志があること）",
        menus=(MenuSpec("調理", "体調・病状に応じた簡単な食事を一緒に作って食べる"),
               MenuSpec("整理整頓・掃除・洗濯", "衛生的な生活の維持のための助言"),
               MenuSpec("買い物と金銭管理", "一緒にメニューを考えて買い物に行き、必要なものを適量購入する"),
               MenuSpec("集団調理", "地域で孤立しがちな人が集まって一緒に作って食べる・外出の機会"),
               MenuSpec("退院後の練習", "退院・退所後の在宅生活に向けた調理実習・宿泊練習")),
        outcomes=(OutcomeSpec("daily_life_stable", "日常生活の安定"),),
        rules=_all(_c("on_assistance", "is", True)),
        review_interval_months=3, conference_kind=DAILY_LIFE_REVIEW,
        conference_name="日常生活支援検討会", professions=("daily_life_support",),
        partner_kinds=("health_centre",),
    ),
    ProgramTemplate(
        code="gojo_discharge", office="奈良県五條市", name="精神障害者退院支援プログラム",
        kind=DAILY, category="退院支援", established_on=dt.date(2007, 4, 1),
        description=("主治医と担当CWが退院可能と思われる者を選び、レセプト・医療要否意見書をもとに精神科業務委託医・"
                     "自立支援相談員・SV・CWが支援対象者と方針を決める。関係機関会議（福祉事務所・医療機関・"
                     "保健福祉センター・家族等）で目標を明確にし、1か月ごとに改善状況を確認する。"
                     "退院後1か月を目途に生活状況を確認し、不穏な症状があれば退院前の主治医と協議する。"),
        target_description="精神科病院に入院している被保護者のうち退院可能と思われる者",
        phases=(PhaseSpec("退院準備"), PhaseSpec("退院後の生活確認")),
        outcomes=(OutcomeSpec("discharge", "退院"),),
        rules=_all(_c("psychiatric_stay_months", "gte", 0)),
        review_interval_months=1, conference_kind=AGENCIES, conference_name="関係機関会議",
        professions=("self_reliance_support",),
        partner_kinds=("psychiatric_hospital", "health_centre"),
        features=("discharge_follow_up",), follow_up_after_discharge_months=1,
    ),
    ProgramTemplate(
        code="amagasaki_discharge", office="尼崎市", name="精神障害者退院促進プログラム",
        kind=DAILY, category="退院支援", established_on=dt.date(2007, 4, 1),
        description=("精神疾患による長期入院患者全員の病状を主治医訪問・レセプト等で把握して退院可能な者を選定し、"
                     "精神障害者退院促進支援員が退院への意欲を喚起する。扶養義務者に引き取り・施設入所時・居宅生活時の"
                     "協力を依頼し、救護施設やグループホーム等の受入先を開拓して受入を依頼する。"),
        target_description="精神疾患による長期入院患者（被保護者）",
        menus=(MenuSpec("意欲喚起"), MenuSpec("扶養義務者への協力依頼"), MenuSpec("受入先の開拓・調整")),
        outcomes=(OutcomeSpec("discharge", "退院"),),
        rules=_all(_c("long_psychiatric_stay", "is", True)),
        conference_kind=INTERNAL, professions=("discharge_support",),
        partner_kinds=("psychiatric_hospital", "relief_facility", "group_home"),
        features=("family_and_receiving",),
    ),
    ProgramTemplate(
        code="itami_workplace_training", office="伊丹市", name="職場適応訓練推進事業",
        kind=ECONOMIC, category="就労準備", established_on=dt.date(2007, 4, 1),
        description=("福祉事務所長が適当と認める事業所（訓練実施機関）で職場適応のための訓練を行う。"
                     "訓練期間は原則6か月、所長が認めた場合は最長1年まで延長。訓練は1日4時間以内・1か月20日まで。"
                     "仕事場を見学してから参加者を決め、毎月状況を把握し、訓練終了後の処遇を検討する。"),
        target_description=("職場又は適職がない者、傷病等により長期間稼動していない者、"
                            "職親的援護を必要として稼動していない者"),
        phases=(PhaseSpec("職場見学"), PhaseSpec("職場適応訓練", 6), PhaseSpec("訓練終了後の処遇検討")),
        outcomes=(OutcomeSpec("employment_start", "就労開始"),
                  OutcomeSpec("moved_to_program", "他プログラムへの移行", False)),
        rules=_all(_c("on_assistance", "is", True), WORKING_AGE),
        review_interval_months=1, standard_length_months=6, max_length_months=12,
        extension_approval="director", conference_kind=INTERNAL,
        professions=("employment_support",), partner_kinds=("employer",),
        approvals_needed=("extend",), features=("workplace_training",),
    ),
    ProgramTemplate(
        code="kasai_social_participation", office="加西市", name="社会参加促進プログラム",
        kind=SOCIAL, category="社会参加", established_on=dt.date(2006, 8, 1),
        description=("社協のボランティア・市民活動センター、小学校、市役所各課と連携し、本人の意向を踏まえて"
                     "社会福祉施設や公共施設等でのボランティア活動を推進する。支援期間は概ね1年、目覚ましい改善が"
                     "あれば継続し、意欲が認められる者は求職活動を支援する。"),
        target_description=("(1) 稼働能力がなく地域との交流が希薄な者 (2) 浪費傾向など日常生活が乱れている者 "
                            "(3) 稼働能力はあるが生活が乱れ直ちに就労が困難な者"),
        menus=(MenuSpec("見守りボランティア（小学校）"), MenuSpec("市役所各課での活動"),
               MenuSpec("社協ボランティアセンターの活動")),
        outcomes=(OutcomeSpec("social_participation", "ボランティア活動の継続"),
                  OutcomeSpec("moved_to_program", "求職活動への移行")),
        rules=_all(_c("on_assistance", "is", True)),
        standard_length_months=12, conference_kind=INTERNAL,
        partner_kinds=("school", "social_welfare_council"),
        features=("volunteer_placements",),
    ),
    ProgramTemplate(
        code="wakayama_discharge", office="和歌山県",
        name="「和歌山県精神障害者退院促進支援事業」活用プログラム", kind=DAILY, category="退院支援",
        established_on=dt.date(2007, 4, 1),
        description=("入院中の精神障害者数を把握して長期入院の者を選び（病状調査・要否意見書・主治医と嘱託医の協議）、"
                     "別紙1「計画表」を作る。保健所または担当圏域の地域生活支援センターに相談し、精神科病院・本人・"
                     "センターの同意を得て事業を始め、別紙2「記録表」で経過を記録する。"),
        target_description="入院中の長期入院精神障害者（被保護者）で退院の可能性のある者",
        phases=(PhaseSpec("選定・計画表"), PhaseSpec("センター・保健所への相談"),
                PhaseSpec("三者の同意"), PhaseSpec("事業の実施・記録表")),
        outcomes=(OutcomeSpec("discharge", "退院"),),
        rules=_all(_c("long_psychiatric_stay", "is", True)),
        conference_kind=INTERNAL, professions=("psw",),
        partner_kinds=("life_support_centre", "health_centre", "psychiatric_hospital"),
        features=("partner_areas",),
        # The seed's table of the four centres in H19 (「県内4カ所」). The OCR lost the area of
        # 櫻: it is registered without one, for the office to fill in. 有田・日高 had no centre
        # (「H20年度より事業実施を目指す」): people there are suggested their 保健所.
        seed_partners=(
            PartnerSpec("life_support_centre", "和歌山生活支援センター", "（福）一麦会",
                        ("和歌山市", "海草")),
            PartnerSpec("life_support_centre", "地域生活支援センター櫻", "（医）宮本病院"),
            PartnerSpec("life_support_centre", "紀の川・岩出生活支援センター", "（福）一麦会",
                        ("那賀", "伊都")),
            PartnerSpec("life_support_centre", "紀南障害者地域生活支援センター", "（福）やおき福祉会",
                        ("西牟婁", "東牟婁")),
        ),
    ),
    ProgramTemplate(
        code="izumo_discharge", office="島根県出雲市", name="生活保護精神障害者退院支援プログラム",
        kind=DAILY, category="退院支援", established_on=dt.date(2007, 4, 1),
        description=("精神保健福祉士等を雇用する委託事業所と連携し、退院支援員が「退院前訓練」「退院先の確保・調整」"
                     "「退院後の生活・就労訓練」を行う。退院支援ネットワーク会議で対象者の選定、意向確認、支援計画、"
                     "退院先の確保・調整を行う。"),
        target_description=("原則、精神科に3か月以上入院し、受入条件が整えば退院可能と主治医が認め、"
                            "本人に退院・自立の意思のある者"),
        phases=(PhaseSpec("退院前訓練"), PhaseSpec("退院先の確保・調整"),
                PhaseSpec("退院後の生活・就労訓練", 6)),
        outcomes=(OutcomeSpec("discharge", "退院"),),
        # 「精神科に3カ月以上入院している者で、地域において受入条件が整えば退院が可能であると主治医が
        # 認め」: the stay and the doctor's latest opinion (medical evidence); the person's own will
        # is asked at the network conference (「対象者・家族等の意向確認」).
        rules=_all(_c("psychiatric_stay_months", "gte", 3),
                   _c("medical.discharge", "in", ["possible", "if_supported"])),
        conference_kind=NETWORK, conference_name="退院支援ネットワーク会議（医療機関・相談支援事業所・"
        "障害者福祉サービス事業所又は精神障害者社会復帰施設・保健所・関係行政機関ほか）",
        professions=("discharge_support", "psw"),
        partner_kinds=("psychiatric_hospital", "contractor", "health_centre", "group_home",
                       "facility"),
    ),
    ProgramTemplate(
        code="takehara_discharge", office="竹原市", name="竹原市精神障害者退院支援プログラム",
        kind=DAILY, category="退院支援", established_on=dt.date(2007, 10, 1),
        description=("4月1日現在で精神科病院に入院している被保護者について5月31日までに支援対象者台帳を作り、"
                     "6月1日から「11月31日」（どの日かは事務所の設定で決める）までに病状調査等と嘱託医協議を行って"
                     "支援対象者を判断し、個人票を作る。"
                     "外泊訓練・住宅確保・施設入所・一時扶助の支給を支援し、居宅に移る者は在宅生活支援・"
                     "就労支援プログラムへの移行を検討する。"),
        target_description="精神科病院に入院している被保護者のうち退院可能な者",
        menus=(MenuSpec("外泊訓練の支援"), MenuSpec("住宅の確保に関する支援"),
               MenuSpec("施設入所の支援"), MenuSpec("一時扶助の支給に関する支援")),
        outcomes=(OutcomeSpec("discharge", "退院"),),
        targets=(TargetSpec("退院可能な被保護者を平成23年度末までに5人減らす", "reduction", 5, 2007,
                            2011, baseline=6),
                 TargetSpec("平成24年度までに退院可能な精神障害者を解消する", "reduction", 6, 2007,
                            2012, baseline=6)),
        rules=_all(_c("psychiatric_stay_months", "gte", 0)),
        review_interval_months=3, conference_kind=INTERNAL, conference_name="嘱託医協議",
        partner_kinds=("psychiatric_hospital", "health_centre"),
        features=("yearly_cycle",),
    ),
    ProgramTemplate(
        code="zentsuji_employment", office="善通寺市",
        name="善通寺市自立支援プログラム（稼動年齢者就労指導事業）", kind=ECONOMIC, category="就労支援",
        established_on=dt.date(2007, 4, 1),
        description=("担当CWがプログラムを説明して合意を得、就労支援員との第1回面接で支援を始める。経過記録は随時CWへ。"
                     "保護開始決定後すぐに利用を検討する（タイミングを外さない）。3か月・就労決定時・必要時に評価し、"
                     "就労は決裁、求職中は継続（さらに3か月）か中断を協議、打ち切った者も再度組み込める。"),
        target_description=("① 動機付けがありある程度就労意欲のある者 ② 転職・増収を図る就労中の者 "
                            "③ 収入増で廃止に至らない可能性のある者 ④ 傷病・障害があっても就労意欲のある者 "
                            "⑤ 年齢を問わない ⑥ 技能習得の意思がある者"),
        outcomes=(OutcomeSpec("employment_start", "就労開始"),
                  OutcomeSpec("income_increase", "転職・増収"),
                  OutcomeSpec("closed_by_work", "就労による保護廃止")),
        # 「就労意欲を有する者であれば、年齢は問わない」: the will to work (the latest 稼働能力評価)
        # selects, at any age; an office that wants an age limit adds it to this rule.
        rules=_all(_c("on_assistance", "is", True), _c("capacity.has_will", "is", True)),
        review_interval_months=3, standard_length_months=3, conference_kind=CASE_DIAGNOSIS,
        conference_name="ケース診断会議", professions=("employment_support",),
        partner_kinds=("hello_work",), approvals_needed=("achieve",),
        # 「課長・課長補佐・査察指導員及び就労支援員と協議し、支援を継続するか中断するかを決定」
        decision_attendees=("manager", "supervisor", "employment_support"),
        features=("new_case_trigger", "job_search_commitments"),
    ),
)

# 竹原市 runs its discharge program beside two others; its table reports all three.
COMPANIONS: tuple[ProgramTemplate, ...] = (
    ProgramTemplate(
        code="takehara_employment", office="竹原市", name="竹原市精神障害者就労支援プログラム",
        kind=ECONOMIC, category="就労支援", established_on=dt.date(2006, 9, 1),
        description="精神障害のある被保護者の就労を支援する（平成18年9月策定）。",
        target_description="精神障害のある被保護者で就労を希望する者",
        outcomes=(OutcomeSpec("employment_start", "就労開始"),),
        rules=_all(_c("on_assistance", "is", True), _c("disability", "in", ["mental"])),
        conference_kind=INTERNAL, partner_kinds=("hello_work",),
        companion_of="takehara_discharge",
    ),
    ProgramTemplate(
        code="takehara_home_life", office="竹原市", name="竹原市在宅生活支援プログラム",
        kind=DAILY, category="在宅生活支援", established_on=dt.date(2007, 10, 1),
        description="退院して居宅生活に移った精神障害のある被保護者の在宅生活を支援する（平成19年10月策定）。",
        target_description="退院して居宅生活に移行する精神障害のある被保護者",
        outcomes=(OutcomeSpec("daily_life_stable", "在宅生活の安定"),),
        rules=_all(_c("on_assistance", "is", True), _c("disability", "in", ["mental"])),
        conference_kind=INTERNAL, companion_of="takehara_discharge",
    ),
)

BY_CODE: dict[str, ProgramTemplate] = {t.code: t for t in (*TEMPLATES, *COMPANIONS)}


def get_template(code: str) -> ProgramTemplate | None:
    return BY_CODE.get(code)


def companions_of(code: str) -> list[ProgramTemplate]:
    return [t for t in COMPANIONS if t.companion_of == code]
