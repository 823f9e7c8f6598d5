"""gunicorn's configuration for production: ``gunicorn -c gunicorn.conf.py``.

The access log records the path without its query string (``%(U)s``, not ``%(r)s``) and
no referrer: the OAuth callback's query carries the authorization code and ``state``,
and a page's address (with its query) travels on as the referrer of what it loads.

Bind address and workers come from the command line or ``GUNICORN_CMD_ARGS``.
"""

wsgi_app = "hemi_fulfilment.wsgi:application"
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(L)ss'
