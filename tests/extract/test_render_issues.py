"""`gongkai extract`'s printed form lists a problem met on many rows of a table once, with how many rows."""

from __future__ import annotations

from extractors.model import Issue
from extractors.render import issue_lines

ROWS = ["granted", "partially_granted", "withheld_state_secret", "withheld_prohibited_by_law", "total_handled"]


def test_the_same_issue_on_many_rows_is_one_line():
    issues = [Issue("row_width_mismatch", "6 values for 7 columns", table="applications", row=r, page=2) for r in ROWS]
    issues.append(Issue("duplicate_row", "second 规章 row ignored", table="proactive", row="regulations"))
    lines = issue_lines(issues)
    assert lines == [
        "row_width_mismatch       applications p.2, 5 rows (granted, partially_granted, withheld_state_secret, …): "
        "6 values for 7 columns",
        "duplicate_row            proactive/regulations: second 规章 row ignored",
    ]


def test_different_messages_or_pages_stay_apart():
    issues = [Issue("row_width_mismatch", "6 values for 7 columns", table="applications", row="granted", page=1),
              Issue("row_width_mismatch", "6 values for 7 columns", table="applications", row="total", page=2),
              Issue("row_width_mismatch", "5 values for 7 columns", table="applications", row="other_misc", page=2)]
    assert len(issue_lines(issues)) == 3
