from . import (
    calendar_attendee,
    calendar_event,
    calendar_recurrence,
    google_account,
    google_calendar_binding,
    google_calendar_sync,
    google_calendar_sync_log,
    google_calendar_sync_log_line,
    google_calendar_sync_message,
    google_calendar_sync_request,
    res_config_settings,
    res_users,
)
