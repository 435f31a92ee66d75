"""The public pages Amazon's certification links to: GET /privacy and GET /terms, plain HTML generated from
the settings (retention, the number to text, the contact), so what they say is what this deployment does."""
from flask import Blueprint, render_template

import request_scope

blueprint = Blueprint("pages", __name__, template_folder="templates")


def _facts() -> dict:
    """What the pages state, from this deployment's settings."""
    settings = request_scope.runtime().settings
    quiet_start, quiet_end = settings.quiet_hours
    return {
        "base_url": settings.public_base_url,
        "retention_days": settings.retention_days,
        "number": settings.twilio_from_number,
        "contact_email": getattr(settings, "contact_email", "") or "",
        "quiet_start": f"{quiet_start:02d}:00",
        "quiet_end": f"{quiet_end:02d}:00",
        "thinking_cap": settings.thinking_daily_cap,
    }


@blueprint.get("/privacy")
def privacy():
    """What we store, how it is protected, how long it is kept, how to delete it, who to contact."""
    return render_template("pages/privacy.html", **_facts()), 200, _HEADERS


@blueprint.get("/terms")
def terms():
    """The terms of use, in plain words."""
    return render_template("pages/terms.html", **_facts()), 200, _HEADERS


#: Static pages: no scripts at all, cacheable for an hour.
_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}
