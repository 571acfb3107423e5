"""Top-level URLs. Each app owns its own ``urls.py``; this file only mounts them."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from jiritsu.operations import metrics as operations_metrics
from jiritsu.operations import views as operations_views
from jiritsu.reports import national_views
from jiritsu.signin import oidc as signin_oidc
from jiritsu.signin import views as signin_views

urlpatterns = [
    path("login/", signin_views.LoginView.as_view(), name="login"),
    path("oidc/authenticate/", signin_oidc.StartView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", signin_oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signin/", include("jiritsu.signin.urls")),
    path("", include("jiritsu.web.urls")),
    path("people/duplicates/", include("jiritsu.merging.urls")),
    path("people/", include("jiritsu.cases.urls_people")),
    path("audit/", include("jiritsu.web.audit_urls")),
    path("manage/retention/", include("jiritsu.retention.urls")),
    path("manage/", include("jiritsu.operations.urls")),
    path("manage/", include("jiritsu.offices.urls")),
    path("installation/", include("jiritsu.offices.urls_installation")),
    path("programs/", include("jiritsu.cases.urls")),
    path("guidance/", include("jiritsu.guidance.urls")),
    path("activities/", include("jiritsu.activities.urls")),
    path("reports/", include("jiritsu.reports.urls")),
    path("day/", include("jiritsu.casework.urls")),
    path("documents/", include("jiritsu.documents.urls")),
    path("transfers/", include("jiritsu.transfers.urls")),
    path("national/", national_views.national, name="national"),
    path("api/", include("jiritsu.api.urls")),
    # Polled without a session by a load balancer or monitoring (docs/operations.md).
    path("health/live", operations_views.live, name="health_live"),
    path("health/ready", operations_views.ReadyView.as_view(), name="health_ready"),
    path("metrics", operations_metrics.metrics_view, name="metrics"),
]

handler500 = operations_views.server_error
