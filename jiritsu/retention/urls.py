from django.urls import path

from jiritsu.retention import views

app_name = "retention"

urlpatterns = [
    path("", views.index, name="index"),
    path("periods/", views.periods_edit, name="periods"),
    path("request/", views.request_deletion, name="request"),
    path("batches/<int:pk>/", views.batch, name="batch"),
]
