"""Running synchronizations: the queue of runs shared by the cron workers (run_queue: requests,
claims, locks, ``RunQueue.serve``), one run and its outcome (sync_run, whose ``run_queued`` and
``run_now`` are where every run starts), push channels and notifications (push_channel), and the
transaction seam they commit through (transaction).

May import: ``port``, ``gateway``, ``rules``, ``words``.
"""
