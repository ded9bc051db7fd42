from . import test_invitations, test_queue, test_recurrence, test_rights, test_sync
