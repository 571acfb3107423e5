"""The server does not start with the built-in development secret key unless DEBUG is on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _start_server_module(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Import jiritsu.wsgi (what gunicorn and runserver load) in a fresh interpreter."""
    clean = {k: v for k, v in os.environ.items()
             if k not in {"JIRITSU_SECRET_KEY", "JIRITSU_DEBUG", "PYTEST_VERSION"}}
    clean.update(DJANGO_SETTINGS_MODULE="jiritsu.settings", JIRITSU_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-c", "import jiritsu.wsgi"], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=120)


def test_without_a_secret_key_and_debug_off_the_server_refuses_to_start(tmp_path):
    run = _start_server_module(tmp_path)
    assert run.returncode != 0
    assert "ImproperlyConfigured" in run.stderr
    assert "JIRITSU_SECRET_KEY が設定されていません" in run.stderr
    assert "JIRITSU_SECRET_KEY is not set" in run.stderr


def test_with_a_secret_key_or_in_debug_the_server_starts(tmp_path):
    assert _start_server_module(tmp_path, JIRITSU_SECRET_KEY="k" * 50).returncode == 0
    assert _start_server_module(tmp_path, JIRITSU_DEBUG="1").returncode == 0


def test_the_server_module_warms_up_before_the_workers_are_forked(tmp_path):
    """Loading jiritsu.wsgi (gunicorn's master, preload_app) imports the URL configuration,
    compiles the templates and freezes the garbage collector's view of them, so that no
    worker spends its first requests on it."""
    probe = (
        "import gc, sys, jiritsu.wsgi\n"
        "from django.template import engines\n"
        "loader = engines['django'].engine.template_loaders[0]\n"
        "print(gc.get_freeze_count() > 10_000, 'jiritsu.cases.views.person' in sys.modules,\n"
        "      'base.html' in loader.get_template_cache)\n")
    clean = {k: v for k, v in os.environ.items() if k not in {"JIRITSU_DEBUG", "PYTEST_VERSION"}}
    clean.update(DJANGO_SETTINGS_MODULE="jiritsu.settings", JIRITSU_VAR_DIR=str(tmp_path),
                 JIRITSU_SECRET_KEY="k" * 50)
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=clean,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "True", "True"]
