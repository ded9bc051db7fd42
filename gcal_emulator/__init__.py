"""A stateful emulator of Google Calendar API v3 and Google OAuth 2.0, over real HTTP.

Start it with ``python -m gcal_emulator --host 127.0.0.1 --port 0`` (it prints its base URL),
or in-process with :class:`EmulatorServer`. Tests and demos point a client's endpoints at the
base URL; the ``/_emulator/`` control API sets up clients, accounts, faults and the clock.
"""

from .app import EmulatorApp
from .server import EmulatorServer

__all__ = ["EmulatorApp", "EmulatorServer"]
