"""What differs between the Odoo series these addons run on (18.0 and 19.0), and only that.

The rest of both addons is written once for every series. Each name below is the newer series'
API, made to work on the older one; Odoo 20 is one more branch where its API moved again.
"""

from odoo import models, release

SERIES = release.version_info[0]

if SERIES >= 19:
    Constraint = models.Constraint
else:

    class Constraint:
        """Odoo 19's ``models.Constraint`` on Odoo 18: ``_name_unique = Constraint(definition,
        message)`` in a model's class becomes the ``("name_unique", definition, message)`` entry
        of its ``_sql_constraints`` (so the database constraint keeps its name on both)."""

        def __init__(self, definition, message=""):
            self.definition = definition
            self.message = message

        def __set_name__(self, owner, name):
            owner._sql_constraints = [
                *owner.__dict__.get("_sql_constraints", []), (name[1:], self.definition, self.message)]
