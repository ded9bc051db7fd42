"""Regenerate each addon's translation template (``i18n/<addon>.pot``) from the code, with
Odoo's own exporter, in a fresh database dropped afterwards.

    bin/i18n [--series 18|19]

The exporter is called in this process (its reader and writer, which both series share), not
through odoo-bin, whose command for it differs: ``--i18n-export`` on Odoo 18, ``i18n export`` on
19. The terms are the same on both series.
"""

from __future__ import annotations

import os
import uuid

from devtools.odoo_site import MODULES, ROOT, create_database, drop_database, odoo_source, open_registry


def main() -> None:
    source = odoo_source()
    db = f"gcal_i18n_{uuid.uuid4().hex[:8]}"
    create_database(source, db)
    try:
        from odoo.tools.translate import TranslationFileWriter, TranslationModuleReader  # noqa: PLC0415

        with open_registry(source, db).cursor() as cr:
            for module in MODULES.split(","):
                target = os.path.join(ROOT, module, "i18n", f"{module}.pot")
                with open(target, "wb") as template:
                    writer = TranslationFileWriter(template, fileformat="po", lang=None)
                    writer.write_rows(TranslationModuleReader(cr, modules=[module], lang=None))
                print(f"i18n: {os.path.relpath(target, ROOT)} regenerated")
    finally:
        drop_database(db)


if __name__ == "__main__":
    main()
