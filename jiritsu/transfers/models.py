"""実施責任の移管 (a hand-over of a person between offices).

A transfer belongs to two offices at once — the one handing over (``source_office``) and the
one receiving (``target_office``) — so it has no office-scoped manager: the one door,
``jiritsu.transfers.access``, lets each office see its side of it. What the receiving office
learns of the person's past is the frozen hand-over document (``hand_over``, 移管時の引継ぎ書類:
保護台帳とケース記録の写し) written when the transfer is proposed; it never reads the
sending office's rows, and the sending office never reads the new person's
(docs/transfers.md).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q

from jiritsu.cases.models import Enrollment
from jiritsu.core import wareki
from jiritsu.offices.models import Office, User
from jiritsu.people.models import Person


class Transfer(models.Model):
    """移管: one person handed over from one office to another (or, from a signed person file,
    from another installation: ``source_office`` is then empty)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "受入れ協議中"
        ACCEPTED = "accepted", "受入れ済み"
        DECLINED = "declined", "受入れ不可"
        WITHDRAWN = "withdrawn", "取下げ"

    class Reason(models.TextChoices):
        MOVED = "moved", "転居"
        FACILITY = "facility", "施設への入所・退所"
        HOSPITAL = "hospital", "入院・退院"
        OTHER = "other", "その他"

    source_office = models.ForeignKey(Office, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="transfers_out", verbose_name="移管元の事務所")
    source_label = models.CharField("移管元", max_length=200)
    source_person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="transfers_out", verbose_name="移管元の世帯員")
    source_case_number = models.CharField("移管元のケース番号", max_length=30, blank=True)
    target_office = models.ForeignKey(Office, on_delete=models.PROTECT,
                                      related_name="transfers_in", verbose_name="移管先の事務所")
    # What identifies the person to the receiving office before it accepts.
    person_name = models.CharField("氏名", max_length=100)
    person_kana = models.CharField("ふりがな", max_length=100)
    birth_date = models.DateField("生年月日")
    reason = models.CharField("移管の理由", max_length=20, choices=Reason.choices)
    moved_on = models.DateField("転居日", null=True, blank=True)
    new_address = models.CharField("転居先の住所", max_length=200, blank=True)
    note = models.TextField("引継ぎ事項", blank=True)
    status = models.CharField("状態", max_length=20, choices=Status.choices,
                              default=Status.PROPOSED)
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="移管の申出者")
    proposed_at = models.DateTimeField("申出日時", auto_now_add=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="受入れの判断者")
    decided_on = models.DateField("受入れ・不可の日", null=True, blank=True)
    decline_reason = models.TextField("受入れできない理由・取下げの理由", blank=True)
    hand_over = models.JSONField("引継ぎ書類", default=dict, editable=False)
    # Neither person is held by the transfer: either office may delete its own person when
    # the retention period ends (the transfer keeps the names it copied).
    target_person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="transfers_in", verbose_name="移管先の世帯員")
    # A person file from another installation: its digest, so one file is taken in once.
    file_digest = models.CharField("取込みファイルのハッシュ", max_length=64, blank=True,
                                   editable=False)
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[Transfer]] = models.Manager()

    class Meta:
        verbose_name = "移管"
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_person"],
                                    condition=Q(status="proposed"),
                                    name="transfer_one_pending_per_person"),
            models.UniqueConstraint(fields=["target_office", "file_digest"],
                                    condition=~Q(file_digest=""),
                                    name="transfer_file_taken_in_once"),
            models.CheckConstraint(condition=~Q(source_office=models.F("target_office")),
                                   name="transfer_between_two_offices"),
        ]
        indexes = [models.Index(fields=["target_office", "status"], name="transfer_incoming"),
                   models.Index(fields=["source_office", "status"], name="transfer_outgoing")]

    def __str__(self) -> str:
        return f"移管（{self.person_name}、{self.source_label}から）"

    @property
    def proposed_on_label(self) -> str:
        return wareki.format_wareki(self.proposed_at.date()) if self.proposed_at else ""


class TransferredEpisode(models.Model):
    """An episode the sending office ended with the reason 移管, as the receiving office sees
    it (copied labels, no link into the other office), and the receiving office's own
    episode that continues it (``continued_as``)."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="episodes")
    program_code = models.CharField("プログラムコード", max_length=50, blank=True)
    program_name = models.CharField("プログラム", max_length=200)
    status_label = models.CharField("移管時の状態", max_length=20)
    phase_name = models.CharField("段階", max_length=100, blank=True)
    candidate_on = models.DateField("候補日", null=True, blank=True)
    started_on = models.DateField("支援開始日", null=True, blank=True)
    continued_as = models.OneToOneField(Enrollment, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="continues_transfer",
                                        verbose_name="継続した参加")

    objects: ClassVar[models.Manager[TransferredEpisode]] = models.Manager()

    class Meta:
        verbose_name = "移管された参加"
        ordering = ["transfer", "id"]

    def __str__(self) -> str:
        return f"移管された参加（{self.program_name}）"
