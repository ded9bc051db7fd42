"""The Odoo side of gcal_engine: the field mapping and the LocalCalendar over the ORM."""
