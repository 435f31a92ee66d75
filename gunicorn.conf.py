"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py 'app:create_app()'`.

Sized for 2 cores. Alexa gives up after 8 s, so a request may never take longer than that: the worker
timeout is 7 s and every outgoing call (Twilio 5 s, Alexa settings 2 s) has its own shorter timeout.
"""
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:" + os.environ.get("PORT", "8000"))
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "3"))  # 2 cores: a spare worker covers one stuck in I/O
threads = int(os.environ.get("WEB_THREADS", "4"))  # requests mostly wait on the database
timeout = 7
graceful_timeout = 10
keepalive = 5
limit_request_line = 4094
limit_request_fields = 50
# Migrate once, in the master, before forking; workers must not share its database connections.
preload_app = True
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}i)s'
# A sign-in link's token is in its path (/login/link/<token>): it must never reach a log file.
SECRET_IN_PATH = re.compile(r"(/login/link/)[^/?\s]+")


class AccessLogger(Logger):
    """Gunicorn's logger, with the token of a sign-in link blanked out of every access line."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            if isinstance(atoms.get(key), str):
                atoms[key] = SECRET_IN_PATH.sub(r"\1[token]", atoms[key])
        return atoms


logger_class = AccessLogger


def post_fork(server, worker):
    """Drop the pooled connections inherited from the master; each worker opens its own."""
    app = server.app.wsgi()
    app.extensions["trustbuilder"].engine.dispose(close=False)
