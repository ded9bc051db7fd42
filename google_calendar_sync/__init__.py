from . import controllers, models, wizard
from .switch.takeover import take_over


def post_init_hook(env):
    """A database that used Odoo's own Google Calendar: its users' synchronizations taken over."""
    take_over(env)
