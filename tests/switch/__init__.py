"""The switch from Odoo's own Google Calendar, end to end in a real Odoo 18 (run.py drives it)."""
