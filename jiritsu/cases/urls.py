"""The program screens under ``/programs/``: the catalogue (``jiritsu.programs.views``) and
everything that happens to a person in a program (``jiritsu.cases.views``). The URL names keep
their ``programs`` namespace (``programs:enrollment`` …)."""

from django.urls import path

from jiritsu.cases import views
from jiritsu.programs import views as catalogue

app_name = "programs"

urlpatterns = [
    path("", catalogue.program_list, name="list"),
    path("new/", catalogue.program_create, name="create"),
    path("rules/count/", catalogue.rule_count, name="rule_count"),
    path("rules/rows/", catalogue.rule_rows, name="rule_rows"),
    path("<int:pk>/", views.program_detail, name="detail"),
    path("<int:pk>/board/<str:column>/", views.board_column, name="board_column"),
    path("<int:pk>/edit/", catalogue.program_edit, name="edit"),
    path("<int:pk>/screening/", views.screening_view, name="screening"),
    path("<int:pk>/results/", views.program_results, name="results"),
    path("<int:pk>/results/new/", views.results_conference_create, name="results_new"),
    path("<int:pk>/nominate/<int:person_pk>/", views.nomination_create, name="nominate"),
    path("<int:pk>/enroll/<int:person_pk>/", views.enroll, name="enroll"),
    path("enroll/<int:person_pk>/", views.enroll_choose, name="enroll_choose"),
    path("ledgers/<int:pk>/", views.ledger_detail, name="ledger"),
    path("people/<int:person_pk>/consents/new/", views.consent_create, name="consent_new"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("people/<int:person_pk>/records/new/", views.record_create, name="record_new"),
    path("enrollments/<int:pk>/", views.enrollment_detail, name="enrollment"),
    path("enrollments/<int:pk>/do/<str:action>/", views.enrollment_transition,
         name="transition"),
    path("enrollments/<int:pk>/assign/", views.enrollment_assign, name="assign"),
    path("enrollments/<int:pk>/plan/new/", views.plan_create, name="plan_new"),
    path("enrollments/<int:pk>/reviews/new/", views.review_create, name="review_new"),
    path("enrollments/<int:pk>/outcomes/new/", views.outcome_create, name="outcome_new"),
    path("conferences/", views.conference_list, name="conferences"),
    path("conferences/new/", views.conference_create, name="conference_new"),
    path("conferences/<int:pk>/", views.conference_detail, name="conference"),
    path("approvals/", views.approvals_inbox, name="approvals"),
    path("approvals/route/", views.approval_route, name="approval_route"),
    path("approvals/<int:pk>/", views.approval_detail, name="approval"),
    path("reviews/due/", views.reviews_due, name="reviews_due"),
]
