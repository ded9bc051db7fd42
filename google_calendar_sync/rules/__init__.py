"""The product's rules that models, the port and jobs all read: whose changes go to Google and
which synchronizations are live (senders), whom Google reminds (reminders), and how far back and
ahead events are synchronized (sync_window).

Imports nothing of the addon's.
"""
