"""Running synchronizations: the queue of runs shared by the cron workers (run_queue: requests,
claims, locks; ``RunQueue.run``, where every run starts), one run and its outcome (sync_run), push
channels and notifications (push_channel), and the transaction seam they commit through
(transaction).

May import: ``port``, ``gateway``, ``rules``, ``words``.
"""
