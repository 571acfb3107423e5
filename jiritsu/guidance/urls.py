from django.urls import path

from jiritsu.guidance import views

app_name = "guidance"

urlpatterns = [
    path("", views.board, name="board"),
    path("settings/", views.settings_page, name="settings"),
    path("people/<int:person_pk>/", views.person_page, name="person"),
    path("cases/<int:pk>/", views.case_page, name="case"),
    path("cases/<int:pk>/steps/<str:key>/", views.case_page, name="case_step"),
    path("documents/<int:pk>/", views.document, name="document"),
]
