"""Keep OAuth callback query strings (``code``, ``state``) out of access logs.

An authorization code is a credential until it is exchanged; ``runserver`` logs every
request line with its query string. :class:`OAuthCallbackQueryFilter` cuts the query
from any ``…/oauth/callback/`` address in a log record. Production's gunicorn logs the
path without the query (see ``gunicorn.conf.py``).
"""

from __future__ import annotations

import logging
import re

QUERY_REMOVED = "?[query removed]"
# Any path that ends in oauth/callback (with or without the slash), then its query.
_CALLBACK_QUERY = re.compile(r"(/(?:[^\s?\"'#]*/)?oauth/callback/?)\?[^\s\"'#]*")


def without_callback_query(text: str) -> str:
    """``text`` with the query string of every OAuth callback address replaced."""
    if "oauth/callback" not in text:
        return text
    return _CALLBACK_QUERY.sub(lambda m: m.group(1) + QUERY_REMOVED, text)


class OAuthCallbackQueryFilter(logging.Filter):
    """A logging filter that removes OAuth callback query strings from the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message and its arguments in place; never drops the record."""
        if isinstance(record.msg, str):
            record.msg = without_callback_query(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                without_callback_query(a) if isinstance(a, str) else a for a in record.args
            )
        return True
