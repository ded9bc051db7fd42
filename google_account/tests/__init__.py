from . import test_access_rights
from . import test_authorization_flow
from . import test_hardening
from . import test_settings
from . import test_tokens
from . import test_ui
