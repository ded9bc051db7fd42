"""Switching from Odoo's own Google Calendar: the install of google_calendar_sync on a database
that used it (google_account's upgrade marked that module for removal and this one for install).

For each user who had connected Odoo's module: a synchronization on the same Google account (the
grant carried by google_account), the same calendar, paused if they had stopped theirs, with
Odoo's sync token (the first run lists only what changed on Google since Odoo's last run);
bindings for every event and series Odoo had linked (user_bindings); what Odoo had not sent yet,
dirty, for that first run. Every event keeps the guests' rights Odoo gave it. The
administrator's pause stays. The first run finds Google events Odoo created but never linked by
Odoo's own marker (port/event_matcher), and each event written from then on loses Odoo's markers
(switch/odoo_markers). Odoo's module is then uninstalled, in the same run of the module loader:
its columns go with it.
"""

import logging

from odoo import fields

from ..models.google_calendar_sync import PARAM_PAUSED
from ..port import binder
from .odoo_markers import PARAM_PREFIX
from .odoo_links import OdooLinks
from .user_bindings import UserBindings

_logger = logging.getLogger(__name__)


def take_over_synchronizations(env):
    """Take over Odoo's Google Calendar, if this database used it; else nothing."""
    Module = env["ir.module.module"].sudo()
    leaving = Module.search([("name", "=", "google_calendar"), ("state", "=", "to remove")])
    links = OdooLinks(env)
    if not leaving or not links.present():
        return
    params = env["ir.config_parameter"].sudo()
    params.set_param(PARAM_PAUSED, str(links.paused()))
    params.set_param(PARAM_PREFIX, env.cr.dbname)  # a rename later changes nothing
    env["google.calendar.sync"]._namespace()
    links.carry_guest_rights()
    env["calendar.event"].invalidate_model(["google_guests_can_modify"])
    users = [user for user in links.users() if _account(env, user)]
    if users:
        _take_over_users(env, links, users)
    links.forget_params()
    # Odoo's module, and what depends on it, now: its columns have been read.
    dependents = leaving.downstream_dependencies(exclude_states=("uninstalled", "uninstallable"))
    (leaving | dependents).filtered(lambda module: module.state == "to remove").module_uninstall()
    env.cr.execute("DROP TABLE IF EXISTS google_calendar_account_reset")  # a wizard's, left by a code-less uninstall
    _logger.info("Google Calendar switch: Odoo's Google Calendar is uninstalled; %s user(s) taken over", len(users))


def _account(env, user):
    return env["google.account"].sudo().search([("user_id", "=", user.user_id), ("state", "=", "connected")])


def _take_over_users(env, links, users):
    events, series = links.events(), links.series()
    guests = links.guests({user.partner_id for user in users})
    token_users = {user.user_id for user in users}
    Sync = env["google.calendar.sync"].sudo()
    syncs = {}
    for user in users:
        values = {"user_id": user.user_id, "account_id": _account(env, user).id, "enabled": not user.stopped,
                  "sync_token": user.sync_token or False}
        if user.calendar_id and user.calendar_id != "primary":
            values.update(calendar_id=user.calendar_id, calendar_name=user.calendar_id)
        syncs[user.user_id] = Sync.create(values)
    taken = {}
    for user in users:
        taken[user.user_id] = UserBindings(user, events, series, guests, token_users).take()
        binder.Binder(syncs[user.user_id]).bind_odoo_links(taken[user.user_id].rows, taken[user.user_id].exception_rows)
    # Events nobody had sent that synchronizing guests attend: a private copy each, as for a new event.
    new = env["calendar.event"].browse(
        [e.id for e in events if not e.google_id and not e.recurrence_id] +
        [s.base_event_id for s in series if not s.google_id])
    copies = binder.bind_copies(env, new.exists())
    for user in users:
        sync = syncs[user.user_id]
        copied = len(copies.filtered(lambda row, s=sync: row.sync_id == s))
        _record(env, sync, user, taken[user.user_id], copied)
        if sync.enabled:
            sync._request_sync()


def _record(env, sync, user, taken, copied):
    """The user's log line (the server's, and the first entry of their synchronization log)."""
    _logger.info(
        "Google Calendar switch: user %s (%s) keeps their Google connection (Odoo's refresh token), calendar %s, "
        "%s; took over %s events, %s series and %s exceptions linked by Odoo, %s changes Odoo had not sent, "
        "%s new events and %s private copies to send; %s",
        user.user_id, user.login, sync.calendar_id, "paused (stopped in Odoo)" if user.stopped else "running",
        taken.events, taken.series, taken.exceptions, taken.pending, taken.new, copied,
        "Odoo's sync token kept" if user.sync_token else "no sync token: the first run lists the calendar again")
    user_env = env(context=dict(env.context, lang=sync.user_id.lang))
    summary = user_env._(
        "Taken over from Odoo's Google Calendar: %(events)s events, %(series)s series and %(exceptions)s "
        "exceptions; %(pending)s changes not sent yet and %(new)s new events go with the next run.",
        events=taken.events, series=taken.series, exceptions=taken.exceptions, pending=taken.pending,
        new=taken.new + copied)
    now = fields.Datetime.now()
    env["google.calendar.sync.log"].sudo().create({
        "sync_id": sync.id, "started_at": now, "finished_at": now, "state": "done", "summary": summary,
    })
