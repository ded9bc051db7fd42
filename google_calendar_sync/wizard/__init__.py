from . import google_calendar_choose, google_calendar_reset
