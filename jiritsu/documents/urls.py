from django.urls import path

from jiritsu.documents import views
from jiritsu.documents.catalogue import FORMS

app_name = "documents"
urlpatterns = [
    path("people/<int:person_pk>/attachments/", views.person_list, name="person_list"),
    path("people/<int:person_pk>/attachments/new/", views.upload, name="upload"),
    path("attachments/<int:pk>/", views.download, name="download"),
    path("attachments/<int:pk>/preview.png", views.thumbnail, name="thumbnail"),
    path("attachments/<int:pk>/delete/", views.delete, name="delete"),
] + [
    path(f"forms/{key}/" if spec.target == "year" else f"forms/{key}/<int:pk>/",
         views.form_view(spec), name=f"form_{key.replace('-', '_')}")
    for key, spec in FORMS.items()
]
