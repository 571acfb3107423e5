"""Screen ↔ API: every capability reachable on a screen is reachable through /api/v1/.

``SCREEN_TO_API`` maps each named screen URL to the API operations (method and path template
of the OpenAPI document) that give the same capability through the same services, access
functions and audit. A screen URL that handles several actions in its POST (a form field
``action`` or one form per next step) maps to one operation per action. ``NO_API`` lists the
screen URLs that have, on purpose, no API operation, each with its reason.

The test fails when a screen URL is in neither list, when a mapped operation is not in the
OpenAPI document, or when an entry names a screen URL that no longer exists. A new screen
therefore needs its API operation (or a reason) before it lands. See docs/api.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.urls import URLPattern, URLResolver, get_resolver

from jiritsu.api.api import api
from jiritsu.documents.catalogue import FORMS

PREFIX = "/api/v1"

SCREEN_TO_API: dict[str, list[str]] = {
    # --- home and search: the lists a role's home page is made of
    "home": ["GET /households", "GET /reviews/due", "GET /approvals", "GET /consents",
             "GET /tasks", "GET /records", "GET /enrollments", "GET /people"],
    "search": ["GET /people"],
    "casework:worklist": ["GET /reviews/due", "GET /approvals", "GET /consents", "GET /tasks"],
    # --- people and households
    "people:person": ["GET /people/{person_id}", "GET /people/{person_id}/timeline",
                      "GET /people/{person_id}/evidence", "GET /people/{person_id}/amounts"],
    "people:person_edit": ["GET /people/{person_id}", "PATCH /people/{person_id}"],
    "people:person_timeline": ["GET /people/{person_id}/timeline"],
    "people:person_summary": ["GET /people/{person_id}", "GET /people/{person_id}/timeline"],
    "people:household": ["GET /households/{household_id}", "GET /people"],
    "people:person_new": ["POST /people"],
    "people:parts": ["GET /people/{person_id}"],
    "people:part_add": [f"POST /people/{{person_id}}/{kind}" for kind in (
        "disabilities", "illnesses", "stays", "work", "qualifications", "care", "assessments",
        "evidence")],
    "people:part_edit": [f"PATCH /people/{{person_id}}/{kind}/{{part_id}}" for kind in (
        "disabilities", "illnesses", "stays", "work", "qualifications", "care", "assessments",
        "evidence")],
    "people:part_delete": [f"DELETE /people/{{person_id}}/{kind}/{{part_id}}" for kind in (
        "disabilities", "illnesses", "stays", "work", "qualifications", "care", "assessments",
        "evidence")],
    "people:household_new": ["POST /households"],
    "people:household_edit": ["GET /households/{household_id}", "PATCH /households/{household_id}"],
    "people:import": ["POST /households/bulk-upsert", "POST /assistance/bulk-upsert",
                      "POST /medical-claims/bulk-upsert"],
    # --- audit log and office administration
    "audit:list": ["GET /audit/events"],
    "audit:export": ["GET /audit/events"],
    "offices:staff": ["GET /admin/staff"],
    "offices:staff_new": ["POST /admin/staff"],
    "offices:staff_edit": ["GET /admin/staff/{membership_id}", "PATCH /admin/staff/{membership_id}"],
    "offices:partners": ["GET /admin/partners"],
    "offices:partner_new": ["POST /admin/partners"],
    "offices:partner_edit": ["GET /admin/partners/{partner_id}",
                             "PATCH /admin/partners/{partner_id}"],
    # --- programs: catalogue, screening, life cycle
    "programs:list": ["GET /programs"],
    "programs:create": ["POST /programs"],
    "programs:rule_count": ["POST /programs/rules/count"],
    "programs:detail": ["GET /programs/{program_id}", "GET /programs/{program_id}/targets",
                        "GET /programs/{program_id}/ledgers", "GET /enrollments",
                        "GET /reports/programs/{program_id}"],
    "programs:edit": ["PATCH /programs/{program_id}", "PUT /programs/{program_id}/targets"],
    "programs:screening": ["GET /programs/{program_id}/screening", "GET /nominations",
                           "POST /programs/{program_id}/ledgers"],
    "programs:nominate": ["POST /nominations"],
    "programs:enroll": ["POST /enrollments"],
    "programs:enroll_choose": ["GET /programs", "POST /enrollments"],
    "programs:ledger": ["GET /ledgers/{ledger_id}"],
    "programs:consent_new": ["POST /consents"],
    "programs:consent_withdraw": ["POST /consents/{consent_id}/withdraw"],
    "programs:record_new": ["POST /records"],
    "programs:enrollment": ["GET /enrollments/{enrollment_id}",
                            "GET /enrollments/{enrollment_id}/plans",
                            "GET /enrollments/{enrollment_id}/reviews",
                            "GET /enrollments/{enrollment_id}/outcomes", "GET /records"],
    # do/<action>/: select, start, change_phase, set_menus, extend, end, transfer
    "programs:transition": [f"POST /enrollments/{{enrollment_id}}/{a}" for a in (
        "select", "start", "change-phase", "menus", "extend", "end", "transfer")],
    "programs:assign": ["POST /enrollments/{enrollment_id}/assign"],
    "programs:plan_new": ["POST /enrollments/{enrollment_id}/plans"],
    "programs:review_new": ["POST /enrollments/{enrollment_id}/reviews"],
    "programs:outcome_new": ["POST /enrollments/{enrollment_id}/outcomes"],
    "programs:conferences": ["GET /conferences"],
    "programs:conference_new": ["POST /conferences"],
    "programs:conference": ["GET /conferences/{conference_id}"],
    "programs:results": ["GET /programs/{program_id}/results"],
    "programs:results_new": ["POST /programs/{program_id}/results"],
    "programs:approvals": ["GET /approvals", "GET /approvals/mine", "GET /approvals/route"],
    "programs:approval_route": ["PUT /approvals/route"],
    "programs:approval": ["GET /approvals/{approval_id}", "POST /approvals/{approval_id}/decide"],
    "programs:reviews_due": ["GET /reviews/due"],
    # one column of the program board in full: the episodes of the program in that state
    "programs:board_column": ["GET /enrollments"],
    # --- guidance (指導指示)
    "guidance:board": ["GET /guidance/board", "GET /people"],
    "guidance:settings": ["GET /guidance/settings", "PATCH /guidance/settings"],
    "guidance:person": ["GET /guidance/cases", "POST /guidance/cases"],
    "guidance:case": ["GET /guidance/cases/{case_id}"],
    # steps/<key>/: one form per lawful next step
    "guidance:case_step": [f"POST /guidance/cases/{{case_id}}/{a}" for a in (
        "oral-instruction", "conference", "written-instruction", "noncompliance",
        "compliance", "notice", "hearing", "decision", "close")]
    + ["POST /guidance/steps/{step_id}/delivery", "POST /guidance/steps/{step_id}/approve"],
    "guidance:document": ["GET /guidance/steps/{step_id}/document"],
    # --- activities
    # tasks: the list, and action=considered / the yearly cycle's records
    "activities:tasks": ["GET /tasks", "POST /tasks/new-case-considered",
                         "POST /tasks/cycle-records"],
    "activities:templates": ["GET /program-templates"],
    "activities:template_create": ["POST /program-templates/{code}/programs"],
    # action=approve / start
    "activities:training_list": ["GET /training-placements", "GET /training-employers",
                                 "POST /training-employers", "POST /training-placements"],
    # action=day / month / extend / end
    "activities:training_detail": [
        "GET /training-placements/{placement_id}", "GET /training-placements/{placement_id}/days",
        "POST /training-placements/{placement_id}/days",
        "POST /training-placements/{placement_id}/monthly-status",
        "POST /training-placements/{placement_id}/extend",
        "POST /training-placements/{placement_id}/end"],
    "activities:series_list": ["GET /session-series", "POST /session-series"],
    # action=districts / session / volunteer / expense / invite / answer
    "activities:series_detail": [
        "GET /session-series/{series_id}", "GET /session-series/{series_id}/eligible-people",
        "PATCH /session-series/{series_id}/districts",
        "POST /session-series/{series_id}/sessions", "POST /session-series/{series_id}/volunteers",
        "POST /session-series/{series_id}/expenses",
        "POST /session-series/{series_id}/invitations",
        "POST /session-series/{series_id}/recruitments/{recruitment_id}/answer"],
    "activities:staff_training_list": ["GET /staff-trainings", "POST /staff-trainings"],
    # action=edit / attendance
    "activities:staff_training_detail": ["GET /staff-trainings/{training_id}",
                                         "PATCH /staff-trainings/{training_id}",
                                         "PUT /staff-trainings/{training_id}/attendance"],
    # action=step / attendees
    "activities:referral_detail": ["GET /hello-work-referrals/{referral_id}",
                                   "POST /hello-work-referrals/{referral_id}/steps",
                                   "PUT /hello-work-referrals/{referral_id}/attendees"],
    # action=track / contact / family_request / family_answer / receiving / receiving_answer / hw
    # / work_route / work_advice / work_barrier / work_judge / work_step / work_done
    "activities:person_support": [
        "GET /people/{person_id}/support", "GET /people/{person_id}/measurements",
        "GET /people/{person_id}/work-routes", "POST /people/{person_id}/work-routes",
        "POST /people/{person_id}/work-advice", "GET /people/{person_id}/work-barriers",
        "POST /people/{person_id}/work-barriers",
        "POST /people/{person_id}/work-barriers/{barrier_id}/status",
        "POST /people/{person_id}/work-barriers/{barrier_id}/steps",
        "PATCH /people/{person_id}/work-barriers/{barrier_id}/steps/{work_step_id}",
        "POST /people/{person_id}/health-tracks", "POST /people/{person_id}/family-contacts",
        "POST /people/{person_id}/family-requests",
        "POST /people/{person_id}/family-requests/{request_id}/answer",
        "POST /people/{person_id}/receiving-requests",
        "POST /people/{person_id}/receiving-requests/{request_id}/answer",
        "GET /hello-work-referrals", "POST /hello-work-referrals"],
    "activities:partner_areas": ["GET /partner-areas"],
    "activities:non_recipient": ["POST /programs/{program_id}/non-recipients"],
    # --- reports
    "reports:report": ["GET /reports/office", "GET /reports/frozen"],
    "reports:program": ["GET /reports/programs/{program_id}"],
    "reports:people": ["GET /reports/people", "GET /reports/people/export"],
    "reports:export": ["GET /reports/export/{fmt}"],
    "reports:freeze": ["POST /reports/frozen"],
    "reports:frozen": ["GET /reports/frozen/{frozen_id}"],
    "reports:disclose": ["GET /people/{person_id}/disclosure"],
    "reports:person_effects": ["GET /people/{person_id}/effects"],
    "national": ["GET /reports/national"],
    # --- offices and their settings (installation administrator; the office's own admin)
    "installation:offices": ["GET /offices"],
    "installation:office_new": ["POST /offices"],
    "installation:office_edit": ["GET /offices/{office_id}", "PATCH /offices/{office_id}"],
    "offices:settings": ["GET /office/settings", "PATCH /office/settings"],
    # --- API tokens (the screen and the API manage the same tokens)
    "api:tokens": ["GET /tokens", "POST /tokens"],
    "api:token_revoke": ["POST /tokens/{token_id}/revoke"],
    # --- attachments (添付書類)
    "documents:person_list": ["GET /people/{person_id}/attachments"],
    "documents:upload": ["POST /people/{person_id}/attachments"],
    "documents:download": ["GET /attachments/{attachment_id}/content"],
    "documents:delete": ["GET /attachments/{attachment_id}", "POST /attachments/{attachment_id}/delete"],
    # --- 移管 (a person handed over to another office; the person file between installations)
    "transfers:list": ["GET /transfers"],
    "transfers:detail": ["GET /transfers/{transfer_id}"],
    "transfers:person": ["POST /transfers"],
    "transfers:accept": ["POST /transfers/{transfer_id}/accept"],
    "transfers:decline": ["POST /transfers/{transfer_id}/decline"],
    "transfers:withdraw": ["POST /transfers/{transfer_id}/withdraw"],
    "transfers:continue": ["POST /transferred-episodes/{episode_id}/continue"],
    "transfers:export": ["POST /people/{person_id}/person-file",
                         "GET /people/{person_id}/person-file"],
    "transfers:import": ["POST /person-files"],
    # --- the caseworker's day: visit plans, 供覧 and the seal column, the office's settings
    "casework:visits": ["GET /visits", "GET /visits/due"],
    "casework:visit_plan": ["POST /visits"],
    "casework:visit_cancel": ["POST /visits/{visit_id}/cancel"],
    "casework:visit_record": ["POST /visits/{visit_id}/record"],
    "casework:team_visits": ["GET /visits/team"],
    "casework:confirm_list": ["GET /confirmations/waiting", "POST /confirmations"],
    "merging:candidates": ["GET /people/duplicates"],
    "merging:compare": ["GET /people/{person_id}", "POST /people/{person_id}/merge",
                        "POST /people/duplicates/dismiss"],
    "merging:history": ["GET /person-merges"],
    "merging:detail": ["GET /person-merges/{merge_id}"],
    "merging:unmerge": ["GET /person-merges/{merge_id}", "POST /person-merges/{merge_id}/unmerge"],
    "casework:confirm_record": ["GET /records/{record_id}/seals", "POST /confirmations"],
    "casework:my_records": ["GET /confirmations/mine"],
    # form=settings / assign
    "retention:index": ["GET /retention/due", "GET /retention/periods", "GET /retention/deletions"],
    "retention:periods": ["PATCH /retention/periods"],
    "retention:request": ["POST /retention/deletions"],
    "retention:batch": ["GET /retention/deletions/{batch_id}"],
    "casework:settings": ["GET /casework/settings", "PATCH /casework/settings",
                          "PUT /casework/assignments/{caseworker_id}"],
    # --- forms (帳票): one operation per form, on the path of the record it prints from
    **{f"documents:form_{key.replace('-', '_')}": [f"GET {spec.api_path}"]
       for key, spec in FORMS.items()},
}

NO_API: dict[str, str] = {
    "login": "browser log-in; the API authenticates each request with a token or the session",
    "logout": "ends the browser session; an integration revokes its token instead",
    "switch_office": "chooses the session's office; the API says X-Jiritsu-Office per request",
    "people:import_template": "a blank spreadsheet for people to fill in; the API takes JSON rows",
    "documents:thumbnail": "a small picture for the person page; the API gives the file itself",
    "programs:rule_rows": "redraws the program editor's 選定条件 rows (HTML); the API takes the "
                          "rule as JSON (POST /programs, PATCH /programs/{id}, its count at "
                          "POST /programs/rules/count)",
    # The caseworker's day: preferences of one signed-in user (the work list's lines are the
    # API's own lists, mapped above).
    "casework:filter_save": "a saved work-list filter is a screen preference of one user",
    "casework:filter_delete": "a saved work-list filter is a screen preference of one user",
    "casework:notices": "in-app notices of the signed-in user",
    "casework:digest": "the user's e-mail opt-in, a preference of the account",
    # Signing in (signin): a person's own browser security, done in the browser.
    "oidc_authentication_init": "single sign-on starts in the browser at the identity provider",
    "oidc_authentication_callback": "the identity provider returns the browser here",
    "signin:account": "the signed-in user's own second factor and sessions, in the browser",
    "signin:verify": "the second step of a browser sign-in; a token needs none",
    "signin:setup": "registering an authenticator app is done by the person with their phone",
    "signin:renew_codes": "recovery codes are shown once to the person in the browser",
    "signin:remove": "the person's own second factor, in the browser",
    "signin:end_sessions": "browser sessions of the signed-in user",
    "signin:policy": "the office's sign-in policy is set by its administrator on screen",
    "signin:staff": "an administrator ends a member's sessions and tokens on screen (tokens: POST /tokens/{token_id}/revoke)",
    # Operations (issue 23): endpoints for load balancers and monitoring, not screens of records.
    "health_live": "liveness probe for a load balancer; no session, nothing personal",
    "health_ready": "readiness probe for a load balancer; no session, nothing personal",
    "metrics": "Prometheus metrics for the IT department, read with its own bearer token",
    "operations:jobs": "the installation's scheduled-job runs for IT staff; /health/ready reports stale jobs",
}

# Not screens: the API itself (its docs page and JSON document are the API's own).
API_NAMESPACE = "api:api-v1:"


def screen_url_names() -> set[str]:
    def walk(patterns: Sequence[object], namespace: str) -> Iterator[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}{p.name}"

    return {n for n in walk(get_resolver().url_patterns, "")
            if not n.startswith(API_NAMESPACE)}


def api_operations() -> set[str]:
    paths = api.get_openapi_schema()["paths"]
    return {f"{method.upper()} {path.removeprefix(PREFIX)}"
            for path, ops in paths.items() for method in ops}


def test_every_screen_url_is_mapped_or_excused():
    screens = screen_url_names()
    unmapped = sorted(screens - set(SCREEN_TO_API) - set(NO_API))
    assert not unmapped, f"screen URLs with no API operation and no reason: {unmapped}"


def test_the_lists_name_only_existing_screens_once():
    screens = screen_url_names()
    gone = sorted((set(SCREEN_TO_API) | set(NO_API)) - screens)
    assert not gone, f"mapping entries for screen URLs that no longer exist: {gone}"
    assert not set(SCREEN_TO_API) & set(NO_API)
    assert all(reason.strip() for reason in NO_API.values())


def test_every_mapped_operation_is_in_the_openapi_document():
    operations = api_operations()
    missing = sorted({(name, op) for name, ops in SCREEN_TO_API.items() for op in ops
                      if op not in operations})
    assert not missing, f"mapped API operations not in the OpenAPI document: {missing}"
    assert all(SCREEN_TO_API.values()), "every mapped screen names at least one operation"


def test_api_operations_without_a_screen_are_listed():
    """The other direction, for the record: an operation no screen offers is listed here."""
    used = {op for ops in SCREEN_TO_API.values() for op in ops}
    assert api_operations() - used == set(API_ONLY)


API_ONLY: dict[str, str] = {
    "PATCH /records/{record_id}": "correcting a record's fields after a sync (the screens add records)",
    "POST /enrollments/{enrollment_id}/continue": "recording 継続 alone; on screen it is a review's decision",
}
