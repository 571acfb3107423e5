"""The program life cycle through the API, one router per object: screening, 台帳 and
nominations (``screening``), enrolments and their transitions (``enrollments``), consents
(``consents``), conferences and decisions (``conferences``), the results 検討会
(``results``), plans and records (``plans``),
reviews, due reviews and outcomes (``reviews``), 決裁 (``approvals``); ``common`` holds the
id references and the enrolment/決裁 outputs they share.

Every write calls ``jiritsu.cases.services``; every object is reached through
``jiritsu.cases.access`` / ``jiritsu.cases.access``. Nothing here decides a business
rule: ids in the input are turned into the office's objects, the service does the rest.
All routers are registered under the one tag プログラムの流れ, and their operation ids keep the
package name (``jiritsu_api_routers_lifecycle_<function>``; see ``ContractAPI``).
"""

from __future__ import annotations

from jiritsu.api.routers.lifecycle import (
    approvals,
    conferences,
    consents,
    enrollments,
    plans,
    results,
    reviews,
    screening,
)

ROUTERS = [screening.router, enrollments.router, consents.router, conferences.router,
           results.router, plans.router, reviews.router, approvals.router]
