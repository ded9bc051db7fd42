"""Switching from Odoo's own Google Calendar module: what it left in the database taken over at
install (synchronizations, odoo_links, user_bindings), and the markers it left on Google events, read and
removed by the port until each event is next written (odoo_markers). Nothing imports it but the
port (odoo_markers) and the install hook.

May import: ``port``, ``models``.
"""
