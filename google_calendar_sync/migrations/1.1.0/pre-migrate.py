"""1.1.0: a binding's ``role`` (organizer/guest) becomes its ``access``, the engine's word."""


def migrate(cr, version):
    cr.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'google_calendar_binding' AND column_name = 'role'")
    if cr.fetchone():
        cr.execute("ALTER TABLE google_calendar_binding RENAME COLUMN role TO access")
        cr.execute("UPDATE google_calendar_binding SET access = 'attendee' WHERE access = 'guest'")
