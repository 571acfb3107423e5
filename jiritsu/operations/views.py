"""Health endpoints (no session), the scheduled jobs screen (administrators) and the
server-error page."""

from __future__ import annotations

import asyncio
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers
from health_check.views import HealthCheckView

from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.operations.health import READINESS_CHECKS
from jiritsu.operations.jobs import job_states
from jiritsu.operations.models import JobRun
from jiritsu.operations.request_context import request_id_of

RECENT_RUNS = 50


def live(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers (touches neither the database nor the session)."""
    response = JsonResponse({"status": "ok"})
    add_never_cache_headers(response)
    return response


class ReadyView(HealthCheckView):
    """Readiness: database, migrations, storage, scheduled jobs. 200 when all pass, 503 when
    any fails; the body names each check and, if it failed, what is wrong — never data."""

    checks = READINESS_CHECKS

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks()))
        failed = any(result.error for result in self.results)
        body = {
            "status": "unavailable" if failed else "ok",
            "checks": {type(r.check).__name__: (r.error.message if r.error else "OK")
                       for r in self.results},
        }
        return JsonResponse(body, status=503 if failed else 200,
                            json_dumps_params={"ensure_ascii": False})


@action_required("jobs.view")
def jobs(request: OfficeRequest) -> HttpResponse:
    runs = JobRun.objects.order_by("-started_at", "-id")[:RECENT_RUNS]
    return render(request, "operations/jobs.html", {"states": job_states(), "runs": runs})


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the error page with the request id, rendered without the database or the
    session (either may be what failed)."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request_id": request_id_of(request)}))
