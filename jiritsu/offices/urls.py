from django.urls import path

from jiritsu.offices import views

app_name = "offices"

urlpatterns = [
    path("staff/", views.staff_list, name="staff"),
    path("staff/new/", views.staff_create, name="staff_new"),
    path("staff/<int:pk>/", views.staff_edit, name="staff_edit"),
    path("partners/", views.partner_list, name="partners"),
    path("partners/new/", views.partner_create, name="partner_new"),
    path("partners/<int:pk>/", views.partner_edit, name="partner_edit"),
    path("office/", views.office_settings, name="settings"),
]
