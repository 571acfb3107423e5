"""/metrics: Prometheus format, only with the monitoring token; counts and durations only."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.test import Client

TOKEN = "metrics-test-token-0123456789"


def test_without_a_configured_token_there_is_no_metrics_endpoint(db: Any, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 404


def test_metrics_need_the_token(db: Any, settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN
    assert Client().get("/metrics").status_code == 401
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_metrics_count_requests_queries_and_job_runs(world: Any, settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN
    client = Client()
    client.force_login(world.caseworker)
    assert client.get(f"/people/{world.person.pk}/").status_code == 200
    call_command("run_job", "purge_sessions")
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'jiritsu_http_requests_total{method="GET",status="200",view="people:person"}' in text
    assert 'jiritsu_http_request_duration_seconds_count{view="people:person"}' in text
    assert 'jiritsu_db_queries_total{view="people:person"}' in text
    assert 'jiritsu_job_runs_total{job="purge_sessions",result="succeeded"} 1.0' in text
    assert 'jiritsu_job_problem{job="purge_sessions"} 0.0' in text
    assert world.person.name not in text and f"/people/{world.person.pk}/" not in text
