"""gunicorn settings read by docker/entrypoint.sh (``--config python:config.gunicorn``).

gunicorn writes ``Server: gunicorn`` on every answer and has no setting to drop it; the probe
reported the banner (issue 18 #9). The response's first header lines are built in
``Response.default_headers``: drop the ``Server`` line there, once, in the arbiter (workers
are forked from it).
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _without_server
