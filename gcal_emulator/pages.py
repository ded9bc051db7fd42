"""The pages Google shows in the browser during authorization: the consent page and its error page."""

from __future__ import annotations

import html

from .errors import AuthorizePageError
from .grants import Authorization, Client
from .scopes import BASIC_SCOPES, SCOPE_LABELS

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body{{font-family:Roboto,Arial,sans-serif;background:#f0f4f9;margin:0}}
main{{max-width:560px;margin:48px auto;background:#fff;border-radius:28px;padding:36px 40px}}
h1{{font-size:24px;font-weight:400}} .muted{{color:#444746;font-size:14px}}
button{{border-radius:20px;padding:10px 24px;font-size:14px;border:1px solid #747775;background:#fff;cursor:pointer}}
button.primary{{background:#0b57d0;color:#fff;border-color:#0b57d0}} li{{margin:8px 0}} code{{word-break:break-all}}
.error{{color:#b3261e}} select,input[type=email]{{font-size:15px;padding:8px;width:100%;box-sizing:border-box}}
</style></head><body><main>{body}</main></body></html>"""


def render_error_page(error: AuthorizePageError) -> str:
    headline = {
        "access_denied": "Access blocked: this app's request is invalid" if error.status != 403 else "Access blocked",
        "redirect_uri_mismatch": "Access blocked: This app's request is invalid",
        "invalid_client": "Access blocked: Authorization Error",
    }.get(error.error, "Sign in with Google (emulator)")
    details = f'<p class="muted">Request details: <code>{html.escape(error.details)}</code></p>' if error.details else ""
    body = (
        f"<h1>{html.escape(headline)}</h1><p>{html.escape(error.message)}</p>"
        f'<p class="error" id="oauth-error"><strong>Error {error.status}: {html.escape(error.error)}</strong></p>{details}'
    )
    return _PAGE.format(title=f"Error {error.status}: {error.error}", body=body)


def render_consent_page(authorization: Authorization, client: Client, accounts: list[str], message: str = "") -> str:
    chosen = (authorization.login_hint or "").lower()
    options = "".join(
        f'<option value="{html.escape(email)}"{" selected" if email == chosen else ""}>{html.escape(email)}</option>'
        for email in accounts
    )
    account_field = (
        f'<select name="email" id="email">{options}</select>'
        if accounts
        else '<input type="email" name="email" id="email" placeholder="Email">'
    )
    scopes = "".join(
        f'<li><label><input type="checkbox" name="scope" value="{html.escape(scope)}" checked'
        f'{" disabled" if scope in BASIC_SCOPES else ""}> {html.escape(SCOPE_LABELS.get(scope, scope))}</label></li>'
        for scope in authorization.scopes
    )
    warning = (
        '<p class="muted">Google hasn\'t verified this app. The app is in testing: only its test users can sign in.</p>'
        if client.publishing_status == "testing"
        else ""
    )
    error = f'<p class="error">{html.escape(message)}</p>' if message else ""
    body = f"""<h1>Sign in with Google (emulator)</h1>
<p><strong>{html.escape(client.name)}</strong> wants to access your Google Account</p>{warning}{error}
<form method="post" action="/o/oauth2/v2/auth/decision">
<input type="hidden" name="request_id" value="{html.escape(authorization.id)}">
<p><label for="email">Account</label><br>{account_field}</p>
<p class="muted">This will allow {html.escape(client.name)} to:</p><ul>{scopes}</ul>
<p><button type="submit" name="decision" value="deny" id="deny">Cancel</button>
<button type="submit" name="decision" value="allow" id="allow" class="primary">Continue</button></p>
</form>"""
    return _PAGE.format(title="Sign in - Google Accounts", body=body)
