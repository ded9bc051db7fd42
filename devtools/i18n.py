"""Regenerate each addon's translation template (``i18n/<addon>.pot``) from the code, with
Odoo's own exporter, in a fresh database dropped afterwards.

    bin/i18n
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from devtools.odoo_site import MODULES, ROOT, addons_path, create_database, db_options, drop_database, odoo_source


def main() -> None:
    source = odoo_source()
    db = f"gcal_i18n_{uuid.uuid4().hex[:8]}"
    create_database(source, db)
    try:
        for module in MODULES.split(","):
            target = os.path.join(ROOT, module, "i18n", f"{module}.pot")
            subprocess.run(
                [sys.executable, os.path.join(source, "odoo-bin"), "-d", db, *db_options(),
                 f"--addons-path={addons_path(source)}", f"--i18n-export={target}", f"--modules={module}",
                 "--stop-after-init", "--log-level=warn"],
                check=True,
            )
            print(f"i18n: {os.path.relpath(target, ROOT)} regenerated")
    finally:
        drop_database(db)


if __name__ == "__main__":
    main()
