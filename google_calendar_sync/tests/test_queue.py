"""When sync runs: queued by edits and the button, claimed by the cron, longest waiting first."""

import datetime as dt
from contextlib import closing
from unittest.mock import patch

from odoo import fields, sql_db
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import config

from ..jobs.run_queue import RUN_LOCK, RunQueue
from ..jobs.sync_run import run_now
from .common import ALICE_GOOGLE, GoogleCalendarSyncCase


@tagged("post_install", "-at_install")
class TestQueue(GoogleCalendarSyncCase):
    def setUp(self):
        super().setUp()
        self.connect(self.bob, email="bob@gmail.example", return_url="/odoo/calendar")
        self.bob_sync = self.env["google.calendar.sync"]._for_user(self.bob)
        self.run_sync(self.bob)
        self.google.clear_requests()

    def save_settings(self, **values):
        self.env["res.config.settings"].with_user(self.admin).create(values).execute()

    def run_cron_jobs(self, budget=None):
        with self.worker() as env:
            env["google.calendar.sync"]._cron_run_jobs(budget)

    def queued(self):
        return self.env["google.calendar.sync.request"].sudo().search([]).sync_id

    def ask(self, sync, minutes_ago, urgent=False):
        requested_at = fields.Datetime.now() - dt.timedelta(minutes=minutes_ago)
        self.env["google.calendar.sync.request"].sudo().create(
            {"sync_id": sync.id, "urgent": urgent, "requested_at": requested_at})

    def triggers(self):
        crons = RunQueue(self.env).cron_jobs()
        return [self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]) for cron in crons]

    def test_an_edit_queues_its_organizer_once_and_wakes_both_cron_jobs(self):
        before = self.triggers()
        self.create_in_odoo("Queued")
        self.create_in_odoo("Queued too")
        self.assertEqual(self.queued(), self.sync)
        self.assertEqual(self.env["google.calendar.sync.request"].sudo().search_count([]), 1, "one request")
        self.assertTrue(all(after > first for first, after in zip(before, self.triggers())),
                        "two cron jobs, so that two cron workers share the users")
        self.assertEqual(self.google.requests(), [])

    def test_the_cron_runs_the_longest_waiting_first_and_skips_running_ones(self):
        self.ask(self.sync, 5)
        self.ask(self.bob_sync, 9)
        with self.worker() as env:
            queue = RunQueue(env)
            self.assertEqual(queue.claim(), self.bob_sync)
            self.assertTrue(self.bob_sync.with_env(env).running_since)
            self.assertEqual(queue.claim(), self.sync, "a running sync is not claimed twice")
            self.assertFalse(queue.claim())

    def test_asking_for_a_run_now_wakes_the_cron_jobs_even_with_a_request_left_from_before(self):
        """A request left while alice's synchronization could not run (Google's notification while
        she paused it, or around a reset) woke cron jobs that had nothing to do then: every way
        of asking for a run now wakes them again, instead of waiting for their next pass."""
        Sync = self.env["google.calendar.sync"]

        def pause():
            self.sync.sudo().enabled = False

        asks = {
            "the Google button": lambda: Sync.with_user(self.alice).google_sync_now(),
            "Sync now in the preferences": lambda: self.alice.with_user(self.alice).action_google_calendar_sync_now(),
            "resume on the Google button": lambda: (pause(), Sync.with_user(self.alice).google_resume()),
            "resume in the preferences": lambda: (pause(), self.alice.with_user(self.alice).write(
                {"google_calendar_sync_enabled": True})),
            "connect again": lambda: self.connect(self.alice, email=ALICE_GOOGLE, return_url="/odoo/calendar"),
        }
        for name, ask in asks.items():
            with self.subTest(name):
                self.ask(self.sync, 10, urgent=True)
                self.env["ir.cron.trigger"].search([]).unlink()  # the cron jobs ran since: their wake-up is spent
                ask()
                self.assertTrue(all(self.triggers()), f"{name}: both cron jobs are woken")
                self.assertEqual(self.env["google.calendar.sync.request"].sudo().search_count([]), 1)
                self.env["google.calendar.sync.request"].sudo().search([]).unlink()

    def test_sync_now_goes_before_those_who_waited_longer(self):
        self.ask(self.bob_sync, 9)
        self.sync.with_user(self.alice).action_sync_now()
        with self.worker() as env:
            self.assertEqual(RunQueue(env).claim(), self.sync)

    def test_a_notification_for_a_synchronized_calendar_goes_before_first_synchronizations(self):
        self.bob_sync.sudo().sync_token = False  # bob's first synchronization is still under way
        self.ask(self.bob_sync, 9, urgent=True)
        self.ask(self.sync, 1, urgent=True)
        self.assertTrue(self.sync.sync_token)
        with self.worker() as env:
            queue = RunQueue(env)
            self.assertEqual([queue.claim(), queue.claim()], [self.sync, self.bob_sync])

    def test_the_databases_namespace_exists_before_any_run(self):
        # Made at install: the first runs of many users connecting at once found none, and each
        # made one; all but the first failed on the parameter's unique key. Another connection
        # sees only what was committed, that is before this test's runs (never committed).
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as other:
            other.execute("SELECT value FROM ir_config_parameter WHERE key = 'google_calendar_sync.namespace'")
            [(namespace,)] = other.fetchall()
        self.assertEqual(self.env["google.calendar.sync"]._namespace(), namespace)

    def test_a_claim_left_by_a_killed_worker_is_taken_again_at_once_and_its_log_closed(self):
        # Its run lock went with its connection: nobody runs the user, however recent the claim.
        self.sync.sudo().write({"running_since": fields.Datetime.now() - dt.timedelta(minutes=1)})
        orphan = self.env["google.calendar.sync.log"].sudo().create({"sync_id": self.sync.id})
        self.ask(self.sync, 1)
        with self.worker() as env:
            self.assertEqual(RunQueue(env).claim(), self.sync)
        self.assertEqual(self.assertRunFailed("Interrupted"), orphan)
        self.assertEqual(orphan.state, "failed")

    def test_a_run_lock_of_another_database_on_the_server_holds_nobody_here(self):
        # Sync ids start at 1 in each database: another database's run of the same id is not ours.
        self.ask(self.sync, 1)
        with closing(sql_db.db_connect("postgres").cursor()) as other_database:
            other_database.execute("SELECT pg_advisory_lock(%s, %s)", [RUN_LOCK, self.sync.id])
            try:
                with self.worker() as env:
                    self.assertEqual(RunQueue(env).claim(), self.sync)
            finally:
                other_database.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK, self.sync.id])

    def test_a_user_whose_run_lock_is_held_elsewhere_is_neither_claimed_nor_run_nor_reset(self):
        self.ask(self.sync, 9)
        self.ask(self.bob_sync, 1)
        self.create_in_odoo("Waits for the live run")
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as other_worker:
            other_worker.execute("SELECT pg_advisory_lock(%s, %s)", [RUN_LOCK, self.sync.id])
            with self.worker() as env:
                self.assertEqual(RunQueue(env).claim(), self.bob_sync, "alice's run is alive in another worker")
                self.assertEqual(run_now(self.sync.with_env(env)), {})
            self.assertEqual(self.google_events(), {}, "not run twice at once")
            reset = self.env["google.calendar.reset"].with_user(self.admin).create({
                "user_id": self.alice.id, "delete_policy": "delete_both", "sync_policy": "all"})
            with self.assertRaisesRegex(UserError, "is running"):
                reset.action_reset()
            other_worker.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK, self.sync.id])
        with self.worker() as env:
            self.assertEqual(RunQueue(env).claim(), self.sync, "claimed once the other worker let go")

    def test_a_run_out_of_time_asks_for_the_next_one(self):
        for number in range(3):
            self.create_in_odoo(f"Event {number}")
        self.run_sync(time_budget=0, problem="The time budget of this run ran out")
        self.assertEqual(self.queued(), self.sync)
        self.run_sync()
        self.assertEqual(len(self.google_events()), 3)

    def test_the_cron_budget_fits_the_time_odoo_gives_a_cron_worker(self):
        queue = RunQueue(self.env)
        threaded = {"workers": 0, "limit_time_cpu": 60}
        with patch.dict(config.options, dict(threaded, limit_time_real=120, limit_time_real_cron=-1)):
            self.assertEqual(queue.cron_budget(), 24, "both jobs may run in one unit of work")
        with patch.dict(config.options, dict(threaded, limit_time_real=120, limit_time_real_cron=1000)):
            self.assertEqual(queue.cron_budget(), 200)
        with patch.dict(config.options, dict(threaded, limit_time_real=0, limit_time_real_cron=0)):
            self.assertEqual(queue.cron_budget(), 240)
        with patch.dict(config.options, {"workers": 4, "limit_time_cpu": 60, "limit_time_real": 120,
                                         "limit_time_real_cron": -1}):
            self.assertEqual(queue.cron_budget(), 12, "workers also have a CPU time limit")
        self.save_settings(google_calendar_runs_at_a_time=8)
        with patch.dict(config.options, dict(threaded, limit_time_real=120, limit_time_real_cron=1000)):
            self.assertEqual(queue.cron_budget(), 50, "all eight jobs may run in one unit of work")

    def test_runs_at_a_time_are_a_setting_one_cron_job_each_all_woken(self):
        """Odoo runs one scheduled action on one cron worker at a time: N runs at a time are N
        jobs, every one of them woken by a change; fewer archives the extra ones."""
        queue = RunQueue(self.env)
        first = self.env.ref("google_calendar_sync.ir_cron_google_calendar_sync")
        self.assertEqual(len(queue.cron_jobs()), 2, "two by default")
        self.assertEqual(self.env["res.config.settings"].with_user(self.admin).create({})
                         .google_calendar_runs_at_a_time, 2)
        self.save_settings(google_calendar_runs_at_a_time=5)
        jobs = queue.cron_jobs()
        self.assertEqual(len(jobs), 5)
        self.assertEqual(jobs[0], first)
        self.assertEqual(set(jobs.mapped("code")), {first.code})
        self.assertEqual(jobs[4].name, "Google Calendar: synchronize queued users (5)")
        before = self.triggers()
        self.create_in_odoo("Wakes every job")
        self.assertEqual([after - count for count, after in zip(before, self.triggers())], [1] * 5)
        self.save_settings(google_calendar_runs_at_a_time=1)
        self.assertEqual(queue.cron_jobs(), first)
        self.assertEqual(len(queue.cron_jobs(active_test=False)), 5, "archived, their history kept")
        self.save_settings(google_calendar_runs_at_a_time=3)
        self.assertEqual(queue.cron_jobs(), jobs[:3], "the archived ones come back, none made")
        with self.assertRaisesRegex(ValidationError, "at least one"):
            self.save_settings(google_calendar_runs_at_a_time=0)

    def test_workers_claim_different_users_a_notification_first(self):
        """However many jobs run the queue at once, each claims a different user; a notification
        for a calendar already synchronized goes before first synchronizations waiting longer."""
        self.google.add_user("carol@gmail.example")
        self.register_client(test_users=[ALICE_GOOGLE, "bob@gmail.example", "carol@gmail.example"])
        self.connect(self.carol, email="carol@gmail.example", return_url="/odoo/calendar")
        carol_sync = self.env["google.calendar.sync"]._for_user(self.carol)
        for sync in (self.bob_sync, carol_sync):
            sync.sudo().sync_token = False  # their first synchronizations wait
        self.ask(self.bob_sync, 9, urgent=True)
        self.ask(carol_sync, 8, urgent=True)
        self.ask(self.sync, 0, urgent=True)
        claims = []
        for _worker in range(4):  # each claim stays held (its running_since) while the next worker claims
            with self.worker() as env:
                claims.append(RunQueue(env).claim())
        self.assertEqual([claim.id for claim in claims], [self.sync.id, self.bob_sync.id, carol_sync.id, False])

    def test_the_cron_runs_every_queued_user_within_its_budget(self):
        self.create_in_odoo("From alice")
        self.create_in_odoo("From bob", user=self.bob)
        self.run_cron_jobs()
        self.env.invalidate_all()
        self.assertEqual([e["summary"] for e in self.google_events().values()], ["From alice"])
        self.assertEqual([e["summary"] for e in self.google_events(self.bob).values()], ["From bob"])
        self.assertFalse(self.queued())

    def test_an_empty_budget_leaves_the_queue_for_the_next_run(self):
        self.create_in_odoo("Later")
        self.run_cron_jobs(budget=0)
        self.assertEqual(self.queued(), self.sync)

    def test_users_not_synced_recently_are_polled(self):
        self.sync.sudo().write({"last_run_at": fields.Datetime.now() - dt.timedelta(hours=1)})
        with self.worker() as env:
            RunQueue(env).queue_due_polls()
        self.assertEqual(self.queued(), self.sync)

    def test_an_administrator_pause_stops_everyone_and_changes_wait(self):
        self.env["ir.config_parameter"].sudo().set_param("google_calendar_sync.paused", "True")
        self.create_in_odoo("While paused")
        self.run_cron_jobs()
        self.assertEqual(self.google_events(), {})
        self.assertEqual(self.sync.state, "paused_by_admin")
        self.env["ir.config_parameter"].sudo().set_param("google_calendar_sync.paused", "False")
        self.run_cron_jobs()
        self.env.invalidate_all()
        self.assertEqual([e["summary"] for e in self.google_events().values()], ["While paused"])

    def test_a_user_pause_stops_only_their_sync_and_changes_wait(self):
        self.sync.with_user(self.alice).action_pause()
        self.create_in_odoo("While paused")
        self.create_in_odoo("Bob's", user=self.bob)
        self.run_cron_jobs()
        self.assertEqual(self.google_events(), {})
        self.assertEqual(len(self.google_events(self.bob)), 1)
        self.sync.with_user(self.alice).action_resume()
        self.run_cron_jobs()
        self.env.invalidate_all()
        self.assertEqual([e["summary"] for e in self.google_events().values()], ["While paused"])

    def test_the_google_button_says_the_state_and_queues_a_run(self):
        Sync = self.env["google.calendar.sync"].with_user(self.alice)
        status = Sync.get_google_status()
        self.assertEqual((status["state"], status["label"], status["email"]),
                         ("synced", "Synchronized", "alice@gmail.example"))
        answer = Sync.google_sync_now()
        self.assertTrue(answer["queued"])
        self.assertEqual(self.queued(), self.sync)
        carol = self.env["google.calendar.sync"].with_user(self.carol).get_google_status()
        self.assertEqual((carol["state"], carol["configured"]), ("not_connected", True))
        url = self.env["google.calendar.sync"].with_user(self.carol).google_connect_url("/odoo/calendar")
        self.assertTrue(url.startswith(self.emulator.base_url + "/o/oauth2/v2/auth?"))


@tagged("post_install", "-at_install")
class TestSaveCost(GoogleCalendarSyncCase):
    """A save marks its binding and asks for a run in one statement, and wakes the cron jobs once
    per change window; an idle run writes nothing but its time."""

    def setUp(self):
        super().setUp()
        self.first, self.second = self.create_in_odoo("First"), self.create_in_odoo("Second")
        self.run_sync()
        self.google.clear_requests()

    def requests(self):
        return self.env["google.calendar.sync.request"].sudo().search([("sync_id", "=", self.sync.id)])

    def triggers(self):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "in", RunQueue(self.env).cron_jobs().ids)])

    def committed(self):
        """What the commit of the transaction so far runs afterwards (Odoo's test cursor never
        commits): its post-commit hooks, then a new transaction."""
        self.env.flush_all()
        self.env.cr.postcommit.run()

    def test_a_save_makes_no_http_call_and_queues_exactly_one_run(self):
        self.first.with_user(self.alice).write({"name": "First, edited"})
        self.committed()
        self.second.with_user(self.alice).write({"name": "Second, edited"})
        self.committed()
        self.assertEqual(len(self.requests()), 1)
        self.assertEqual(self.google.requests(), [], "nothing waits on Google")
        self.run_sync()
        self.assertEqual({e["summary"] for e in self.google_events().values()}, {"First, edited", "Second, edited"})

    def test_the_cron_jobs_are_woken_once_per_change_window(self):
        before = self.triggers()
        self.first.with_user(self.alice).write({"name": "Woken"})
        self.committed()
        self.assertEqual(self.triggers(), before + 2, "both jobs, woken by the change that asked for the run")
        self.second.with_user(self.alice).write({"name": "Not woken again"})
        self.committed()
        self.assertEqual(self.triggers(), before + 2, "the run asked for will take this change too")
        self.run_sync()
        self.first.with_user(self.alice).write({"name": "The next window"})
        self.committed()
        self.assertEqual(self.triggers(), before + 4)

    def test_a_change_saved_while_a_run_starts_is_picked_up_by_a_later_run(self):
        self.first.with_user(self.alice).write({"name": "Asks for the run"})
        self.committed()
        before = self.triggers()
        # Saved while the run asked for starts: this save still sees its request, but the run
        # took it before the save committed, and read the calendar before it too.
        self.second.with_user(self.alice).write({"name": "Saved meanwhile"})
        with self.worker() as env:
            RunQueue(env).served(self.sync.with_env(env))
        self.assertFalse(self.requests())
        self.committed()
        self.assertEqual(len(self.requests()), 1, "asked again once committed")
        self.assertEqual(self.triggers(), before + 2, "and the cron jobs woken")
        self.run_sync()
        self.assertIn("Saved meanwhile", {e["summary"] for e in self.google_events().values()})

    def test_a_change_that_found_no_run_is_queued_at_the_crons_next_pass(self):
        self.first.with_user(self.alice).write({"name": "Its worker stopped before asking again"})
        self.requests().unlink()  # as if a run had taken the request before the save committed
        self.env.cr.postcommit.clear()  # and the process had stopped right after the commit
        with self.worker() as env:
            RunQueue(env).queue_due_polls()
        self.assertEqual(len(self.requests()), 1, "though the user ran a moment ago")
        self.run_sync()
        self.assertIn("Its worker stopped before asking again", {e["summary"] for e in self.google_events().values()})
        with self.worker() as env:
            RunQueue(env).queue_due_polls()
        self.assertFalse(self.requests(), "a change sent is not queued again")

    def test_an_idle_run_writes_no_log_row_and_shows_when_it_ran(self):
        logs = self.sync.log_ids
        with self.freeze_later(60):
            self.run_sync()
            ran_at = fields.Datetime.now()
        self.assertEqual(len(self.google.requests()), 1)
        self.assertEqual(self.sync.log_ids, logs, "no log row")
        self.assertEqual((self.sync.last_run_at, self.sync.state), (ran_at, "synced"))
        self.assertEqual(self.sync.with_user(self.alice)._status()["last_run_at"], fields.Datetime.to_string(ran_at))
