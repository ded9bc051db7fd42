"""gcal_engine's LocalCalendar port over Odoo's ORM: what Odoo's records are to the engine.

The port (odoo_calendar.OdooCalendar) reads and writes ``calendar.event`` through its parts:
the binder, the one owner of binding and identity rows; local_ref, what names a record; the
reading (local_events) and writing (local_writes) of events; finding what Odoo already holds
(event_matcher); who sees what (attendance); guests (partners), reminders (alarms), every field
correspondence (record_mapping) and the bounds of what Google may make in Odoo (bounds).

May import: ``rules``, ``words``, ``jobs.transaction``, ``jobs.run_queue`` (to ask for a run, as a
save does: never to run one) and ``switch.odoo_markers``. Never talks to Google.

Typed whole: mypy checks it with the engine (mypy.ini), OdooCalendar against the engine's
LocalCalendar, which it declares as its base.
"""
