"""An event from Google too large to keep whole: Odoo keeps it, within bounds, and says so."""

from odoo.tests import tagged

from ..sync.bounds import MAX_GUESTS, MAX_TEXT
from .common import ALICE_GOOGLE, GoogleCalendarSyncCase


@tagged("post_install", "-at_install")
class TestBounds(GoogleCalendarSyncCase):
    def test_a_huge_guest_list_and_description_are_cut_with_a_note_and_the_event_kept(self):
        guests = [{"email": ALICE_GOOGLE, "responseStatus": "accepted", "organizer": True}]
        guests += [{"email": f"guest{n}@example.com"} for n in range(MAX_GUESTS + 100)]
        partners_before = self.env["res.partner"].search_count([])
        self.insert_on_google("Town hall", attendees=guests, description="x" * (MAX_TEXT["description"] + 5),
                              location="Main hall")
        self.run_sync(problem=f"101 guests beyond the first {MAX_GUESTS} were left out")
        event = self.odoo_event("Town hall")
        self.assertEqual(len(event.partner_ids), MAX_GUESTS)
        self.assertIn(self.alice.partner_id, event.partner_ids, "the user stays a guest of their own event")
        self.assertLessEqual(self.env["res.partner"].search_count([]) - partners_before, MAX_GUESTS)
        self.assertLessEqual(len(event.description), MAX_TEXT["description"] + 100)
        self.assertEqual(event.location, "Main hall", "the rest of the event is kept")
        log = self.sync.log_ids[:1]
        # "Done, with problems" said 0 problems: the event kept in part is one, and its line.
        self.assertEqual((log.state, log.problem_count), ("partial", 1))
        [note] = log.problem_line_ids
        self.assertEqual((note.kind, note.event_id, note.name), ("note", event, "Town hall"))
        self.assertIn(f"101 guests beyond the first {MAX_GUESTS} were left out", note.message)
        self.assertIn("description was shortened", note.message)
        self.run_sync()
        self.assertEqual(len(self.google_event("Town hall")["attendees"]), MAX_GUESTS + 101,
                         "Google keeps the whole event: the cut version is not sent back")
