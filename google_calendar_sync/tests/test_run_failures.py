"""What a run does when the database fails under it, as production meets it: a write that
collides with another transaction (PostgreSQL's serialization failure under repeatable read),
and an error nobody foresaw. The failures are PostgreSQL's own, raised by triggers."""

import datetime as dt

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import GoogleCalendarSyncCase

RUN_LOGGER = "odoo.addons.google_calendar_sync.jobs.sync_run"


@tagged("post_install", "-at_install")
class TestRunFailures(GoogleCalendarSyncCase):
    def fail_writes(self, table, times, when, sqlstate="serialization_failure"):
        """The next ``times`` rows of ``table`` written ``when`` (a trigger's timing, event and
        condition) fail with ``sqlstate``, as PostgreSQL fails them: the trigger's counter is a
        sequence, which no rollback takes back. It all ends with this test's transaction."""
        self.env.flush_all()
        self.env.cr.execute(f"""
            CREATE SEQUENCE gcs_test_failures;
            CREATE FUNCTION gcs_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF nextval('gcs_test_failures') <= {int(times)} THEN
                    RAISE EXCEPTION 'injected by the test' USING ERRCODE = '{sqlstate}';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER gcs_test_fail BEFORE {when} ON {table} FOR EACH ROW EXECUTE FUNCTION gcs_test_fail();
        """)

    def last_log(self):
        return self.sync.log_ids[:1]

    @mute_logger("odoo.sql_db")
    def test_saving_a_runs_outcome_after_a_collision_is_made_again_on_a_fresh_snapshot(self):
        self.create_in_odoo("Sent")
        self.sync.sudo().last_run_at = before = fields.Datetime.now() - dt.timedelta(days=1)
        self.fail_writes("google_calendar_sync", 2, "UPDATE OF last_run_at")
        self.run_sync()
        self.assertGreater(self.sync.last_run_at, before, "the outcome landed on the third try")
        self.assertEqual(self.last_log().state, "done")
        self.assertFalse(self.sync.running_since)
        self.assertEqual([e["summary"] for e in self.google_events().values()], ["Sent"])

    @mute_logger(RUN_LOGGER, "odoo.sql_db")
    def test_an_outcome_that_always_collides_still_ends_the_claim(self):
        self.create_in_odoo("Sent")
        self.sync.sudo().write({"running_since": fields.Datetime.now(), "last_run_at": False})
        self.fail_writes("google_calendar_sync", 3, "UPDATE OF last_run_at")
        self.run_sync()
        self.assertFalse(self.sync.last_run_at, "no outcome saved")
        self.assertFalse(self.sync.running_since, "the claim ends, whatever happens")
        self.assertEqual([e["summary"] for e in self.google_events().values()], ["Sent"],
                         "what Google confirmed was committed before")

    @mute_logger("odoo.sql_db")
    def test_a_collision_during_the_run_is_an_interruption_the_next_run_finishes(self):
        self.insert_on_google("From Google")
        self.fail_writes("google_calendar_binding", 1, "INSERT")
        self.run_sync(problem="Interrupted by a change made meanwhile")
        self.assertEqual(self.last_log().state, "failed")
        self.assertTrue(self.sync.sudo().request_ids, "the next run is asked for")
        self.run_sync()
        self.assertEqual(self.last_log().state, "done")
        self.odoo_event("From Google")

    @mute_logger(RUN_LOGGER, "odoo.sql_db")
    def test_an_unexpected_error_fails_one_users_run_and_the_others_still_run(self):
        self.connect(self.bob, email="bob@gmail.example", return_url="/odoo/calendar")
        self.run_sync(self.bob)
        self.insert_on_google("Poison")
        self.insert_on_google("Bob's", user=self.bob)
        self.fail_writes("calendar_event", 1, "INSERT", sqlstate="P0001")
        self.env["google.calendar.sync.request"].sudo().create(
            [{"sync_id": self.sync.id}, {"sync_id": self.env["google.calendar.sync"]._for_user(self.bob).id}])
        with self.worker() as env:
            env["google.calendar.sync"]._cron_run_jobs()
        self.assertEqual(self.assertRunFailed("Unexpected error").state, "failed")
        self.assertIn("Unexpected error", self.sync.last_error)
        self.odoo_event("Bob's")
        self.assertFalse(self.env["calendar.event"].search([("name", "=", "Poison")]))
        self.run_sync()
        self.odoo_event("Poison")
