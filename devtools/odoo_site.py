"""An Odoo (18 or 19) beside the project: a database with both addons, Google settings pointed at
an emulator, and users connected through google_account's OAuth flow, as a person would be.

What differs between the series for these tools (odoo-bin's options) is in ``demo_options``."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import requests

from gcal_emulator.control import EmulatorControl

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULES = "google_account,google_calendar_sync"
ODOO_MODULES = "google_calendar"  # Odoo's own module, to measure side by side (see odoo_google)


def odoo_source() -> str:
    """The Odoo source tree of ODOO_BIN, put on sys.path (this must run with Odoo's Python)."""
    odoo_bin = os.environ.get("ODOO_BIN")
    if not odoo_bin or not os.path.isfile(odoo_bin):
        sys.exit("Set ODOO_BIN to an Odoo 18 or 19 odoo-bin, and run this with that Odoo's Python.")
    source = os.path.dirname(os.path.abspath(odoo_bin))
    if source not in sys.path:
        sys.path.insert(0, source)
    return source


def addons_path(source: str, first: str = ROOT) -> str:
    """The project first, so that its google_account replaces Odoo's (see bin/lib/odoo.sh); or,
    with ``first=odoo_google(source)``, Odoo's own google_account and google_calendar instead."""
    paths = [first, os.path.join(source, "addons"), os.path.join(source, "odoo", "addons")]
    return ",".join(p for p in paths if os.path.isdir(p))


def odoo_google(source: str) -> str | None:
    """The folder of Odoo's own google_account and google_calendar beside odoo-bin, if there
    (the trimmed Odoo trees of ../shared have it): never in one addons path with the project."""
    path = os.path.join(source, "odoo_google")
    return path if os.path.isdir(os.path.join(path, "google_calendar")) else None


def db_options() -> list[str]:
    """odoo-bin's database options from the libpq environment (PGHOST, PGPORT, PGUSER)."""
    return [f"--db_host={os.environ.get('PGHOST', '127.0.0.1')}", f"--db_port={os.environ.get('PGPORT', '5432')}",
            f"--db_user={os.environ.get('PGUSER', 'odoo')}"]


def demo_options(demo: bool) -> list[str]:
    """odoo-bin's options for a new database with or without Odoo's demo data: Odoo 18 loads them
    unless told ``--without-demo=all``, Odoo 19 only when told ``--with-demo``."""
    import odoo.release  # noqa: PLC0415 - on sys.path once odoo_source() ran

    if odoo.release.version_info[0] >= 19:
        return ["--with-demo"] if demo else []
    return [] if demo else ["--without-demo=all"]


def create_database(source: str, db: str, demo: bool = False, modules: str = MODULES, first: str = ROOT) -> None:
    """A new database with both addons installed (odoo-bin in its own process); or ``modules``
    from the addons path that starts with ``first``."""
    subprocess.run(
        [sys.executable, os.path.join(source, "odoo-bin"), "-d", db, *db_options(),
         f"--addons-path={addons_path(source, first)}", "-i", modules, "--stop-after-init", "--log-level=warn",
         *demo_options(demo)],
        check=True,
    )


def copy_database(template: str, db: str) -> None:
    """A new database copied from ``template`` (no connection to it may be open)."""
    subprocess.run(["createdb", *_pg_options(), "-T", template, db], check=True)


def drop_database(db: str) -> None:
    from odoo import sql_db  # noqa: PLC0415 - on sys.path once odoo_source() ran

    sql_db.close_all()
    subprocess.run(["dropdb", "--if-exists", *_pg_options(), db], check=False)


def _pg_options() -> list[str]:
    return ["-h", os.environ.get("PGHOST", "127.0.0.1"), "-p", os.environ.get("PGPORT", "5432"),
            "-U", os.environ.get("PGUSER", "odoo")]


def open_registry(source: str, db: str, first: str = ROOT):
    """The database's registry in this process, with the project's addons path (or the one that
    starts with ``first``: one per process, as Odoo's addons are modules of one package)."""
    from odoo import tools  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    tools.config.parse_config([*db_options(), f"--addons-path={addons_path(source, first)}", "--log-level=warn"])
    return Registry(db)


def use_emulator(env, control: EmulatorControl, client_id: str, client_secret: str, test_users: list[str]) -> None:
    """Settings > Google Calendar as an administrator fills them in, with the emulator as Google
    (the developer-mode endpoint), and the OAuth client registered there with Odoo's Redirect URL."""
    params = env["ir.config_parameter"].sudo()
    for key, value in {"calendar_enabled": "True", "client_id": client_id, "client_secret": client_secret,
                       "endpoint": control.base_url}.items():
        params.set_param(f"google_account.{key}", value)
    for email in test_users:
        control.add_user(email)
    control.add_client(client_id, client_secret, [env["google.account"]._redirect_uri()], test_users=test_users)


def connect(env, control: EmulatorControl, user, email: str) -> None:
    """google_account's OAuth flow for ``user``, as the route runs it, without a browser."""
    account_model = env["google.account"].with_user(user)
    control.consent(email)
    authorize = requests.get(account_model._authorization_url("/odoo/calendar"), allow_redirects=False, timeout=10)
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize.headers["Location"]).query).items()}
    account_model._complete_authorization(state=query["state"], code=query["code"])
