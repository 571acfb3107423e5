"""Facts about requests that the screens' and the API's middleware share.

They live here, below both, so that ``web`` does not import ``api`` (the import contracts in
``pyproject.toml``, docs/architecture.md).
"""

API_PREFIX = "/api/v1/"  # where the JSON API answers; every other path is a screen
NUL = "\x00"  # PostgreSQL cannot store or compare text holding it
