from django.urls import path, re_path

from jiritsu.api import views
from jiritsu.api.api import api

app_name = "api"

urlpatterns = [
    path("v1/", api.urls),
    re_path(r"^v1/.*$", views.api_not_found),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
