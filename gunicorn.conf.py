"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py 'app:create_app()'`.

Sized for 2 cores. Alexa gives up after 8 s, so a request may never take longer than that: the worker
timeout is 7 s and every outgoing call (Twilio 5 s, Alexa settings 2 s) has its own shorter timeout.
"""
import os

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


def post_fork(server, worker):
    """Drop the pooled connections inherited from the master; each worker opens its own."""
    app = server.app.wsgi()
    app.extensions["trustbuilder"].engine.dispose(close=False)
