"""A progress record (経過記録) with a date and no time keeps "no time", and a record is never
"in the future" on its own day, whatever the hour in Japan (tests at the hard moments)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.cases import services
from jiritsu.cases.models import ActivityRecord
from jiritsu.core import clock
from jiritsu.core.errors import ValidationFailed
from jiritsu.core.wareki import format_wareki
from jiritsu.reports import disclosure
from jiritsu.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture(params=t.HARD_MOMENTS)
def moment(request: Any, japan_time: Any) -> str:
    """Each hard moment in Japan time, frozen before the world is built."""
    japan_time(request.param)
    return request.param


def _values(when: Any) -> dict[str, Any]:
    return {"occurred_at": when, "kind": "home_visit", "text": "自宅を訪問。"}


def test_a_date_alone_is_a_record_without_time(japan_time: Any, world: Any) -> None:
    japan_time("2026-04-01 08:45")
    cw = world.m(world.caseworker)
    rec = services.record_create(actor=cw, person=world.person,
                                 values=_values(dt.date(2026, 4, 1)))
    rec.refresh_from_db()
    assert rec.time_known is False
    assert rec.occurred_at == dt.datetime(2026, 4, 1, 0, 0, tzinfo=clock.JAPAN)
    assert (rec.occurred_on, rec.time_label) == (dt.date(2026, 4, 1), "時刻なし")

    # Corrected with a time: the time is known; corrected back to a date: no time again.
    services.record_update(actor=cw, record=rec, expected_version=1,
                           values={"occurred_at": dt.datetime(2026, 4, 1, 8, 30,
                                                              tzinfo=clock.JAPAN)})
    rec.refresh_from_db()
    assert (rec.time_known, rec.time_label) == (True, "08:30")
    services.record_update(actor=cw, record=rec, expected_version=2,
                           values={"occurred_at": dt.date(2026, 3, 31)})
    rec.refresh_from_db()
    assert (rec.time_known, rec.occurred_on, rec.time_label) == (False, dt.date(2026, 3, 31),
                                                                 "時刻なし")


def test_a_record_is_refused_only_after_today_in_japan(japan_time: Any, world: Any) -> None:
    japan_time("2026-04-01 00:05")  # 2026-03-31 15:05 UTC
    cw = world.m(world.caseworker)
    later_today = dt.datetime(2026, 4, 1, 23, 30, tzinfo=clock.JAPAN)
    assert services.record_create(actor=cw, person=world.person,
                                  values=_values(later_today)).time_known
    for future in (dt.date(2026, 4, 2), dt.datetime(2026, 4, 2, 0, 0, tzinfo=clock.JAPAN),
                   dt.datetime(2026, 4, 1, 15, 0, tzinfo=dt.UTC)):  # 04-02 00:00 in Japan
        with pytest.raises(ValidationFailed) as exc:
            services.record_create(actor=cw, person=world.person, values=_values(future))
        assert (exc.value.code, exc.value.field) == (clock.FUTURE_DATE, "occurred_at")
        assert "未来の日付" in exc.value.message
    assert ActivityRecord.objects.count() == 1


def test_record_screen_at_the_hard_moments(moment: str, world: Any, client: Any) -> None:
    today = clock.today()
    assert today == dt.date.fromisoformat(moment[:10])
    client.force_login(world.caseworker)
    url = reverse("programs:record_new", args=[world.person.pk])
    assert "空欄なら「時刻なし」" in client.get(url).content.decode()
    # A date alone, entered at any hour of that day: saved without a time.
    r = client.post(url, {"occurred_on": today.isoformat(), "occurred_time": "",
                          "kind": "home_visit", "text": "自宅を訪問。"})
    assert r.status_code == 302, r.content.decode()[:2000]
    rec = ActivityRecord.objects.get()
    assert (rec.time_known, rec.occurred_on) == (False, today)
    # A time later today is still today: not in the future.
    r = client.post(url, {"occurred_on": today.isoformat(), "occurred_time": "23:59",
                          "kind": "phone", "text": "電話で確認。"})
    assert r.status_code == 302
    # Tomorrow is refused beside the date, in Japanese.
    r = client.post(url, {"occurred_on": (today + dt.timedelta(days=1)).isoformat(),
                          "kind": "phone", "text": "明日の記録"})
    assert r.status_code == 200
    assert "未来の日付" in " ".join(r.context["form"].errors["occurred_on"])
    assert ActivityRecord.objects.count() == 2

    # The person page shows the record's date (in the era of that day) and 「時刻なし」.
    page = client.get(reverse("people:person", args=[world.person.pk])).content.decode()
    assert format_wareki(today) in page
    assert "時刻なし" in page and "23:59" in page
    if today == dt.date(2019, 5, 1):
        assert "令和元年5月1日" in page
    if today == dt.date(2019, 4, 30):
        assert "平成31年4月30日" in page


@pytest.mark.parametrize("at", ["2026-04-01 08:45", "2026-04-01 00:05", "2019-04-30 23:55"])
def test_record_api_takes_a_date_alone_or_a_datetime(at: str, japan_time: Any,
                                                     world: Any) -> None:
    japan_time(at)
    today = clock.today()
    api = ApiClient(token_for(world, world.caseworker))
    body = {"person_id": world.person.pk, "kind": "phone", "text": "電話で近況を確認。"}

    r = api.post("records", {**body, "occurred_at": today.isoformat()})
    assert r.status_code == 201, r.json()
    out = r.json()
    assert (out["time_known"], out["occurred_on"]) == (False, today.isoformat())
    # occurred_at is the start of that day in Japan
    assert dt.datetime.fromisoformat(out["occurred_at"]) == dt.datetime.combine(
        today, dt.time(0), tzinfo=clock.JAPAN)

    r = api.post("records", {**body, "occurred_at": f"{today.isoformat()}T23:50:00+09:00"})
    assert r.status_code == 201, r.json()
    assert (r.json()["time_known"], r.json()["occurred_on"]) == (True, today.isoformat())

    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    for value in (tomorrow, f"{tomorrow}T00:00:00+09:00"):
        r = api.post("records", {**body, "occurred_at": value})
        assert r.status_code == 422
        assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("future_date",
                                                                        "occurred_at")

    # A correction to a date alone drops the time.
    rec = api.patch(f"records/{out['id']}", {"version": 1, "occurred_at": today.isoformat()})
    assert rec.status_code == 200, rec.json()
    assert rec.json()["time_known"] is False
    assert ActivityRecord.objects.count() == 2


def test_records_without_time_show_their_date_only(japan_time: Any, world: Any,
                                                   client: Any) -> None:
    japan_time("2026-04-01 08:45")
    cw = world.m(world.caseworker)
    services.record_create(actor=cw, person=world.person, values=_values(dt.date(2026, 3, 31)))
    services.record_create(actor=cw, person=world.person, values={
        **_values(dt.datetime(2026, 4, 1, 8, 40, tzinfo=clock.JAPAN)), "kind": "phone"})
    rows = {s.key: s.rows for s in disclosure.collect(world.person)}["records"]
    when = {r["種別"]: r["日時"] for r in rows}
    assert when["家庭訪問"] == dt.date(2026, 3, 31)
    assert disclosure.display(when["家庭訪問"]) == "令和8年3月31日"
    assert disclosure.display(when["電話"]) == "令和8年4月1日 08:40"
    assert "時刻の記録あり" not in rows[0]

    client.force_login(world.caseworker)
    page = client.get(reverse("people:person", args=[world.person.pk])).content.decode()
    assert "時刻なし" in page and "08:40" in page
    home = client.get("/").content.decode()
    assert "令和8年3月31日" in home
