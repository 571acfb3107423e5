"""Long forms show what matters first, through the HTTP client: the screening list's 担当
column and 自分の担当 filter, a nomination filled in for the signed-in caseworker that
returns to the page it came from, the consent form's partners of the program first, the
conference form's fields per decision; and the person page's link to the measurement chart."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.activities.selectors import line_chart
from jiritsu.programs.models import Nomination
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def program(world):
    return make_program(world.office, name="就労支援", rules={"op": "and", "conditions": [
        {"field": "age", "op": "between", "value": [15, 64]}]})


def test_screening_list_shows_the_caseworker_and_filters_my_caseload(client, world, program):
    mine = t.make_household(world.office, caseworker=world.caseworker)
    theirs = t.make_household(world.office, caseworker=world.caseworker2)
    t.make_person(world.office, household=mine, name="自分 担当子", birth_date=dt.date(1980, 1, 1))
    t.make_person(world.office, household=theirs, name="他人 担当男",
                  birth_date=dt.date(1980, 1, 1))
    client.force_login(world.caseworker)
    url = reverse("programs:screening", args=[program.pk])
    html = client.get(url, {"as_of": "2026-04-01"}).content.decode()
    assert '<th scope="col">担当</th>' in html
    assert "自分 担当子" in html and "他人 担当男" in html
    assert str(world.caseworker2) in _text(html)
    html = client.get(url, {"as_of": "2026-04-01", "mine": "on"}).content.decode()
    assert "自分 担当子" in html and "他人 担当男" not in html
    total = re.search(r"該当\s*(\d+)人", _text(html))
    assert total and total.group(1) == str(len(re.findall(r"<td><a href=\"/people/", html)))


def test_nomination_is_prefilled_and_returns_to_the_page_it_came_from(client, world, program):
    hh = t.make_household(world.office, caseworker=world.caseworker)
    person = t.make_person(world.office, household=hh, birth_date=dt.date(1980, 1, 1))
    client.force_login(world.caseworker)
    back = reverse("programs:screening", args=[program.pk]) + "?as_of=2026-04-01&mine=on&page=2"
    url = reverse("programs:nominate", args=[program.pk, person.pk])
    html = client.get(url, {"next": back}).content.decode()
    assert f'value="{world.caseworker}"' in html  # 推薦者 is the signed-in caseworker
    resp = client.post(url, {"person_id": person.pk, "source": "caseworker",
                             "nominated_by": str(world.caseworker), "nominated_on": "2026-04-01",
                             "note": "", "next": back})
    assert resp.status_code == 302 and resp["Location"] == back
    assert Nomination.objects.get(person=person).nominated_by == str(world.caseworker)
    # A link elsewhere is not followed.
    other = t.make_person(world.office, household=hh, birth_date=dt.date(1981, 1, 1))
    url = reverse("programs:nominate", args=[program.pk, other.pk])
    resp = client.post(url, {"person_id": other.pk, "source": "caseworker",
                             "nominated_by": str(world.caseworker), "nominated_on": "2026-04-02",
                             "next": "https://example.com/x"})
    assert resp.status_code == 302, _text(resp.content.decode())[-3000:]
    assert resp["Location"] == reverse("programs:screening", args=[program.pk])
    # The screening list's links carry the page they are on.
    here = reverse("programs:screening", args=[program.pk]) + "?as_of=2026-04-01&mine=on"
    html = client.get(here).content.decode()
    assert f"?next={quote(here, safe='/')}" in html


def test_consent_form_lists_the_programs_partners_first(client, world, program):
    partners = [t.make_partner(world.office, name=f"関係機関{i:02d}") for i in range(6)]
    program.partners.set(partners[4:])
    client.force_login(world.caseworker)
    url = reverse("programs:consent_new", args=[world.person.pk])
    html = client.get(url, {"program": program.pk}).content.decode()
    first, _, rest = html.partition("<details class=\"consent-rest\"")
    assert "関係機関04に提供する情報" in first and "関係機関05に提供する情報" in first
    assert "関係機関00に提供する情報" in rest and "関係機関00" not in first
    assert "その他の関係機関（<span data-consent-rest-count>5</span>）" in html  # + the world's
    assert "<details class=\"consent-rest\">" in html  # folded
    # No program chosen: every partner is in the (open) list.
    html = client.get(url).content.decode()
    assert "<details class=\"consent-rest\" open>" in html


def test_conference_form_shows_each_field_for_its_decisions(client, world, program):
    client.force_login(world.supervisor)
    url = reverse("programs:conference_new")
    html = client.get(url, {"program": program.pk, "people": world.person.pk}).content.decode()
    assert 'data-for-decisions="extend"' in html and 'data-for-decisions="start change_phase"' in html
    assert "延長後の終了予定日<small class=\"muted\">（延長のとき）</small>" in html
    assert '<details class="decision-extra">' in html  # folded until a decision needs them
    # An extension without its date: the folded part opens with the message beside the field.
    p = f"d{world.person.pk}"
    resp = client.post(url, {"program": program.pk, "people": world.person.pk,
                             "kind": "case", "held_on": "2026-04-01", "title": "検討会",
                             f"{p}-person_id": world.person.pk, f"{p}-decision": "extend"})
    html = resp.content.decode()
    assert resp.status_code == 200
    assert '<details class="decision-extra" open>' in html


def test_person_page_links_to_the_measurement_chart(client, world):
    client.force_login(world.caseworker)
    html = client.get(reverse("people:person", args=[world.person.pk])).content.decode()
    link = reverse("activities:person_support", args=[world.person.pk]) + "#measurements"
    assert f'href="{link}"' in html
    assert 'id="measurements"' in client.get(link.split("#")[0]).content.decode()


def test_measurement_chart_writes_each_axis_label_once():
    day = dt.date(2026, 4, 1)
    points = [(day, {"kg": 60.0}), (day, {"kg": 60.2}), (day + dt.timedelta(days=1), {"kg": 60.4}),
              (day + dt.timedelta(days=2), {"kg": 60.1})] + [
        (day + dt.timedelta(days=30 + i), {"kg": 60.3}) for i in range(20)]
    chart = line_chart(points, [("kg", "体重", "line-weight")], unit="kg")
    xs = [label["text"] for label in chart.x_labels]
    ys = [label["text"] for label in chart.y_labels]
    assert len(xs) == len(set(xs)) and len(ys) == len(set(ys)), (xs, ys)
    assert xs[0] == "令和8年4/1"
    positions = [label["x"] for label in chart.x_labels]
    assert all(b - a >= 25 for a, b in zip(positions, positions[1:], strict=False))  # apart
