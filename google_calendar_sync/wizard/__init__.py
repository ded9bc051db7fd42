from . import google_calendar_choose
