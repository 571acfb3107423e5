"""The frame every page draws: its links and the main menu are worked out once per process
and role (jiritsu.core.templatetags.jiritsu), and must still be each role's own."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.test.utils import override_script_prefix


def _menu(client: Client, user: Any) -> list[str]:
    client.force_login(user)
    html = client.get("/search/").content.decode()
    nav = re.search(r'<nav aria-label="メインメニュー">(.*?)</nav>', html, re.S)
    assert nav is not None
    return re.findall(r">([^<>]+)</a>", nav.group(1))


def test_each_role_keeps_its_own_menu_when_roles_take_turns(world: Any) -> None:
    client = Client()
    caseworker = _menu(client, world.caseworker)
    supervisor = _menu(client, world.supervisor)
    partner = _menu(client, world.partner)
    assert "訪問計画" in caseworker and "供覧" not in caseworker
    assert "供覧" in supervisor and "重複の確認" in supervisor and "訪問計画" not in supervisor
    assert partner[:1] == ["ホーム"] and "プログラム" not in partner and "報告" not in partner
    # The same roles again, in another order: what is kept is kept per role.
    assert _menu(client, world.partner) == partner
    assert _menu(client, world.caseworker) == caseworker
    assert _menu(client, world.supervisor) == supervisor


def test_frame_links_are_the_reversed_urls(world: Any) -> None:
    client = Client()
    client.force_login(world.caseworker)
    html = client.get("/search/").content.decode()
    assert 'class="brand" href="/"' in html
    assert 'action="/search/"' in html and 'hx-get="/search/?dropdown=1"' in html
    assert 'href="/programs/"' in html and 'href="/day/visits/"' in html


def test_the_menu_follows_the_script_prefix(world: Any) -> None:
    """A server mounted under a path (SCRIPT_NAME) links under it: the kept links and menu
    are per prefix, not the first one drawn."""
    client = Client()
    client.force_login(world.caseworker)
    client.get("/search/")
    with override_script_prefix("/jiritsu/"):
        html = client.get("/search/").content.decode()
    assert 'class="brand" href="/jiritsu/"' in html
    assert 'href="/jiritsu/programs/"' in html
    assert 'href="/programs/"' not in html
