from . import google_account
from . import google_oauth_state
from . import ir_http
from . import res_config_settings
from . import res_users
