"""The Google Calendar section of a user's preferences: the on/off toggle, the direction, which
Google calendar, last run, last problem; computed from the user's google.calendar.sync."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.google_account.models.ir_http import show_after_reload

from ..port import binder
from .google_calendar_sync import DIRECTIONS, STATES

SYNC_FIELDS = [
    "google_calendar_sync_enabled", "google_calendar_direction", "google_calendar_name",
    "google_calendar_sync_state", "google_calendar_last_run", "google_calendar_last_summary",
    "google_calendar_last_error", "google_calendar_deletions_held", "google_calendar_show_declined",
]


class ResUsers(models.Model):
    _inherit = "res.users"

    google_calendar_sync_enabled = fields.Boolean(
        "Synchronize my calendar", compute="_compute_google_calendar_sync",
        inverse="_inverse_google_calendar_sync_enabled")
    google_calendar_direction = fields.Selection(
        DIRECTIONS, "Direction", compute="_compute_google_calendar_sync",
        inverse="_inverse_google_calendar_direction")
    google_calendar_name = fields.Char("Synchronized Calendar", compute="_compute_google_calendar_sync")
    google_calendar_sync_state = fields.Selection(STATES, "Synchronization", compute="_compute_google_calendar_sync")
    google_calendar_last_run = fields.Datetime("Last Synchronization", compute="_compute_google_calendar_sync")
    google_calendar_last_summary = fields.Char("Last Result", compute="_compute_google_calendar_sync")
    google_calendar_last_error = fields.Text("Last Problem", compute="_compute_google_calendar_sync")
    google_calendar_deletions_held = fields.Boolean("Deletions Waiting", compute="_compute_google_calendar_sync")
    google_calendar_show_declined = fields.Boolean(
        "Show Declined Events", compute="_compute_google_calendar_sync",
        inverse="_inverse_google_calendar_show_declined",
        help="Keep the meetings you declined on your Google calendar too.")

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + SYNC_FIELDS

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + [
            "google_calendar_sync_enabled", "google_calendar_direction", "google_calendar_show_declined"]

    def _google_sync_readable(self):
        """The syncs of these users that the current user may see (their own; an admin all)."""
        Sync = self.env["google.calendar.sync"].sudo()
        syncs = Sync.search([("user_id", "in", self.ids)])
        if not self.env.user._is_system():
            syncs = syncs.filtered(lambda s: s.user_id == self.env.user)
        return {sync.user_id.id: sync for sync in syncs}

    @api.depends_context("uid")
    def _compute_google_calendar_sync(self):
        syncs = self._google_sync_readable()
        for user in self:
            sync = syncs.get(user.id)
            user.google_calendar_sync_enabled = sync.enabled if sync else True
            user.google_calendar_direction = sync.direction if sync else "two_way"
            user.google_calendar_name = sync.calendar_name if sync else False
            user.google_calendar_sync_state = sync.state if sync else False
            user.google_calendar_last_run = sync.last_run_at if sync else False
            user.google_calendar_last_summary = sync.last_summary if sync else False
            user.google_calendar_last_error = sync.last_error if sync else False
            user.google_calendar_deletions_held = sync.deletions_held if sync else False
            user.google_calendar_show_declined = sync.show_declined if sync else False

    def _inverse_google_calendar_sync_enabled(self):
        """Each preference saves on its own: the dialog sends only the field that changed."""
        for user in self:
            sync = user._google_sync_of_self()
            if user.google_calendar_sync_enabled != sync.enabled:
                sync.write({"enabled": user.google_calendar_sync_enabled})
                if sync.enabled:
                    sync._sync_now()

    def write(self, vals):
        """A direction must be one of the directions: none (the choice a form leaves empty) or an
        unknown one is refused with a clear message, rather than silently keeping the old one."""
        if "google_calendar_direction" in vals and vals["google_calendar_direction"] not in dict(DIRECTIONS):
            raise UserError(self.env._("Choose the direction of the Google Calendar synchronization: %(directions)s.",
                                       directions=", ".join(dict(self._fields["google_calendar_direction"]
                                                                 ._description_selection(self.env)).values())))
        return super().write(vals)

    def _inverse_google_calendar_direction(self):
        for user in self:
            user._google_sync_of_self().write({"direction": user.google_calendar_direction})

    def _inverse_google_calendar_show_declined(self):
        for user in self:
            sync = user._google_sync_of_self()
            if sync.show_declined != user.google_calendar_show_declined:
                sync.write({"show_declined": user.google_calendar_show_declined})
                binder.recheck_people(self.env, user)

    def _google_sync_of_self(self):
        self.ensure_one()
        Sync = self.env["google.calendar.sync"]
        Sync._check_internal(self.env.user)
        if self != self.env.user and not self.env.user._is_system():
            raise AccessError(self.env._("You can only manage your own Google Calendar synchronization."))
        return Sync._for_user(self)

    def action_google_calendar_sync_now(self):
        sync = self._google_sync_of_self()
        if not sync._live():
            return _notification(self.env._("Nothing was queued (%(state)s).", state=dict(
                sync._fields["state"]._description_selection(self.env))[sync.state]), "warning")
        sync._sync_now()
        return _notification(self.env._("Google Calendar synchronization queued."))

    def preference_save(self):
        """Saving the preferences says what the Google Calendar synchronization now does (after
        the reload that applies the preferences)."""
        action = super().preference_save()
        if self != self.env.user or self.google_account_state != "connected":
            return action
        sync = self._google_sync_of_self()
        if sync.enabled:
            direction = dict(sync._fields["direction"]._description_selection(self.env))[sync.direction]
            message = self.env._("Preferences saved. Google Calendar: %(direction)s, with %(calendar)s.",
                                 direction=direction, calendar=sync.calendar_name)
        else:
            message = self.env._("Preferences saved. Your Google Calendar synchronization is paused; your "
                                 "changes wait until you turn it back on.")
        show_after_reload(message)
        return action

    def action_google_calendar_allow_deletions(self):
        self._google_sync_of_self().action_allow_deletions()
        return _notification(self.env._("The deletions are made at the next synchronization."), "warning",
                             next_action={"type": "ir.actions.client", "tag": "soft_reload"})

    def action_google_calendar_log(self):
        """This user's synchronization runs (a user sees their own, an administrator anyone's)."""
        self._google_sync_of_self()
        action = self.env["ir.actions.act_window"]._for_xml_id("google_calendar_sync.action_google_calendar_sync_log")
        action["domain"] = [("user_id", "=", self.id)]
        return action

    def action_google_calendar_choose(self):
        return self.env["google.calendar.choose"]._open_for(self._google_sync_of_self())


def _notification(message, kind="info", next_action=None):
    params = {"type": kind, "message": message, "sticky": False}
    if next_action:
        params["next"] = next_action
    return {"type": "ir.actions.client", "tag": "display_notification", "params": params}
