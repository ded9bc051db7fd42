"""Talking to Google: gcal_engine's client for one user's synchronization (google_client), paced
below Google's per-user and per-project quotas by allowances every Odoo process shares in
PostgreSQL (shared_pacer).

May import: ``jobs.transaction`` (a refused allowance statement is retried as any other).
"""
