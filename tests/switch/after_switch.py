"""After the switch: what was carried, then runs of ours (see run.py).

    python -m tests.switch.after_switch DB EMULATOR_URL ADDONS_PATH FACTS_JSON   (prints the checks as JSON)
"""

from __future__ import annotations

import collections
import json
import sys

from devtools.odoo_site import db_options, odoo_source
from gcal_emulator.control import EmulatorControl

from . import google
from .before_switch import CLIENT_ID, CLIENT_SECRET

CONSENT_PATHS = ("/o/oauth2/auth", "/o/oauth2/v2/auth")


class Checks(list):
    def check(self, name, ok, detail=""):
        self.append((name, bool(ok), str(detail)[:600]))


def run(sync) -> None:
    """One run of ``sync`` now, as a person's "synchronize now" starts it."""
    from odoo.addons.google_calendar_sync.jobs.sync_run import run_now  # noqa: PLC0415 - Odoo's, once on the path
    run_now(sync)


def main(db: str, base: str, addons: str, facts_json: str) -> None:
    facts = json.loads(facts_json)
    odoo_source()
    from odoo import api, tools  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    tools.config.parse_config([*db_options(), f"--addons-path={addons}", "--log-level=warn"])
    registry = Registry(db)
    control = EmulatorControl(base)
    checks = Checks()
    control.clear_requests()
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        carried(env, cr, facts, checks)
        env["ir.config_parameter"].set_param("google_account.endpoint", base)  # the emulator as Google
        env["ir.config_parameter"].set_param("google_calendar_sync.paused", "False")  # the administrator resumes
        cr.commit()
        syncs = env["google.calendar.sync"].search([])
        by_login = {sync.user_id.login: sync for sync in syncs}
        for login in ("alice", "bob"):
            run(by_login[login])
        cr.commit()
        after_first_runs(env, base, facts, by_login, checks)
        control.invalidate_sync_tokens("carol@example.com")  # her first run lists her calendar again
        by_login["carol"].action_resume()
        run(by_login["carol"])
        cr.commit()
        carol_run = env["google.calendar.sync.log"].search([("sync_id", "=", by_login["carol"].id)], limit=1)
        plans = env["calendar.event"].search_count([("name", "=", "Carol plan")])
        checks.check("a stopped user resumes; without Odoo's sync token, a full resync",
                     (carol_run.kind, carol_run.state, plans) == ("resync", "done", 1), (carol_run.summary, plans))
        tokens = {s.user_id.login: s.account_id.refresh_token for s in syncs}
        google_now = {login: sorted(e.get("summary", "") for e in google.events(
            base, google.access_token(base, CLIENT_ID, CLIENT_SECRET, token)) if not e.get("recurringEventId"))
            for login, token in tokens.items()}
        checks.check("carol's calendar is unchanged after she resumes (nothing created twice)",
                     google_now["carol"] == facts["google"]["carol"], google_now["carol"])
        checks.check("no consent page was shown", not [r for r in control.requests() if r["path"] in CONSENT_PATHS])
        checks.check("nobody was mailed by Google", len(control.mails()) == facts["google_mails"], control.mails())
        checks.check("Odoo mailed nobody", env["mail.mail"].search_count([]) == facts["odoo_mails"])
        idle(env, cr, control, syncs, checks)
    json.dump(checks, sys.stdout)


def carried(env, cr, facts, checks):
    params = env["ir.config_parameter"]
    checks.check("the Client ID and Secret are carried", params.get_param("google_account.client_id") == CLIENT_ID
                 and params.get_param("google_account.client_secret") == CLIENT_SECRET
                 and params.get_param("google_account.calendar_enabled") == "True")
    checks.check("the administrator's pause is carried", params.get_param("google_calendar_sync.paused") == "True")
    checks.check("Odoo's settings are gone", not params.search_count([("key", "like", "google_calendar_client")]))
    state = env["ir.module.module"].search([("name", "=", "google_calendar")]).state
    installed = env["ir.module.module"].search([("name", "=", "google_calendar_sync")]).state
    checks.check("Odoo's google_calendar is uninstalled, ours installed", state == "uninstalled"
                 and installed == "installed", (state, installed))
    cr.execute("""SELECT table_name, column_name FROM information_schema.columns WHERE column_name IN
                  ('google_id', 'need_sync', 'google_calendar_rtoken', 'guests_readonly')
                  AND table_name IN ('calendar_event', 'calendar_recurrence', 'res_users_settings')""")
    left = cr.fetchall()
    checks.check("Odoo's columns are gone with its module", not left, left)
    accounts = env["google.account"].search([])
    tokens = {a.user_id.login: a.refresh_token for a in accounts if a.state == "connected"}
    checks.check("every user keeps their connection, with their refresh token", tokens == facts["tokens"], tokens)
    syncs = {s.user_id.login: s for s in env["google.calendar.sync"].search([])}
    checks.check("a stopped user is paused, the others on", {k: s.enabled for k, s in syncs.items()} == {
        login: login not in facts["stopped"] for login in facts["tokens"]})
    checks.check("every sync token is carried", all(s.sync_token for s in syncs.values()))
    bound = collections.Counter(b.sync_id.user_id.login for b in env["google.calendar.binding"].search([]))
    checks.check("Odoo's links became bindings", bound["alice"] >= 5 and bound["bob"] >= 3, dict(bound))


def after_first_runs(env, base, facts, syncs, checks):
    Event = env["calendar.event"]
    titles = collections.Counter(Event.search([("recurrence_id", "=", False)]).mapped("name"))
    checks.check("runs of alice and bob succeed", all(not s.last_error for s in syncs.values() if s.enabled),
                 {k: s.last_error for k, s in syncs.items()})
    checks.check("no event is twice in Odoo", max(titles.values()) == 1, titles)
    checks.check("the event deleted on Google meanwhile is gone from Odoo", "Bob from Google" not in titles)
    checks.check("Odoo's counts: the same, less the event deleted on Google",
                 Event.search_count([]) == facts["odoo_events"] - 1, Event.search_count([]))
    google_now = {}
    for login in ("alice", "bob"):
        token = google.access_token(base, CLIENT_ID, CLIENT_SECRET, syncs[login].account_id.refresh_token)
        google_now[login] = google.events(base, token)
    # (A changed occurrence is listed beside its series, under its title.)
    alice = collections.Counter(e.get("summary") for e in google_now["alice"] if not e.get("recurringEventId"))
    bob = collections.Counter(e.get("summary") for e in google_now["bob"] if not e.get("recurringEventId"))
    checks.check("no event is twice on Google", max(alice.values()) == 1 and max(bob.values()) == 1, (alice, bob))
    special = [e for e in google_now["alice"] if e.get("summary") == "Alice weekly (special)"]
    checks.check("the changes Odoo had not sent are on Google", alice["Alice 1:1 (moved)"] == 1
                 and bob["Alice 1:1 (moved)"] == 1 and len(special) == 1 and "Bob solo" not in bob, (alice, bob))
    checks.check("the event Odoo created but never linked is found, not created again",
                 alice["Alice new while paused"] == 1 and env["google.calendar.binding"].search_count(
                     [("google_id", "=", "orphan0001")]) == 1)
    checks.check("a colleague's event is on its guest's calendar once (a copy, where Odoo had not sent it)",
                 alice["Dave review"] == 1, (alice, facts["unsent"]))
    checks.check("Google's counts: the same, less the event deleted in Odoo, with the copies Odoo owed",
                 sum(alice.values()) == len(facts["google"]["alice"]) + len(facts["unsent"]["alice"])
                 and sum(bob.values()) == len(facts["google"]["bob"]) + len(facts["unsent"]["bob"]) - 1,
                 (alice, facts["google"]["alice"], bob, facts["google"]["bob"], facts["unsent"]))
    marker = f"{facts['db']}_odoo_id"
    moved = next(e for e in google_now["alice"] if e.get("summary") == "Alice 1:1 (moved)")
    kept = [e for e in google_now["alice"] if e.get("summary") == "Alice weekly"]
    checks.check("an event written by us loses Odoo's marker and gets ours",
                 marker not in (moved.get("extendedProperties") or {}).get("shared", {})
                 and "odooLink" in (moved.get("extendedProperties") or {}).get("private", {}), moved)
    checks.check("an unchanged event is not rewritten for Odoo's marker",
                 kept and all(marker in (e.get("extendedProperties") or {}).get("shared", {}) for e in kept), kept)
    # Odoo's guests_readonly: false on its own events (it sent guestsCanModify), Google's default on imports.
    odoo_moved, odoo_meet = (Event.search([("name", "=", name)]) for name in ("Alice 1:1 (moved)", "Alice meets Bob"))
    rights = (odoo_moved.google_guests_can_modify, moved.get("guestsCanModify"), odoo_meet.google_guests_can_modify)
    checks.check("Odoo's guests' rights are carried: its events stay modifiable by guests, on Google too",
                 rights == (True, True, False), rights)
    meet = next((e for e in google_now["alice"] if e.get("summary") == "Alice meets Bob"), {})
    checks.check("a Google Meet stays the event's video call, in Odoo and on Google",
                 facts["meet"][0] == odoo_meet.videocall_source == "google_meet" and odoo_meet.google_meet
                 and meet.get("hangoutLink") and odoo_meet.videocall_location == meet["hangoutLink"],
                 (facts["meet"], odoo_meet.videocall_source, odoo_meet.videocall_location, meet.get("hangoutLink")))


def idle(env, cr, control, syncs, checks):
    """Two more rounds: the second writes nothing anywhere."""
    for sync in syncs:
        run(sync)
    cr.commit()
    control.clear_requests()
    cr.execute("SELECT max(write_date) FROM calendar_event")
    events_before = cr.fetchone()
    cr.execute("SELECT max(write_date), count(*) FROM google_calendar_binding")
    bindings_before = cr.fetchone()
    for sync in syncs:
        run(sync)
    cr.commit()
    writes = [r for r in control.requests() if r["method"] != "GET" and not r["path"].startswith("/token")]
    cr.execute("SELECT max(write_date) FROM calendar_event")
    events_after = cr.fetchone()
    cr.execute("SELECT max(write_date), count(*) FROM google_calendar_binding")
    checks.check("an idle run writes nothing to Google", not writes, writes)
    checks.check("an idle run writes no event or binding in Odoo",
                 events_after == events_before and cr.fetchone() == bindings_before)
    checks.check("an idle run is one request per user", len(control.requests()) == len(syncs), control.requests())


if __name__ == "__main__":
    main(*sys.argv[1:5])
