"""Instances built without the model's constructor (jiritsu.core.instances) are the ones
``Model.from_db`` builds: the same values, state, deferred fields and saves."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext, isolate_apps

from jiritsu.core.instances import can_build_directly, direct_build
from jiritsu.people.models import Household, Person


def _row(instance: Model, attnames: list[str]) -> list[Any]:
    return [getattr(instance, name) for name in attnames]


def _state(instance: Model) -> tuple[Any, Any]:
    return instance._state.adding, instance._state.db


def test_built_like_from_db_all_fields_and_deferred(world: Any) -> None:
    person = world.person
    every = [f.attname for f in Person._meta.concrete_fields]
    assert can_build_directly(Person, every)
    values = _row(person, every)
    direct = direct_build(Person, every, values, "default")
    usual = Person.from_db("default", every, list(values))
    assert type(direct) is Person
    assert {k: v for k, v in vars(direct).items() if k != "_state"} == \
           {k: v for k, v in vars(usual).items() if k != "_state"}
    assert _state(direct) == _state(usual) == (False, "default")
    assert direct == usual and hash(direct) == hash(usual)
    assert direct.get_deferred_fields() == usual.get_deferred_fields() == set()

    # Some fields only: the others are deferred and read when first used, as from_db's.
    some = ["id", "household_id", "name"]
    direct = direct_build(Person, some, _row(person, some), "default")
    usual = Person.from_db("default", some, _row(person, some))
    assert direct.get_deferred_fields() == usual.get_deferred_fields()
    assert "kana_key" in direct.get_deferred_fields()
    with CaptureQueriesContext(connection) as queries:
        assert direct.kana_key == person.kana_key
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert direct.household == person.household  # the foreign key's id, then its row
    assert len(queries) == 1


def test_a_directly_built_instance_saves_as_an_update(world: Any) -> None:
    every = [f.attname for f in Household._meta.concrete_fields]
    household = world.person.household
    before = Household.objects.count()
    direct = direct_build(Household, every, _row(household, every), "default")
    direct.address = "東京都千代田区１－１"
    direct.save()  # not "adding": an UPDATE of the row, not an INSERT
    household.refresh_from_db()
    assert household.address == "東京都千代田区１－１"
    assert Household.objects.count() == before


def test_the_constructor_is_kept_where_it_does_more(world: Any) -> None:
    # A model with its own constructor is not built around it (defined in a registry of
    # its own, so the project's models stay as they are).
    with isolate_apps("jiritsu.core"):
        class Own(Model):
            class Meta:
                app_label = "core"

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)

    assert not can_build_directly(Own, ["id"])
    assert not can_build_directly(AbstractUser, ["id"])  # abstract
    assert not can_build_directly(Person, ["id", "no_such_field"])

    seen: list[Any] = []

    def listener(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(listener, sender=Person)
    try:
        every = [f.attname for f in Person._meta.concrete_fields]
        built = direct_build(Person, every, _row(world.person, every), "default")
    finally:
        post_init.disconnect(listener, sender=Person)
    assert seen == [built]  # a receiver connected later gets the constructor again
