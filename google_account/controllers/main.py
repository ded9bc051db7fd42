from urllib.parse import urlencode

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import request

from ..exceptions import GoogleAccountError
from ..models.ir_http import show_after_reload


class GoogleAccountController(http.Controller):
    @http.route("/google_account/connect", type="http", auth="user", methods=["GET"])
    def connect(self, return_url=None):
        """Start connecting the logged-in user's Google account; a plain link can lead here."""
        try:
            url = request.env["google.account"]._authorization_url(return_url)
        except GoogleAccountError as exc:
            return self._failure_page(exc, return_url)
        except AccessError as exc:
            return self._refusal_page(exc)
        return request.redirect(url, local=False)

    @http.route("/google_account/authentication", type="http", auth="user", methods=["GET"])
    def authentication(self, state=None, code=None, error=None, error_description=None, **_google_params):
        """Google's redirect after its consent page: the Redirect URL registered at Google.

        ``_google_params`` takes what else Google adds (scope, authuser, prompt, hd).
        """
        try:
            account, return_url = request.env["google.account"]._complete_authorization(
                state=state, code=code, error=error, error_description=error_description
            )
        except GoogleAccountError as exc:
            return self._failure_page(exc, exc.return_url)
        except AccessError as exc:
            return self._refusal_page(exc)
        show_after_reload(account._connected_message())
        return request.redirect(return_url)

    def _failure_page(self, error, return_url=None):
        retry_url = "/google_account/connect"
        if return_url:
            retry_url += "?" + urlencode({"return_url": return_url})
        values = {"cause": error.cause, "fix": error.fix, "retry_url": retry_url}
        return request.render("google_account.authentication_failure", values, status=error.http_status)

    def _refusal_page(self, error):
        """Our page, not Werkzeug's bare 403: who may connect, and the way back."""
        values = {
            "cause": error.args[0] if error.args else str(error),
            "fix": request.env._("Google Calendar is for the company's users: ask an administrator if you "
                                 "need it."),
            "retry_url": False,
        }
        return request.render("google_account.authentication_failure", values, status=403)
