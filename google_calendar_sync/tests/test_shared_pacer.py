"""Google's per-minute quotas, shared by every process through PostgreSQL: each request takes
from its user's allowance and from the project's, both or neither, and waits when either is out.

Allowances refill on PostgreSQL's clock. Whatever the time between two statements, a take that
finds an allowance short of dozens of requests at a refill of about one a second waits; a pause
is made by moving the allowances' refill time back, not by sleeping."""

import threading
import uuid
from contextlib import closing

from odoo import sql_db
from odoo.tests import tagged

from odoo.addons.google_account.tests.common import CLIENT_ID

from ..gateway.shared_pacer import Allowance, SharedPacer
from .common import GoogleCalendarSyncCase


@tagged("post_install", "-at_install")
class TestSharedPacer(GoogleCalendarSyncCase):
    def setUp(self):
        super().setUp()
        self.env.cr.execute("DELETE FROM google_calendar_quota")  # full allowances, as on a new database

    def pacer(self, user=None, sleep=None):
        client = self.env["google.calendar.sync"]._for_user(user or self.alice)._client()
        client.session.close()
        pacer = client.session.pacer
        pacer.sleep = sleep or self.pause
        return pacer

    def pause(self, seconds):
        """``seconds`` pass for every allowance, at once."""
        self.env.cr.execute("UPDATE google_calendar_quota SET refilled_at = refilled_at - make_interval(secs => %s)",
                            [seconds])

    def lower_user_quota(self):
        """100 requests a minute: 50 at once, then one every 1.2 s."""
        self.env["ir.config_parameter"].sudo().set_param("google_calendar_sync.quota_per_minute", "100")

    def tokens(self, key):
        self.env.cr.execute("SELECT tokens FROM google_calendar_quota WHERE key = %s", [key])
        return self.env.cr.fetchone()[0]

    def test_users_have_their_own_allowance_and_share_the_projects(self):
        self.connect(self.bob, email="bob@gmail.example", return_url="/odoo/calendar")
        alices, bobs = self.pacer(), self.pacer(self.bob)
        self.assertEqual(alices.allowances[0], bobs.allowances[0], "one project for every user")
        self.assertEqual(alices.allowances[0].key, f"project:{CLIENT_ID}")
        self.assertEqual([a.key for a in (alices.allowances[1], bobs.allowances[1])],
                         ["user:alice@gmail.example", "user:bob@gmail.example"])
        # Google's defaults: 600 a minute per user (300 at once), 10,000 per project (1,000 at once).
        self.assertEqual([(a.burst, a.per_second) for a in alices.allowances], [(1000, 150), (300, 5)])

    def test_a_burst_goes_at_once_then_requests_wait_for_the_refill(self):
        self.lower_user_quota()
        pacer = self.pacer()
        self.assertEqual(pacer.allowances[1], Allowance("user:alice@gmail.example", 50, 50 / 60))
        self.assertEqual(pacer.take(50), 0, "a user's burst at once")
        wait = pacer.take(40)
        self.assertGreater(wait, 0, "then the refill")
        self.assertLessEqual(wait, 48, "40 at 50 a minute")
        waits = []

        def pause(seconds):
            waits.append(seconds)
            self.pause(seconds)
        self.assertEqual(self.pacer(sleep=pause).acquire(40), sum(waits))
        self.assertTrue(waits, "another run of the same user waits too: the allowance is shared")

    def test_a_request_takes_from_both_allowances_or_from_neither(self):
        self.lower_user_quota()
        pacer = self.pacer()
        self.assertEqual(pacer.take(50), 0)
        project = self.tokens(pacer.allowances[0].key)
        self.assertGreater(pacer.take(30), 0, "alice's allowance is out")
        self.assertGreaterEqual(self.tokens(pacer.allowances[0].key), project,
                                "the project's was not taken for a request that did not go")
        self.connect(self.bob, email="bob@gmail.example", return_url="/odoo/calendar")
        self.assertEqual(self.pacer(self.bob).take(30), 0, "bob's requests still go")

    def test_the_projects_allowance_is_shared_by_all_users(self):
        self.env["ir.config_parameter"].sudo().set_param("google_calendar_sync.project_quota_per_minute", "120")
        self.connect(self.bob, email="bob@gmail.example", return_url="/odoo/calendar")
        alices, bobs = self.pacer(), self.pacer(self.bob)
        self.assertEqual(alices.allowances[0].burst, 50, "at least a batch at once")
        self.assertEqual(alices.take(50), 0)
        self.assertGreater(bobs.take(50), 0, "bob's allowance is full, the project's is not")

    def test_a_batch_above_a_lowered_quota_is_paid_as_the_burst(self):
        self.env["ir.config_parameter"].sudo().set_param("google_calendar_sync.quota_per_minute", "40")
        pacer = self.pacer()
        self.assertEqual(pacer.allowances[1], Allowance("user:alice@gmail.example", 20, 20 / 60))
        self.assertEqual(pacer.take(50), 0, "a batch of 50 still goes, once the allowance is full")
        self.assertGreater(pacer.take(10), 0, "then 10 wait for 30 s of refill")

    def test_a_quota_that_is_not_a_number_is_googles_default(self):
        self.env["ir.config_parameter"].sudo().set_param("google_calendar_sync.quota_per_minute", "lots")
        self.assertEqual(self.pacer().allowances[1].burst, 300)

    def test_a_run_pays_its_requests(self):
        self.insert_on_google("Dentist")
        self.env.cr.execute("DELETE FROM google_calendar_quota")
        self.google.clear_requests()
        self.run_sync()
        self.assertTrue(self.google.requests(), "the run called Google")
        # The allowances opened full (300 and 1,000) at the run's first request; what is stored is
        # their level at the last request, that request paid.
        self.assertLessEqual(self.tokens("user:alice@gmail.example"), 299)
        self.assertLessEqual(self.tokens(f"project:{CLIENT_ID}"), 999)

    def test_two_workers_taking_at_once_both_take_and_leave_no_error_line(self):
        """Two cron workers take from one allowance at the same moment. Under repeatable read, the
        one whose snapshot is older than the other's commit is refused (a serialization failure):
        it takes again, on a fresh snapshot, without the "bad query" ERROR line PostgreSQL's
        refusal leaves in Odoo's log. The moment is made, not waited for: the loser's snapshot is
        taken, then the winner takes and commits, then the loser's statement runs."""
        dbname = self.env.cr.dbname
        # Allowances of their own, on real connections (this test's cursor is one transaction),
        # that never refill: what is left says exactly what was taken.
        key = uuid.uuid4().hex
        allowances = (Allowance(f"project:{key}", 100.0, 0.0), Allowance(f"user:{key}", 100.0, 0.0))

        def delete_rows():
            with sql_db.db_connect(dbname).cursor() as cr:  # committed as it closes
                cr.execute("DELETE FROM google_calendar_quota WHERE key LIKE %s", [f"%:{key}"])

        self.addCleanup(delete_rows)

        class Worker:
            """A registry for SharedPacer: a new connection per cursor, as another process has."""

            def __init__(self, before_first=None):
                self.cursors = 0
                self.before_first = before_first

            def cursor(self):
                cr = sql_db.db_connect(dbname).cursor()
                self.cursors += 1
                if self.cursors == 1 and self.before_first:
                    cr.execute("SELECT key FROM google_calendar_quota WHERE key LIKE %s", [f"%:{key}"])  # the snapshot
                    self.before_first()
                return cr

        self.assertEqual(SharedPacer(Worker(), allowances).take(1), 0)  # the allowances opened, 99 left
        winner = SharedPacer(Worker(), allowances)
        loser_worker = Worker(before_first=lambda: self.assertEqual(winner.take(10), 0))
        loser = SharedPacer(loser_worker, allowances)
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            self.assertEqual(loser.take(5), 0)
        self.assertEqual(loser_worker.cursors, 2, "refused once, then taken on a fresh snapshot")
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            cr.execute("SELECT key, tokens FROM google_calendar_quota WHERE key LIKE %s ORDER BY key", [f"%:{key}"])
            self.assertEqual(cr.fetchall(), [(f"project:{key}", 84.0), (f"user:{key}", 84.0)], "1 + 10 + 5 taken")

    def test_workers_taking_at_once_never_take_more_than_the_allowance(self):
        """As many runs at a time as cron workers: four take from one allowance at once, each on
        connections of its own as another process has, until refused. Together they take what
        it holds and not one request more, whoever wins each collision."""
        dbname = self.env.cr.dbname
        key = uuid.uuid4().hex
        # 100 at once and a refill too slow to count: 14 takes of 7 fit, a fifteenth does not.
        allowances = (Allowance(f"project:{key}", 100.0, 1e-6), Allowance(f"user:{key}", 100.0, 1e-6))

        def delete_rows():
            with sql_db.db_connect(dbname).cursor() as cr:
                cr.execute("DELETE FROM google_calendar_quota WHERE key LIKE %s", [f"%:{key}"])

        self.addCleanup(delete_rows)

        class Process:
            """A registry for SharedPacer: a new connection per cursor."""

            @staticmethod
            def cursor():
                return sql_db.db_connect(dbname).cursor()

        with Process.cursor() as cr:  # the allowances opened, committed as it closes, for the others to see
            SharedPacer(Process(), allowances)._open(cr)
        taken = []
        start = threading.Barrier(4)

        def worker():
            pacer = SharedPacer(Process(), allowances)
            start.wait()
            while pacer.take(7) == 0:
                taken.append(7)

        threads = [threading.Thread(target=worker) for _worker in range(4)]
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        self.assertEqual(sum(taken), 98, "14 takes of 7: all that 100 holds, none above it")
