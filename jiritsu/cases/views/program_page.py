"""The program page: the catalogue entry with its board of episodes, reviews due and the
year's figures, and one board column in full."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from jiritsu.cases import results, selectors
from jiritsu.cases.access import visible_enrollments
from jiritsu.core import clock
from jiritsu.core.wareki import fiscal_year_bounds, fiscal_year_of
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.programs import screening
from jiritsu.programs.access import get_program_for_user
from jiritsu.programs.selectors import program_lists
from jiritsu.programs.services.catalogue import DECISION_ATTENDEES
from jiritsu.programs.views.common import PROFESSIONS, acting_membership, page_number


@action_required("program.view")
def program_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    m = acting_membership(request)
    program = get_program_for_user(m, pk)
    phases = selectors.program_phases(program)
    board = selectors.program_board(program, m, phases=phases)
    due, due_total = selectors.program_reviews_due(program, m,
                                                   limit=selectors.BOARD_COLUMN_LIMIT)
    context = {
        "program": program,
        "rules_text": screening.describe_rules(program.rules),
        "rules_op": "すべてを満たす" if program.rules.get("op", "and") == "and" else "いずれかを満たす",
        "phases": phases,
        **program_lists(program),
        "professions": [PROFESSIONS.get(x, x) for x in program.professions or []],
        "decision_attendee_labels": [DECISION_ATTENDEES.get(x, x)
                                     for x in program.decision_attendees or []],
        "board": board,
        "open_total": sum(c.total for c in board),
        "due": due, "due_total": due_total,
        "figures": selectors.program_figures(program),
        "can_manage": m.can("program.manage"),
        "can_screen": m.can("screening.run"),
        "can_conference": m.can("conference.manage"),
        # 結果検討会 (就労につながった／つながらなかった): employment programs, office staff.
        "can_results": program.is_employment and m.can("activity.view"),
    }
    if context["can_results"]:
        context["results"] = results.results_counts(
            program, *fiscal_year_bounds(fiscal_year_of(clock.today())))
    return render(request, "cases/detail.html", context)


@action_required("program.view")
def board_column(request: OfficeRequest, pk: int, column: str) -> HttpResponse:
    """One column of the program board in full, 50 episodes a page (the board shows the
    first 20 of each column)."""
    m = acting_membership(request)
    program = get_program_for_user(m, pk)
    found = selectors.board_column_page(program, visible_enrollments(m), column,
                                        page=page_number(request.GET.get("page", "")))
    if found is None:
        raise Http404
    col, page, pages = found
    first = (page - 1) * selectors.COLUMN_PAGE_SIZE
    return render(request, "cases/board_column.html", {
        "program": program, "column": col, "page": page, "pages": pages,
        "first": first + 1 if col.enrollments else 0, "last": first + len(col.enrollments),
        "previous": f"?page={page - 1}" if page > 1 else "",
        "next": f"?page={page + 1}" if page < pages else "",
    })
