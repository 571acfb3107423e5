from django.urls import path

from jiritsu.people import views, views_import

app_name = "people"

urlpatterns = [
    path("<int:pk>/", views.person_detail, name="person"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("import/", views_import.caseload_import, name="import"),
    path("import/template.<str:fmt>", views_import.import_template, name="import_template"),
]
