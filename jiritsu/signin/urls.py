from django.urls import path

from jiritsu.signin import views

app_name = "signin"

urlpatterns = [
    path("", views.account, name="account"),
    path("verify/", views.verify, name="verify"),
    path("setup/", views.setup, name="setup"),
    path("recovery-codes/", views.renew_codes, name="renew_codes"),
    path("remove/", views.remove, name="remove"),
    path("sessions/end/", views.end_own_sessions, name="end_sessions"),
    path("policy/", views.policy, name="policy"),
    path("staff/<int:pk>/", views.staff_security, name="staff"),
]
