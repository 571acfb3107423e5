"""The person file (個人ファイル) exchanged with another installation: one person's hand-over
document in a signed, versioned JSON file.

::

    {"format": "jiritsu.person-file", "schema_version": 1, "exported_at": "…+09:00",
     "installation": "…", "office": {"code", "name"}, "document": {…hand-over document…},
     "handed_over_on": "YYYY-MM-DD" | null,
     "signature": {"algorithm": "Ed25519", "key_id": "…", "value": "<base64>"}}

``handed_over_on`` (optional: files written before it was added have none) says whether the
file was written as a hand-over (移管として出力: the sending office ended its open episodes
with 移管 on that day, in the export's transaction) or as a copy (写し, null: nothing changed
in the sending office).

The signature covers every key but ``signature``, serialised canonically (sorted keys, no
spaces, UTF-8). Each installation signs with its own Ed25519 private key
(``JIRITSU_TRANSFER_SIGNING_KEY``, a PEM file) and accepts files signed by the public keys
it was given (``JIRITSU_TRANSFER_TRUSTED_KEYS``, a folder of PEM files, one per installation;
its own key is trusted too). Keys are exchanged out of band and compared by their key id
(docs/transfers.md, "Between installations"). Reading refuses, with a stable code and a
Japanese message, anything that is not such a file, another schema version, an unknown key,
or a signature that does not match — a changed byte is a refused file. Taking a file in is
all-or-nothing: it becomes an offer to the office (a ``Transfer`` without a sending office),
which is accepted or declined like any other.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.cases import services as cases
from jiritsu.core import clock, wareki
from jiritsu.core.clock import not_after_today
from jiritsu.core.errors import DomainError, IllegalTransition, ValidationFailed
from jiritsu.offices.guards import Kind, audit, require, same_office
from jiritsu.offices.models import Membership
from jiritsu.people.models import Person
from jiritsu.transfers import handover
from jiritsu.transfers.models import Transfer

FORMAT = "jiritsu.person-file"
SCHEMA_VERSION = 1
ALGORITHM = "Ed25519"
MAX_BYTES = 20 * 1024 * 1024


class PersonFileRefused(ValidationFailed):
    """A person file that cannot be taken in (not one, another version, not signed by a trusted
    key, changed after signing, taken in before)."""

    code = "person_file_refused"


class SigningKeyMissing(DomainError):
    """The installation has no signing key configured: nothing can be sent until it has."""

    code = "signing_key_missing"
    status = 409


# ---------------------------------------------------------------- keys

def key_id(public: Ed25519PublicKey) -> str:
    """The key's fingerprint as exchanged and compared by people: 16 hex digits of SHA-256."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signing_key() -> Ed25519PrivateKey:
    path = getattr(settings, "JIRITSU_TRANSFER_SIGNING_KEY", "")
    if not path:
        raise SigningKeyMissing("個人ファイルの署名鍵が設定されていません（JIRITSU_TRANSFER_SIGNING_KEY）。"
                                "設置管理者に連絡してください。")
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing("個人ファイルの署名鍵が Ed25519 の鍵ではありません。")
    return key


def trusted_keys() -> dict[str, Ed25519PublicKey]:
    """key id → public key: the folder's PEM files and this installation's own key."""
    keys: dict[str, Ed25519PublicKey] = {}
    folder = getattr(settings, "JIRITSU_TRANSFER_TRUSTED_KEYS", "")
    if folder and Path(folder).is_dir():
        for pem in sorted(Path(folder).glob("*.pem")):
            key = serialization.load_pem_public_key(pem.read_bytes())
            if isinstance(key, Ed25519PublicKey):
                keys[key_id(key)] = key
    if getattr(settings, "JIRITSU_TRANSFER_SIGNING_KEY", ""):
        own = signing_key().public_key()
        keys[key_id(own)] = own
    return keys


def generate_keys(folder: Path) -> str:
    """Write a new key pair (``private.pem`` readable by the owner only, ``public.pem`` to
    give to other installations); return the key id."""
    folder.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(folder / "private.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    (folder / "public.pem").write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return key_id(key.public_key())


# ---------------------------------------------------------------- writing and reading

def canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sign(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with its signature (by this installation's key)."""
    key = signing_key()
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    value = base64.b64encode(key.sign(canonical(unsigned))).decode()
    return {**unsigned, "signature": {"algorithm": ALGORITHM, "key_id": key_id(key.public_key()),
                                      "value": value}}


def _refuse(message: str, code: str) -> PersonFileRefused:
    return PersonFileRefused(message, code=code, field="file")


def read(data: bytes) -> dict[str, Any]:
    """The verified contents of a person file, or :class:`PersonFileRefused`."""
    if len(data) > MAX_BYTES:
        raise _refuse("ファイルが大きすぎます。", "person_file_too_large")
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _refuse("個人ファイル（JSON）として読めません。", "person_file_unreadable") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise _refuse("Jiritsu の個人ファイルではありません。", "person_file_format")
    if body.get("schema_version") != SCHEMA_VERSION:
        raise _refuse(f"個人ファイルの版（{body.get('schema_version')}）に対応していません。"
                      f"この設置が読めるのは版 {SCHEMA_VERSION} です。", "person_file_version")
    signature = body.get("signature")
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        raise _refuse("署名がありません。署名のないファイルは取り込めません。", "person_file_unsigned")
    key = trusted_keys().get(str(signature.get("key_id", "")))
    if key is None:
        raise _refuse(f"署名した鍵（鍵ID {signature.get('key_id')}）が信頼する鍵に登録されていません。"
                      "設置管理者が相手の公開鍵を確認して登録してください。", "person_file_unknown_key")
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    try:
        key.verify(base64.b64decode(str(signature.get("value", "")), validate=True),
                   canonical(unsigned))
    except (InvalidSignature, binascii.Error, ValueError):
        raise _refuse("署名が一致しません。ファイルが作成後に変更されています。取り込めません。",
                      "person_file_tampered") from None
    doc = body.get("document")
    if not isinstance(doc, dict) or not isinstance(doc.get("person"), dict) or not all(
            doc["person"].get(k) for k in ("name", "kana", "birth_date")):
        raise _refuse("個人ファイルに氏名・ふりがな・生年月日がありません。", "person_file_incomplete")
    bad = handover.problems(doc)
    if bad:
        raise PersonFileRefused(f"個人ファイルに登録できない値が{len(bad)}件あります。",
                                code="person_file_invalid", field="file", details=bad)
    return body


@transaction.atomic
def export(*, actor: Membership, person: Person, hand_over: bool = False,
           on: dt.date | None = None) -> bytes:
    """The signed person file of ``person`` (a ``person_file.export`` audit row in the
    person's trail).

    ``hand_over`` (移管として出力): the file hands the person over to another installation, so
    in the same transaction the person's open episodes end with the reason 移管 on ``on``
    (each with its ``enrollment.end`` row), and the file says so (``handed_over_on``).
    Without it the file is a copy (写し) and nothing of the person changes. The file is signed
    before anything ends: without a signing key nothing is written and nothing ends."""
    require(actor, "transfer.decide")
    same_office(actor, person)
    if hand_over:
        if on is None:
            raise ValidationFailed("移管日を入力してください。", field="ended_on")
        not_after_today(on, field="ended_on", what="移管日")
        if Transfer.objects.filter(source_person=person,
                                   status=Transfer.Status.PROPOSED).exists():
            raise IllegalTransition(
                "この方は同じ設置の他の事務所への移管を協議中です。申出を取り下げてから、"
                "他の設置への移管として出力してください。", code="transfer_pending",
                field="hand_over")
    body = {"format": FORMAT, "schema_version": SCHEMA_VERSION,
            "exported_at": clock.now().isoformat(),
            "installation": getattr(settings, "JIRITSU_INSTALLATION_NAME", ""),
            "office": {"code": actor.office.code, "name": actor.office.name},
            "document": handover.document(person),
            "handed_over_on": on.isoformat() if hand_over and on is not None else None}
    data = json.dumps(sign(body), ensure_ascii=False, indent=1).encode()
    ended: list[int] = []
    if hand_over:
        assert on is not None
        ended = [e.pk for e in cases.end_for_office_transfer(
            actor=actor, person=person, on=on, note="他の設置への移管（個人ファイルの出力）")]
    audit(actor, "person_file.export", Kind.EXPORT, person, person=person,
          changes={"format": "json", "bytes": len(data),
                   "purpose": "hand_over" if hand_over else "copy",
                   **({"handed_over_on": body["handed_over_on"], "episodes_ended": ended}
                      if hand_over else {})})
    return data


def _purpose(body: dict[str, Any]) -> str:
    """How the sending office wrote the file, in words for the receiving office."""
    handed = body.get("handed_over_on")
    if not handed:
        return "写し：移管元のプログラムは終了していません"
    try:
        day = wareki.format_wareki(dt.date.fromisoformat(str(handed)))
    except ValueError:
        day = str(handed)
    return f"移管として出力：移管元のプログラムは{day}に「移管」で終了"


@transaction.atomic
def take_in(*, actor: Membership, data: bytes) -> Transfer:
    """A person file from another installation becomes an offer to the acting office, all or
    nothing; the office then accepts (its case number, its caseworker) or declines it."""
    require(actor, "transfer.decide")
    body = read(data)
    digest = hashlib.sha256(data).hexdigest()
    doc, office = body["document"], body.get("office") or {}
    source = " ".join(x for x in (str(body.get("installation") or ""), str(office.get("name") or ""))
                      if x) or "他の設置"
    person = doc["person"]
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                source_office=None, source_label=source[:200],
                source_case_number=str(doc.get("household", {}).get("case_number", ""))[:30],
                target_office=actor.office, person_name=str(person["name"])[:100],
                person_kana=str(person["kana"])[:100],
                birth_date=handover.person_values(doc)["birth_date"],
                reason=Transfer.Reason.MOVED, proposed_by=actor.user, hand_over=doc,
                note=f"個人ファイル（{body.get('exported_at', '')}作成、{_purpose(body)}）から取込み",
                file_digest=digest)
    except IntegrityError:
        raise _refuse("この個人ファイルは既に取り込まれています。", "person_file_taken_in") from None
    except (ValueError, TypeError):
        raise _refuse("個人ファイルの生年月日が読めません。", "person_file_incomplete") from None
    record(actor=actor.user, office=actor.office, action="person_file.import",
           kind=AuditEvent.Kind.IMPORT, target=transfer, note=source[:200],
           changes={"format": "json", "bytes": len(data)})
    return transfer
