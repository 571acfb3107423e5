"""Issue an API token for a user and print it (for integrations and the CI fuzz run)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from jiritsu.api.tokens import office_less_token_create, token_create
from jiritsu.core.errors import DomainError
from jiritsu.offices.models import Membership, User
from jiritsu.offices.permissions import acts_without_office


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print the secret (shown only once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="コマンドで発行")
        parser.add_argument("--office", help="Office code when the user has several memberships")
        parser.add_argument("--expires-on", type=dt.date.fromisoformat, default=None,
                            help="Last day the token works (YYYY-MM-DD, Japan); default: "
                                 "today plus settings.API_TOKEN_DAYS")

    def handle(self, *args: Any, username: str, name: str, office: str | None,
               expires_on: dt.date | None = None, **options: Any) -> None:
        with scopes_disabled():
            qs = Membership.objects.filter(user__username=username, is_active=True).select_related(
                "user", "office")
            if office:
                qs = qs.filter(office__code=office)
            membership = qs.order_by("office__code").first()
            if membership is None:
                user = User.objects.filter(username=username, is_active=True).first()
                if user is not None and not office and acts_without_office(user):
                    _token, raw = office_less_token_create(user=user, name=name,
                                                           expires_on=expires_on)
                    self.stdout.write(raw)
                    return
                raise CommandError(f"no active membership for user {username!r}")
            if not membership.can("apitoken.manage"):
                raise CommandError(f"role {membership.role!r} may not hold API tokens")
            try:
                _token, raw = token_create(actor=membership, name=name, expires_on=expires_on)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(raw)
