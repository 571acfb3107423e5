from django.urls import path

from jiritsu.casework import views, views_visits

app_name = "casework"

urlpatterns = [
    path("visits/", views_visits.visit_calendar, name="visits"),
    path("visits/plan/", views_visits.visit_plan, name="visit_plan"),
    path("visits/<int:pk>/record/", views_visits.visit_record, name="visit_record"),
    path("visits/<int:pk>/cancel/", views_visits.visit_cancel, name="visit_cancel"),
    path("visits/team/", views_visits.team_visits, name="team_visits"),
    path("confirm/", views.confirm_list, name="confirm_list"),
    path("confirm/<int:pk>/", views.confirm_record, name="confirm_record"),
    path("my-records/", views.my_records, name="my_records"),
    path("worklist/", views.worklist_view, name="worklist"),
    path("worklist/filters/", views.filter_save, name="filter_save"),
    path("worklist/filters/<int:pk>/delete/", views.filter_delete, name="filter_delete"),
    path("notices/", views.notices, name="notices"),
    path("digest/", views.digest, name="digest"),
    path("settings/", views.settings_page, name="settings"),
]
