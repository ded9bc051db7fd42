"""The transaction seam of the jobs around a run: commit, roll back, and retry a step that
collided with another transaction.

Runs, claims and push channels commit as they go, on the cursor of the cron worker (or request)
that runs them, so that other workers see a claim at once and a run killed midway keeps what
Google confirmed. Under PostgreSQL's repeatable read, a step that writes a row another
transaction wrote meanwhile (a person saving their preferences while the run saves its outcome)
fails with a serialization failure: the step is then rolled back and made again on a fresh
snapshot. Tests run these jobs on a cursor of their own too (Odoo's test cursor, whose commits
and rollbacks are savepoints), so the same code runs there as in production.
"""

import logging
import threading
from contextlib import contextmanager

import psycopg2

_logger = logging.getLogger(__name__)
_refusals = threading.local()

ATTEMPTS = 3  # tries of a step that collides with another transaction


class Transaction:
    def __init__(self, env):
        self.env = env

    def commit(self):
        """Make what was done visible to the other workers now."""
        self.env.cr.commit()  # pylint: disable=invalid-commit

    def rollback(self):
        self.env.cr.rollback()
        self.env.invalidate_all()

    def retrying(self, step, attempts=ATTEMPTS):
        """``step()``, made again on a fresh snapshot after a serialization failure; True once it
        committed, False when every attempt collided (each rolled back)."""
        for attempt in range(attempts):
            try:
                step()
                self.commit()
                return True
            except psycopg2.errors.SerializationFailure:
                self.rollback()
                _logger.info("Google Calendar: a step collided with another transaction (attempt %s of %s)",
                             attempt + 1, attempts)
        return False


class _ExpectedRefusals(logging.Filter):
    """Drops what Odoo's cursor logs (its "bad query" ERROR line) while a thread runs a statement
    whose refusal it expects and handles (see ``expected_refusal``), in that thread only."""

    def filter(self, record):
        return not getattr(_refusals, "expected", 0)


logging.getLogger("odoo.sql_db").addFilter(_ExpectedRefusals())


@contextmanager
def expected_refusal():
    """A statement PostgreSQL may refuse (a serialization failure the caller retries) leaves no
    error line. Not Odoo's ``mute_logger``: it swaps the logger's handlers for the whole process,
    and two cron threads of one server muting at once leave one of them unmuted, or the logger
    muted for good (each restores what the other had set)."""
    _refusals.expected = getattr(_refusals, "expected", 0) + 1  # nested: until the outermost ends
    try:
        yield
    finally:
        _refusals.expected -= 1
