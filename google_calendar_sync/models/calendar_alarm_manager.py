"""calendar.alarm_manager: a reminder rings once. Odoo's reminder cron leaves to Google the
attendees Google reminds of the event (see rules/reminders.py): Odoo 19's own module skips the
reminders of every event it synchronizes, here only those that Google rings, attendee by
attendee, on either series."""

from odoo import api, models

from ..rules.reminders import REMINDING, reminded_by_google


class CalendarAlarmManager(models.AbstractModel):
    _inherit = "calendar.alarm_manager"

    @api.model
    def _send_reminder(self):
        """Odoo's reminder cron; its mailings know they are reminders (see calendar.attendee)."""
        return super(CalendarAlarmManager, self.with_context(**{REMINDING: True}))._send_reminder()

    @api.model
    def _get_events_by_alarm_to_notify(self, alarm_type):
        """Odoo's events to remind now (by e-mail, or by text message where calendar_sms is
        installed), less those whose every attendee Google reminds: nobody is left to remind."""
        events_by_alarm = super()._get_events_by_alarm_to_notify(alarm_type)
        events = self.env["calendar.event"].browse({event_id for ids in events_by_alarm.values() for event_id in ids})
        attending = events.attendee_ids.filtered(lambda attendee: attendee.state != "declined")
        reminded = reminded_by_google(attending)
        left_to_google = {event.id for event, people in attending.grouped("event_id").items() if people <= reminded}
        return {alarm_id: kept for alarm_id, ids in events_by_alarm.items()
                if (kept := [event_id for event_id in ids if event_id not in left_to_google])}
