"""The person file's screens under ``/people/`` (URL namespace ``people``): the person page,
its timeline and summary, households, editing people and their parts (``jiritsu.cases.views``),
and the caseload import (``jiritsu.people.views_import``)."""

from django.urls import path

from jiritsu.cases.views import person as views
from jiritsu.cases.views import person_edit as views_edit
from jiritsu.people import views_import

app_name = "people"

urlpatterns = [
    path("<int:pk>/", views.person_detail, name="person"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/timeline/", views.person_timeline, name="person_timeline"),
    path("<int:pk>/summary/", views.person_summary, name="person_summary"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("new/", views_edit.person_create, name="person_new"),
    path("<int:pk>/parts/", views_edit.person_parts, name="parts"),
    path("<int:pk>/parts/<slug:kind>/add/", views_edit.part_add, name="part_add"),
    path("<int:pk>/parts/<slug:kind>/<int:part_pk>/edit/", views_edit.part_edit, name="part_edit"),
    path("<int:pk>/parts/<slug:kind>/<int:part_pk>/delete/", views_edit.part_delete,
         name="part_delete"),
    path("households/new/", views_edit.household_create, name="household_new"),
    path("households/<int:pk>/edit/", views_edit.household_edit, name="household_edit"),
    path("import/", views_import.caseload_import, name="import"),
    path("import/template.<str:fmt>", views_import.import_template, name="import_template"),
]
