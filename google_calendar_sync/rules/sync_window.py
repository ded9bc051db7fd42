"""How far back and ahead events are synchronized: the administrator's choice, in days.

A series counts whole: it is in the window when any of its occurrences is, and Odoo holds its
occurrences inside the window (see calendar.recurrence). A wider window is applied by each
user's next run, which lists the spans it grew by beside its usual changes (the sync token goes
on): what lies there is matched, taken and sent as in a first synchronization, nothing doubled.
A narrower one asks nothing: what falls outside stays on both sides, untouched.
"""

import datetime

PARAM_PAST = "google_calendar_sync.past_days"
PARAM_FUTURE = "google_calendar_sync.future_days"
DEFAULT_PAST_DAYS = 365
DEFAULT_FUTURE_DAYS = 730
# How far a series' occurrences in Odoo may lag behind the window's end before a run brings in
# the next ones: a day's worth at a time, not a write at every run.
EXTENSION_STEP = datetime.timedelta(days=1)


def sync_window(env):
    """(days back, days ahead) as timedeltas."""
    params = env["ir.config_parameter"].sudo()
    past = _days(params.get_param(PARAM_PAST), DEFAULT_PAST_DAYS)
    future = _days(params.get_param(PARAM_FUTURE), DEFAULT_FUTURE_DAYS)
    return datetime.timedelta(days=past), datetime.timedelta(days=future)


def _days(value, default):
    """A parameter's days; unset (get_param gives False) or unreadable: the default."""
    try:
        return max(0, int(value)) if value not in (None, False, "") else default
    except (TypeError, ValueError):
        return default


def added_spans(before, after, now):
    """The spans of time (start, end) a window of (days back, days ahead) ``after`` covers beyond
    ``before``, as of ``now``: none when it did not grow."""
    spans = []
    if after[0] > before[0]:
        spans.append((now - after[0], now - before[0]))
    if after[1] > before[1]:
        spans.append((now + before[1], now + after[1]))
    return spans
