"""Browser fixtures for this app's tests (see browser.py)."""

from jiritsu.web.tests.browser import (  # noqa: F401
    _audit_flushable,
    _audit_triggers_back_on,
    browser,
    open_page,
)
