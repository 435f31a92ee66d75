"""The couple's web companion (sign-in by text, today, history, promises, progress, settings, export) and
the operator's status page, served by the same Flask app. Server-rendered, no script; see docs/web.md."""
from flask import Blueprint

from web import admin, auth, couple, export
from web.security import csrf_token, finish

#: The web blueprints, in the order create_app registers them.
BLUEPRINTS = (auth.blueprint, couple.blueprint, export.blueprint, admin.blueprint)
assets = Blueprint("web_assets", __name__, static_folder="static", static_url_path="/static/web")
assets.after_request(finish)


def register(app) -> None:
    """Add the pages, the stylesheet and the template helpers to `app`."""
    for blueprint in (*BLUEPRINTS, assets):
        app.register_blueprint(blueprint)
    app.add_template_global(csrf_token)
