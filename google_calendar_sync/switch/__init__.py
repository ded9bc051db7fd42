"""Switching from Odoo's own Google Calendar module (see takeover)."""

from .takeover import take_over


def post_init_hook(env):
    take_over(env)
