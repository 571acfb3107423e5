"""The Hello Work interview's attendees become staff and partners on file.

Before, ``HelloWorkReferral.interview_attendees`` was free text (「本人・担当CW・査察・コーディ
ネーター」). Each referral's text is read word by word (split at 「・」「、」, commas, slashes and
line ends — not at spaces, which names hold; a trailing 「（…）」 and the spaces are left out
when matching):

- 「本人」 → ``interview_person_present``;
- 「担当CW」「CW」「ケースワーカー」「地区担当員」 → the membership of the person's caseworker in
  the office (seat 担当CW), when the household has one;
- 「安定所担当コーディネーター」 / 「特別部門統括職業指導官」「統括職業指導官」 → the Hello Work
  the referral went to (that seat);
- a name that is exactly one staff member's or partner contact's name (or user name) in the
  office → that membership; a partner organisation's name → that organisation.

A referral whose every word was matched keeps no text; one with any word left unmatched keeps
its whole old text as ``interview_attendees_note`` (「面接出席者（移行前の記録）」), so nothing
recorded is lost. Reversing writes the attendees back as text where the note is empty.
"""

import re
import unicodedata

import django.db.models.deletion
from django.db import migrations, models

SEPARATORS = re.compile(r"[・、,，/／;；\n]+")
TRAILING_NOTE = re.compile(r"[（(][^（(）)]*[）)]$")
PERSON_WORDS = {"本人"}
CASEWORKER_WORDS = {"担当CW", "CW", "担当ケースワーカー", "ケースワーカー", "地区担当員"}
HELLO_WORK_WORDS = {"安定所担当コーディネーター": "hw_coordinator",
                    "特別部門統括職業指導官": "hw_chief", "統括職業指導官": "hw_chief"}
SEAT_LABELS = {"caseworker": "担当CW", "office_coordinator": "福祉事務所担当コーディネーター",
               "hw_coordinator": "安定所担当コーディネーター", "hw_chief": "特別部門統括職業指導官"}


def _key(text):
    """Matching only: full-width letters and spaces do not make two names differ."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def match_words(text, *, caseworker, hello_work, members, partners):
    """(person present, [(membership, partner, seat)], every word matched) for one text.

    ``caseworker``: the person's caseworker's membership or None; ``hello_work``: the
    referral's Hello Work; ``members``: {name key: [membership]}; ``partners``: {name key:
    [organisation]}."""
    present, found, unmatched = False, [], False
    for word in (w for w in SEPARATORS.split(text or "") if w):
        key = _key(TRAILING_NOTE.sub("", word) or word)
        if key in {_key(w) for w in PERSON_WORDS}:
            present = True
        elif key in {_key(w) for w in CASEWORKER_WORDS} and caseworker is not None:
            found.append((caseworker, None, "caseworker"))
        elif key in {_key(w) for w in HELLO_WORK_WORDS}:
            seat = next(s for w, s in HELLO_WORK_WORDS.items() if _key(w) == key)
            found.append((None, hello_work, seat))
        elif len(members.get(key, [])) == 1:
            found.append((members[key][0], None, "other"))
        elif len(partners.get(key, [])) == 1:
            found.append((None, partners[key][0], "other"))
        else:
            unmatched = True
    unique, seen = [], set()
    for m, p, seat in found:
        k = (m.pk if m else None, p.pk if p else None, seat)
        if k not in seen:
            seen.add(k)
            unique.append((m, p, seat))
    return present, unique, not unmatched


def forwards(apps, schema_editor):
    Referral = apps.get_model("activities", "HelloWorkReferral")
    Attendee = apps.get_model("activities", "HelloWorkInterviewAttendee")
    Membership = apps.get_model("offices", "Membership")
    Partner = apps.get_model("offices", "PartnerOrganisation")
    directory = {}
    for referral in (Referral._base_manager.exclude(interview_attendees_note="")
                     .select_related("enrollment__person__household", "hello_work")):
        office_id = referral.office_id
        if office_id not in directory:
            members, partners = {}, {}
            for m in Membership._base_manager.filter(office_id=office_id, is_active=True) \
                    .select_related("user"):
                for name in {m.user.display_name, m.user.username} - {""}:
                    members.setdefault(_key(name), []).append(m)
            for p in Partner._base_manager.filter(office_id=office_id):
                partners.setdefault(_key(p.name), []).append(p)
            directory[office_id] = (members, partners)
        members, partners = directory[office_id]
        household = referral.enrollment.person.household
        caseworker = None
        if household is not None and household.caseworker_id is not None:
            caseworker = Membership._base_manager.filter(
                office_id=office_id, user_id=household.caseworker_id).first()
        present, found, complete = match_words(
            referral.interview_attendees_note, caseworker=caseworker,
            hello_work=referral.hello_work, members=members, partners=partners)
        Attendee._base_manager.bulk_create([
            Attendee(referral=referral, membership=m, partner=p, seat=seat)
            for m, p, seat in found])
        referral.interview_person_present = present
        if complete:
            referral.interview_attendees_note = ""
        referral.save(update_fields=["interview_person_present", "interview_attendees_note"])


def backwards(apps, schema_editor):
    Referral = apps.get_model("activities", "HelloWorkReferral")
    Attendee = apps.get_model("activities", "HelloWorkInterviewAttendee")
    for referral in Referral._base_manager.filter(interview_attendees_note=""):
        words = ["本人"] if referral.interview_person_present else []
        for a in Attendee._base_manager.filter(referral=referral).select_related(
                "membership__user", "partner").order_by("id"):
            if a.membership is not None:
                words.append(a.membership.user.display_name or a.membership.user.username)
            elif a.seat in SEAT_LABELS:
                words.append(SEAT_LABELS[a.seat])
            else:
                words.append(a.partner.name)
        if words:
            referral.interview_attendees_note = "・".join(words)[:300]
            referral.save(update_fields=["interview_attendees_note"])


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0004_staff_training'),
        ('offices', '0007_office_survey_period_ends'),
    ]

    operations = [
        migrations.AddField(
            model_name='helloworkreferral',
            name='interview_person_present',
            field=models.BooleanField(default=False, verbose_name='本人の出席'),
        ),
        migrations.CreateModel(
            name='HelloWorkInterviewAttendee',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seat', models.CharField(choices=[('caseworker', '担当CW'), ('office_coordinator', '福祉事務所担当コーディネーター（査察指導員）'), ('hw_coordinator', '安定所担当コーディネーター'), ('hw_chief', '特別部門統括職業指導官'), ('other', 'その他の出席者')], default='other', max_length=30, verbose_name='立場')),
                ('membership', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='offices.membership', verbose_name='出席した職員・関係機関の担当者')),
                ('partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='offices.partnerorganisation', verbose_name='出席した関係機関')),
                ('referral', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendees', to='activities.helloworkreferral')),
            ],
            options={
                'verbose_name': 'ハローワーク面接相談の出席者',
                'ordering': ['referral', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('membership__isnull', False), ('partner__isnull', True)), models.Q(('membership__isnull', True), ('partner__isnull', False)), _connector='OR'), name='hw_attendee_member_or_partner')],
            },
        ),
        migrations.RenameField(
            model_name='helloworkreferral',
            old_name='interview_attendees',
            new_name='interview_attendees_note',
        ),
        migrations.AlterField(
            model_name='helloworkreferral',
            name='interview_attendees_note',
            field=models.CharField(blank=True, max_length=300, verbose_name='面接出席者（移行前の記録）'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
