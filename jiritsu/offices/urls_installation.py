"""The installation administrator's screens (/installation/): offices and their settings."""

from django.urls import path

from jiritsu.offices import views

app_name = "installation"

urlpatterns = [
    path("offices/", views.installation_offices, name="offices"),
    path("offices/new/", views.installation_office_create, name="office_new"),
    path("offices/<int:pk>/", views.installation_office_edit, name="office_edit"),
]
