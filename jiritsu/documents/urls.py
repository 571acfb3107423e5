from django.urls import path

from jiritsu.documents import views

app_name = "documents"
urlpatterns = [
    path("people/<int:person_pk>/attachments/", views.person_list, name="person_list"),
    path("people/<int:person_pk>/attachments/new/", views.upload, name="upload"),
    path("attachments/<int:pk>/", views.download, name="download"),
    path("attachments/<int:pk>/preview.png", views.thumbnail, name="thumbnail"),
    path("attachments/<int:pk>/delete/", views.delete, name="delete"),
]
