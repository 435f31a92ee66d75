"""The web app: `flask --app app run` in development, `gunicorn -c gunicorn.conf.py 'app:create_app()'` in production."""
import sys
import uuid

from flask import Blueprint, Flask, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

import request_scope
from core import crypto, db, logs
from core.config import ConfigError, Settings, load_settings
from core.runtime import Runtime, open_runtime
from prompts.bank import load_bank

VERSION = "0.1.0"
health = Blueprint("health", __name__)


def create_app(config: Settings | dict | None = None, runtime: Runtime | None = None,
               skill_options: dict | None = None) -> Flask:
    """Build the app: settings, database (migrated), SMS gateway, Alexa skill, blueprints.
    `skill_options` go to build_skill (the console and benchmarks pass a test CA to trust)."""
    from skill import build_skill
    from skill.endpoint import blueprint as alexa
    from sms.webhooks import blueprint as sms
    from pages import blueprint as pages
    import web
    logs.configure()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # Alexa and Twilio bodies are small
    # One TLS-terminating proxy in front: trust its X-Forwarded-Proto/Host/For (signatures use PUBLIC_BASE_URL).
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    runtime = runtime or _open(_settings(config))
    load_bank()  # parse and validate the question bank now, before gunicorn forks, not on a first request
    app.extensions[request_scope.EXTENSION] = runtime
    app.extensions["alexa_skill"] = build_skill(runtime, **(skill_options or {}))
    app.teardown_appcontext(request_scope.close_db)
    app.before_request(_tag_request)
    app.register_error_handler(413, _too_large)
    for blueprint in (health, alexa, sms, pages):
        app.register_blueprint(blueprint)
    web.register(app)  # the couple's page and the operator's status page (docs/web.md)
    return app


def _settings(config) -> Settings:
    """Settings from the argument or the environment; a bad one stops start-up with one clear line."""
    if isinstance(config, Settings):
        return config
    try:
        return load_settings(**(config or {}))
    except ConfigError as error:
        sys.exit(f"Trust Builder cannot start: {error}")


def _open(settings: Settings) -> Runtime:
    """Connect, migrate and check that the database takes writes; any failure is one clear line."""
    from sms.gateway import gateway_for
    try:
        runtime = open_runtime(settings, gateway_for(settings))
    except (db.SchemaError, ConfigError, crypto.CryptoError) as error:
        sys.exit(f"Trust Builder cannot start: {error}")
    except SQLAlchemyError as error:
        sys.exit(f"Trust Builder cannot start: {db.describe_error(error)}")
    try:
        db.ping(runtime.engine)  # a read-only database would otherwise start and fail on the first text
    except SQLAlchemyError as error:
        runtime.close()
        sys.exit(f"Trust Builder cannot start: {db.describe_error(error)}")
    return runtime


def _tag_request() -> None:
    """Give every log line of this request the caller's request id (or a new one)."""
    incoming = request.headers.get("X-Request-Id", "")
    logs.request_id.set(incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex[:16])


def _too_large(_error):
    """Bodies over 64 KiB are refused before anything reads them."""
    return jsonify(error="request body too large (64 KiB at most)"), 413


@health.get("/healthz")
def healthz():
    """Ready to serve: the database answers and takes a write (rolled back), for load balancers and uptime
    checks. 503 names which: `unreachable`, or `read-only` when it answers but refuses writes."""
    try:
        schema = db.ping(request_scope.runtime().engine)
    except Exception as error:  # any database failure means not ready: answer 503, never 500
        state = "read-only" if "read-only" in db.describe_error(error) else "unreachable"
        return jsonify(status="error", database=state, error=type(error).__name__, version=VERSION), 503
    return jsonify(status="ok", database="ok", schema=schema, version=VERSION)
