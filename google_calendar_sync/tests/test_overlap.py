"""A run's waits on Google overlap (the next page is asked for while Odoo writes one, a big export
has batches waiting on Google together) while every write to Odoo's database stays in the run's
own thread, paced by the allowances shared through PostgreSQL: the outcome is the sequential one.

No test measures time: Google's latency, set to hold answers until the test releases them, shows
what waited on Google at once."""

import threading

from odoo.tests import tagged

from .common import GoogleCalendarSyncCase, as_odoo, paris

HOLD = 3_600_000  # ms: an answer waits until the test releases it


@tagged("post_install", "-at_install")
class TestOverlap(GoogleCalendarSyncCase):
    def test_a_run_of_many_pages_and_batches_ends_as_a_sequential_one(self):
        for i in range(30):
            self.insert_on_google(f"Google {i}", start=paris(2 + i % 10, 8).isoformat(),
                                  end=paris(2 + i % 10, 9).isoformat())
        Events = self.env["calendar.event"].with_user(self.alice)
        Events.create([{"name": f"Odoo {i}", "start": as_odoo(paris(2 + i % 10, 14)),
                        "stop": as_odoo(paris(2 + i % 10, 15))} for i in range(120)])
        self.google.set_page_limit(7)  # 30 changes listed in 5 pages; 120 events sent in 3 batches
        self.google.clear_requests()
        seen = {}

        def release():
            """Once two batches wait on Google at once, what waited; then every answer released."""
            seen.update(self.google.latency(waiting=2, wait=30))
            self.google.clear_latency()

        self.google.set_latency(batch_part_ms=HOLD)
        releaser = threading.Thread(target=release)
        releaser.start()
        try:
            sync = self.run_sync()
        finally:
            releaser.join()
        self.assertGreaterEqual(seen["waiting"], 2, "batches waited on Google together")

        requests = self.google.requests()
        pages = [r for r in requests if r["method"] == "GET" and r["path"].endswith("/events")]
        self.assertEqual(len(pages), 5, "each page asked for once, as one after the other")
        self.assertEqual(len({r["query"].get("pageToken") for r in pages}), 5)
        self.assertEqual([r["path"].startswith("/batch/") for r in requests if not r["batch"]].count(True), 3)
        self.assertEqual(sum(r["batch"] for r in requests), 120)

        google = self.google_events()
        self.assertEqual(sorted(e["summary"] for e in google.values()),
                         sorted([f"Google {i}" for i in range(30)] + [f"Odoo {i}" for i in range(120)]))
        odoo = self.env["calendar.event"].search([("user_id", "=", self.alice.id)])
        self.assertEqual(len(odoo), 150, "each Google event once in Odoo")
        bindings = self.env["google.calendar.binding"].sudo().search([("sync_id", "=", sync.id)])
        self.assertEqual(sorted(bindings.mapped("google_id")), sorted(google), "each pair bound")
        self.google.clear_requests()
        self.run_sync()
        self.assertEqual(self.writes_to_google(), [], "the run after has nothing left to send")
