"""/export: "download my data" (JSON, and the same as a readable page), and the report for the couple's
therapist, which says what it would hold before anyone agrees, and is made only from the parts both
partners said yes to (core.services.export)."""
import json

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

import request_scope
from core.errors import DomainError
from core.services import export
from web.security import guard, now, signed_in

blueprint = Blueprint("web_export", __name__, template_folder="templates")
guard(blueprint)
SAID = {"agreed": "Your yes is saved.", "withdrawn": "Your yes is withdrawn: no report can be made now."}


@blueprint.get("/export")
@signed_in
def export_page(partner):
    """What can be downloaded, and where the report for the therapist stands."""
    state = export.report_state(request_scope.db(), partner, now())
    request_scope.db().commit()
    return render_template("web/export.html", partner=partner, state=state, sections=export.SECTIONS,
                           never=export.NEVER, said=SAID.get(request.args.get("said", "")))


@blueprint.get("/export/my-data.json")
@signed_in
def my_data_json(partner):
    """Everything of yours, as JSON."""
    data = export.my_data(request_scope.db(), partner, now())
    return _download(json.dumps(data, indent=2, ensure_ascii=False), "application/json", "trust-builder-my-data.json")


@blueprint.get("/export/my-data.html")
@signed_in
def my_data_html(partner):
    """Everything of yours, as a page to read, print or keep."""
    data = export.my_data(request_scope.db(), partner, now())
    return _download(render_template("web/my_data.html", data=data), "text/html", "trust-builder-my-data.html")


def _download(body: str, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@blueprint.post("/export/report/consent")
@signed_in
def consent(partner):
    """Say yes to a report with the parts ticked."""
    try:
        export.consent(request_scope.db(), partner, request.form.getlist("section"), now())
    except DomainError:
        abort(400, "Tick at least one part of the report (and invite your partner first).")
    return _done("agreed")


@blueprint.post("/export/report/withdraw")
@signed_in
def withdraw(partner):
    """Take your yes back."""
    export.withdraw(request_scope.db(), partner)
    return _done("withdrawn")


def _done(word: str):
    request_scope.db().commit()
    return redirect(url_for("web_export.export_page", said=word), 303)


@blueprint.get("/export/report.html")
@signed_in
def report(partner):
    """The report, made now from what both agreed to; 403 until both said yes to the same part."""
    try:
        made = export.build_report(request_scope.db(), partner, now())
    except DomainError:
        abort(403, "The report is made only once you have both said yes to the same parts.")
    return _download(render_template("web/report.html", report=made, sections=export.SECTIONS, never=export.NEVER),
                     "text/html", "trust-builder-report.html")
