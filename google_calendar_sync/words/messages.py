"""Every word a person reads about a synchronization: the engine's errors, why a run stopped,
and conflicts, in the user's language.

gcal_engine raises typed errors with codes and data, and reports conflicts as kinds; this
module is the only place that turns them into sentences (OAuth errors are worded once, by
google_account's ``google.account._explain_oauth_error``).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from gcal_engine.errors import (
    BadRequestError,
    ForbiddenError,
    GoogleApiError,
    MappingError,
    MassDeletionError,
    NotFoundError,
    OAuthError,
    QuotaExceededError,
    RecurrenceError,
    TransientError,
    UnauthorizedError,
)
from gcal_engine.mapping import MAX_RECURRENCE
from gcal_engine.report import ConflictKind

from odoo import fields
from odoo.tools import format_datetime

from ..port import bounds
from ..port.bounds import MAX_GUESTS, MAX_TEXT

QUOTA_ZONE = ZoneInfo("America/Los_Angeles")  # Google's daily quotas reset at midnight Pacific time


def problem(env, error):
    """What went wrong with one event, or with the run, and what to do where something can be done."""
    if isinstance(error, MassDeletionError):
        return env._(
            "Stopped before deleting %(count)s of %(total)s synchronized events in %(side)s: that looks "
            "like a mistake, so nothing was deleted. If it is what you meant, confirm the deletions in "
            "your preferences (Google Calendar).",
            count=error.deletions, total=error.total, side=side(env, error.side))
    if isinstance(error, OAuthError | UnauthorizedError):
        return " ".join(env["google.account"]._explain_oauth_error(error))
    if isinstance(error, MappingError) and error.reason == "repeats_within_a_day":
        return env._("This series repeats more than once a day, which Odoo's calendar cannot show: it stays on "
                     "Google Calendar only.")
    if isinstance(error, MappingError):
        return env._("Google sent an event Odoo cannot read (%(why)s); it was skipped.", why=_unreadable(env, error))
    if isinstance(error, RecurrenceError):
        if error.value:
            return env._("The recurrence of a series cannot be used: %(why)s (%(text)s).",
                         why=_recurrence(env, error), text=error.value)
        return env._("The recurrence of a series cannot be used: %(why)s.", why=_recurrence(env, error))
    if isinstance(error, QuotaExceededError):
        return env._("Google's daily quota is used up; synchronization resumes by itself at %(time)s.",
                     time=quota_reset(env))
    if isinstance(error, ForbiddenError) and error.reason == "forbiddenForNonOrganizer":
        return env._("Only the organizer can change this event on Google.")
    if isinstance(error, NotFoundError):
        return env._("Google no longer has this event, or this account cannot see it.")
    if isinstance(error, BadRequestError):
        return env._("Google refused the event: %(message)s", message=error.message)
    if isinstance(error, TransientError):
        return env._("Google did not answer (%(error)s); tried again at the next run.", error=_where(error))
    if isinstance(error, GoogleApiError):
        return env._("Google Calendar answered with an error (%(error)s): %(message)s",
                 error=_where(error), message=error.message)
    return str(error)  # LocalWriteError: Odoo's own message, already in the user's language


def cut(env, what):
    """What Odoo left out of a Google event too large to keep whole (a ``bounds.Cut``)."""
    parts = []
    if what.guests_dropped:
        parts.append(env._("%(count)s guests beyond the first %(limit)s were left out",
                           count=what.guests_dropped, limit=MAX_GUESTS))
    names = {"summary": env._("title"), "location": env._("location"), "description": env._("description")}
    for name in what.fields:
        parts.append(env._("its %(field)s was shortened to %(limit)s characters",
                           field=names[name], limit=MAX_TEXT[name]))
    if what.occurrences_until:
        date, limit = format_datetime(env, what.occurrences_until, dt_format="short"), _number(bounds.SERIES_RECORDS)
        parts.append(env._(
            "its occurrences from %(date)s on were left out, as a series keeps at most %(limit)s records in "
            "Odoo (occurrences and their guests); more come in as earlier ones leave the synchronized window",
            date=date, limit=limit))
    return env._("Kept in Odoo without all of it: %(what)s. Google keeps the whole event; an edit made "
                 "in Odoo would send Odoo's shorter version.", what="; ".join(parts))


def headline(env, error):
    """A few words for the Google button: the kind of problem, the details being in ``problem``."""
    if isinstance(error, QuotaExceededError):
        return env._("Daily quota used up")
    if isinstance(error, MassDeletionError):
        return env._("Deletions to confirm")
    if isinstance(error, OAuthError | UnauthorizedError):
        return env._("Needs reconnection")
    if isinstance(error, TransientError):
        return env._("Google did not answer")
    return env._("Error")


def quota_reset(env, now=None):
    """When Google's daily quota comes back (the next midnight in California), in the reader's
    time zone (the context's ``tz``, else the user's)."""
    now = (now or fields.Datetime.now()).replace(tzinfo=dt.timezone.utc).astimezone(QUOTA_ZONE)
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=QUOTA_ZONE)
    utc = midnight.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return format_datetime(env, utc, tz=env.context.get("tz") or env.user.tz, dt_format="short")


def stop(env, report):
    """Why a run ended before it was complete, or False."""
    if report.timed_out:
        return env._("The time budget of this run ran out; the next run goes on.")
    if report.deferred:
        limit = _number(bounds.RUN_RECORDS)
        return env._("This run made as many records in Odoo as a run may (%(limit)s: events, their guests, "
                     "contacts); the next run goes on at once.", limit=limit)
    if report.fatal is not None:
        return problem(env, report.fatal)
    if report.error is not None:
        return env._("Google Calendar did not answer as expected (%(error)s); the next run tries again.",
                     error=problem(env, report.error))
    return False


def conflict(env, found):
    """A conflict as the log shows it: what happened, the rule, and the version not kept."""
    what = {
        ConflictKind.EDITED_BOTH: env._("edited on both sides"),
        ConflictKind.DELETED_GOOGLE_EDITED_LOCAL: env._("deleted on Google and edited in Odoo"),
        ConflictKind.DELETED_LOCAL_EDITED_GOOGLE: env._("deleted in Odoo and edited on Google"),
    }[found.kind]
    rule = {
        "newest": env._("the most recent change wins (ties go to Google)"),
        "google": env._("Google wins"),
        "local": env._("Odoo's version wins"),
        "one_way": env._("one-way synchronization"),
        "series": env._("an occurrence goes with its series, deleted whole"),
    }[found.rule]
    if found.fields and found.loser is not None:
        # A merge: the other fields of both sides were kept; these were changed on both.
        lost = "; ".join(f"{_field_label(env, unit)}: {_shown(env, found.loser, unit)}" for unit in found.fields)
        kept = env._("The values kept are from %(side)s; the other side had: %(lost)s",
                     side=side(env, found.winner), lost=lost)
        return f"{what}; {rule}. {kept}"
    lost = found.loser.summary if found.loser else env._("a deletion")
    kept = env._("The version kept is from %(side)s; the other one was: %(lost)s",
                 side=side(env, found.winner), lost=lost)
    return f"{what}; {rule}. {kept}"


def _field_label(env, unit):
    labels = {
        "summary": env._("Title"), "description": env._("Description"), "location": env._("Location"),
        "start": env._("Start"), "end": env._("End"), "recurrence": env._("Recurrence"),
        "guests": env._("Guests"), "own_response": env._("Your answer"), "reminders": env._("Reminders"),
        "visibility": env._("Privacy"), "transparency": env._("Show as"), "meet_url": env._("Video call"),
    }
    return labels.get(unit, unit)


def _shown(env, event, unit):
    """A field's value as the log shows it."""
    if unit in ("start", "end"):
        moment = getattr(event, unit)
        return moment.date.isoformat() if moment.all_day else format_datetime(
            env, moment.date_time.astimezone(dt.timezone.utc).replace(tzinfo=None))
    if unit == "guests":
        return ", ".join(a.email for a in event.attendees if not a.is_self) or "-"
    if unit == "own_response":
        return next((a.response for a in event.attendees if a.is_self), "-")
    value = getattr(event, unit, "")
    return str(value) if value not in (None, "") else "-"


def side(env, name):
    """"local" and "google", the engine's sides, as a person knows them."""
    return env._("Odoo") if name == "local" else env._("Google Calendar")


def _number(value):
    """A count as the log writes it: 50,000."""
    return f"{value:,}"


def _where(error):
    return f"{error.status} {error.reason}" if error.reason else str(error.status or "network")


def _unreadable(env, error):
    return {
        "missing_id": env._("it has no id"),
        "half_instance": env._("it is an occurrence of a series but does not say which (no %(field)s)",
                               field=error.field),
        "bad_time": env._("its %(field)s cannot be read", field=error.field),
        "unknown_time_zone": env._("its time zone is unknown"),
        "mixed_times": env._("its start and end are not both dates or both times"),
        "ends_before_start": env._("it ends before it starts"),
        "bad_recurrence": env._("its recurrence cannot be read"),
        "long_recurrence": env._("its recurrence is over %(limit)s characters", limit=_number(MAX_RECURRENCE)),
        "bad_attendee": env._("a guest has no e-mail address"),
        "bad_text": env._("its %(field)s is not text", field=error.field),
        "bad_reminder": env._("a reminder is not valid"),
        "bad_properties": env._("its extended properties cannot be read"),
    }.get(error.reason, error.reason)


def _recurrence(env, error):
    """What is wrong with a recurrence, by the RecurrenceError's ``reason``."""
    return {
        "unknown_time_zone": env._("its time zone is unknown"),
        "bad_time": env._("a date or time in it cannot be read"),
        "bad_rule": env._("a rule in it cannot be read"),
        "unsupported": env._("it uses something Odoo does not support"),
    }.get(error.reason, error.reason)
