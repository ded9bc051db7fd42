from . import (
    test_attendees,
    test_calendars,
    test_invitations,
    test_log,
    test_push,
    test_queue,
    test_recurrence,
    test_reset,
    test_rights,
    test_run_failures,
    test_sync,
    test_ui,
)
