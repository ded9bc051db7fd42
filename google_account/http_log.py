"""Google's answer reaches Odoo as a URL whose query holds the authorization code and the state:
the HTTP server's access log (werkzeug's) would write them down, and so would the log line of a
login page that carries that URL as its ``redirect``. This filter hides that query in every
werkzeug log line, before any handler writes it."""

import logging
import re

CALLBACK_QUERY = re.compile(r"(google_account(?:/|%2F)authentication)(?:\?|%3F)[^\s\"]*", re.IGNORECASE)


class HideCallbackQuery(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        if "google_account" in message:
            hidden = CALLBACK_QUERY.sub(r"\1?(query hidden)", message)
            if hidden != message:
                record.msg, record.args = hidden, ()
        return True


def install():
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, HideCallbackQuery) for f in logger.filters):
        logger.addFilter(HideCallbackQuery())
