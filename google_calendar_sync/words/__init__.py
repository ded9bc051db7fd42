"""Every word a person reads about a synchronization, in their language: problems, conflicts
and why a run stopped (messages), the state and label of the Google button (status). The engine
reports codes, kinds and data; only this package makes sentences of them.

May import: ``port.bounds`` (the limits a sentence names).
"""
