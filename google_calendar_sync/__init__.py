from . import controllers, models, wizard
from .switch.synchronizations import take_over_synchronizations


def post_init_hook(env):
    """A database that used Odoo's own Google Calendar: its users' synchronizations taken over."""
    take_over_synchronizations(env)
