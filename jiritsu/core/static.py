"""Static files served by the app itself (WhiteNoise), for servers without a separate web
server for them and for closed networks."""

from __future__ import annotations

from whitenoise.middleware import WhiteNoiseMiddleware

ONE_YEAR_SECONDS = 365 * 24 * 60 * 60


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise with hashed (versioned) files cached for one year rather than WhiteNoise's
    ten: a new release changes the hash in the name, so browsers fetch what changed."""

    FOREVER = ONE_YEAR_SECONDS
