"""WSGI entry point (gunicorn jiritsu.wsgi; runserver loads it too)."""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from jiritsu.core.warmup import warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiritsu.settings")

NO_SECRET_KEY = (
    "JIRITSU_SECRET_KEY が設定されていません。本番環境（JIRITSU_DEBUG がオフ）では、推測できない"
    "秘密鍵を環境変数 JIRITSU_SECRET_KEY に設定してから起動してください。 / "
    "JIRITSU_SECRET_KEY is not set. With debug off (JIRITSU_DEBUG unset or 0) the server does not "
    "start with the built-in development key: set JIRITSU_SECRET_KEY to a long random secret "
    "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(50))')."
)

if getattr(settings, "SECRET_KEY_BUILT_IN", False) and not settings.DEBUG:
    raise ImproperlyConfigured(NO_SECRET_KEY)

application = get_wsgi_application()


# gunicorn loads this module once in its master (``preload_app``, gunicorn.conf.py) and forks
# the workers from it: they start with the URL configuration imported, the templates compiled
# and the garbage collector's view of all that frozen (jiritsu.core.warmup).
warm_up()
