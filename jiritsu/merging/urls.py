from django.urls import path

from jiritsu.merging import views

app_name = "merging"

urlpatterns = [
    path("", views.candidates, name="candidates"),
    path("compare/<int:first>/<int:second>/", views.compare_view, name="compare"),
    path("history/", views.history, name="history"),
    path("history/<int:pk>/", views.detail, name="detail"),
    path("history/<int:pk>/unmerge/", views.unmerge, name="unmerge"),
]
