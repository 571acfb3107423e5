"""WSGI entry point (gunicorn jiritsu.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiritsu.settings")
application = get_wsgi_application()
