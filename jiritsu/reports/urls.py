from django.urls import path

from jiritsu.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("programs/<int:pk>/", views.program_report, name="program"),
    path("people/", views.people, name="people"),
    path("export/<str:fmt>/", views.export, name="export"),
    path("freeze/", views.freeze, name="freeze"),
    path("frozen/<int:pk>/", views.frozen_detail, name="frozen"),
    path("disclose/<int:person_pk>/", views.disclose, name="disclose"),
    path("person/<int:person_pk>/", views.person_effects, name="person_effects"),
]
