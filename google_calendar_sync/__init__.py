from . import controllers, models, wizard
from .switch import post_init_hook
