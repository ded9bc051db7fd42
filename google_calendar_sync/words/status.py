"""A user's synchronization as the Google button and the preferences show it: a state, a label,
what to do about it, the last run."""

from odoo import fields


def state_of(sync, live, paused):
    """``live``: the sync runs now (google.calendar.sync._live: the rule is there); else this says
    why not. ``paused``: an administrator paused synchronization for everyone."""
    if live:
        if sync.running_since:
            return "running"
        if not sync.last_run_at:
            return "waiting"
        return "error" if sync.last_error else "synced"
    account_state = sync.account_id.sudo().state
    if account_state == "needs_reconnect":
        return "needs_reconnect"
    if account_state != "connected":
        return "not_connected"
    return "paused_by_admin" if paused else "paused"


def of_sync(sync):
    """The state or the problem in a few words, what to do about it in a sentence, and the last
    run (``sync`` in sudo). Queued runs of a paused sync do not run: not "queued" then."""
    env = sync.env
    state = sync.state
    label = dict(sync._fields["state"]._description_selection(env))[state]
    advice = ""
    if state == "error":
        label, advice = sync.last_error_title or label, sync.last_error or ""
    elif state == "paused":
        advice = env._("Your synchronization is paused; your changes wait. Click to resume it.")
    elif state == "paused_by_admin":
        advice = env._("An administrator paused Google Calendar synchronization for everyone; it "
                       "resumes when they turn it back on in Settings.")
    return {
        "state": state,
        "label": label,
        "advice": advice,
        "email": sync.google_email or "",
        "last_run_at": fields.Datetime.to_string(sync.last_run_at) if sync.last_run_at else False,
        "last_summary": sync.last_summary or "",
        "last_error": sync.last_error or "",
        "queued": bool(sync.request_ids) and bool(sync._live()),
    }


def not_connected(syncs, account):
    """The button of a user without a working connection (``account``: theirs, if any)."""
    user = syncs.env.user
    configured = syncs._param("google_account.calendar_enabled") and syncs._param("google_account.client_id")
    return {
        "state": "needs_reconnect" if account.state == "needs_reconnect" else "not_connected",
        "configured": bool(configured),
        "last_error": account.last_error or "",
        "is_admin": user._is_system(),
    }
