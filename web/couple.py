"""The couple's pages, each for the signed-in partner only and only about their own couple (nothing in a URL
names anyone): today (/ and answering from it), /history, /promises, /progress, /settings. Views parse,
call the same core services text and voice use, and render."""
import re
import secrets
from datetime import date, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for

import request_scope
from core import zone_names
from core.errors import DomainError
from core.models import Channel, PactAction, Role
from core.safety import resources_for
from core.services import answers, checkins, history, pact, personal_settings, progress, questions, roles, setbacks
from core.services.couples import other_partner
from web import charts
from web.security import guard, now, signed_in

blueprint = Blueprint("web_couple", __name__, template_folder="templates")
guard(blueprint)
#: What a page says after a form, by the fixed word in ?said= (never words of anyone's in a URL).
SAID = {"saved": "Saved. Thank you for answering.", "replaced": "Saved: it replaces your earlier answer today.",
        "private": "Kept just for you. It is never shown to your partner.",
        "held": "Kept private for now: it's only yours until you choose to share it.",
        "ack": "That reads like a quick reply, so it wasn't saved as your answer. Write a sentence or two.",
        "undone": "Taken back. Nobody saw it.", "shared": "Shared with your partner.",
        "settings": "Your settings are saved.", "shared_settings": "Saved. Your partner gets one text saying so.",
        "seen": "Your partner has already seen that answer, so it stays.",
        "too_late": "It's been more than 15 minutes, so that answer stays.", "nothing": "There was nothing to take back.",
        "pact_proposed": "Proposed. It counts only once your partner agrees too; they get one text about it.",
        "pact_agreed": "Agreed: it's part of your pact now.", "pact_dropped": "Done: that proposal is set aside.",
        "pact_held": ("That wasn't added: its words read as if you might not be safe. The lines below can help; "
                      "nothing was shown to your partner.")}
SOURCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
ROLE_WORDS = {Role.REPAIRING: "Mostly repairing trust", Role.HURT: "Mostly the one who was hurt",
              Role.BOTH: "A bit of both", Role.UNSAID: "I'd rather not say"}


def page(template: str, partner, **context):
    """Render with what every page shows: the partner, the day's safety lines, and a message."""
    request_scope.db().commit()  # a session's last use, a revealed answer marked as seen
    other = other_partner(partner)
    return render_template(template, partner=partner, said=SAID.get(request.args.get("said", "")),
                           safety=resources_for(partner.phone), other_name=other.display_name if other else None,
                           **context)


def done(word: str, endpoint: str = "web_couple.today"):
    """Commit a form's change and go back to the page with a fixed message word."""
    request_scope.db().commit()
    return redirect(url_for(endpoint, said=word), 303)


@blueprint.get("/")
@signed_in
def today(partner):
    """Today's question, who has answered, your answer, and your partner's once both have."""
    db, at = request_scope.db(), now()
    day, _, words = questions.personal_question(db, partner, at)
    status = checkins.answer_status(db, partner, at)
    shown = history.days_between(db, partner, day, day + timedelta(days=1), day, at).get(day) or history.Day(day)
    return page("web/today.html", partner, question=words, status=status, day=shown,
                source=secrets.token_urlsafe(18))


@blueprint.post("/answer")
@signed_in
def answer(partner):
    """An answer from the page: a check-in like any other (channel web), kept with the same care."""
    source, text = request.form.get("source", ""), request.form.get("answer", "")
    if not SOURCE.fullmatch(source):
        abort(400, "This form is missing a part. Reload the page and try again.")
    db, at, source_id = request_scope.db(), now(), f"web:{partner.id}:{source}"
    try:
        if request.form.get("private"):
            taken = answers.keep_private(db, partner, text, Channel.WEB, source_id, at)
        else:
            taken = answers.take_answer(db, partner, text, Channel.WEB, source_id, at, explicit=True)
    except DomainError:
        abort(400, "Write your answer in the box first.")
    return done(taken.status if taken.status in SAID else "ack")


@blueprint.post("/answer/undo")
@signed_in
def undo(partner):
    """Take back today's answer (within 15 minutes, before the partner saw it)."""
    result = answers.undo(request_scope.db(), partner, now())
    return done({"removed": "undone"}.get(result, result))


@blueprint.post("/answer/share")
@signed_in
def share_held(partner):
    """Share today's answer that was kept private because it spoke of danger (SHARE IT)."""
    answers.share_held(request_scope.db(), partner, now())
    return done("shared")


@blueprint.get("/history")
@signed_in
def history_page(partner):
    """Four weeks at a time, newest first; ?before=YYYY-MM-DD goes further back."""
    before = _date_arg("before")
    weeks = history.weeks(request_scope.db(), partner, now(), before=before)
    first = weeks[-1].start if weeks else None
    older = first if first and first > partner.couple.created_at.date() - timedelta(days=7) else None
    return page("web/history.html", partner, weeks=weeks, older=older)


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        abort(400, "That isn't a date.")


@blueprint.get("/promises")
@signed_in
def promises_page(partner):
    """Open, kept and missed promises (your own), and the ones your partner chose to tell you about."""
    return page("web/promises.html", partner, lists=history.promise_lists(request_scope.db(), partner, now()))


@blueprint.get("/progress")
@signed_in
def progress_page(partner):
    """Three charts, each with the same numbers in a table."""
    weeks = progress.weekly(request_scope.db(), partner, now())
    marks = [(day, "hard day") for day in setbacks.days_of(request_scope.db(), partner)]  # your own, as events
    return page("web/progress.html", partner, weeks=weeks, **_charts(weeks, marks))


def _charts(weeks, marks) -> dict:
    starts = [w.start for w in weeks]
    mood = charts.Series("Your mood, week by week", "Your own average mood note each week, from 1 (a rough "
                         "day) to 5 (a great one); weeks without a note are left empty. Only you see this.",
                         starts, [w.mood for w in weeks], top=5, bottom=1)
    both = charts.Series("Days you both checked in", "For each week, on how many days you both answered "
                         "the day's question.", starts, [w.both_days for w in weeks], top=7)
    kept = charts.Series("Promises kept", "For each week, how many promises the two of you kept.", starts,
                         [w.kept for w in weeks], top=max([3] + [w.kept for w in weeks]))
    return {"mood_chart": charts.line(mood, "mood", marks), "both_chart": charts.bars(both, "both", marks),
            "kept_chart": charts.bars(kept, "kept", marks)}


@blueprint.get("/pact")
@signed_in
def pact_page(partner):
    """The couple's agreements, each with its history; proposals waiting; proposing and agreeing (the rule
    of core.services.pact: nothing counts until the other partner agrees)."""
    db, at = request_scope.db(), now()
    names = {p.id: ("You" if p.id == partner.id else p.display_name) for p in partner.couple.partners}
    live = [(entry, entry.waits_for(partner), pact.history(entry.agreement)) for entry in pact.entries(db, partner.couple_id, at)]
    return page("web/pact.html", partner, live=live, names=names, ideas=pact.suggestions()[:5],
                source=secrets.token_urlsafe(18))


@blueprint.post("/pact/propose")
@signed_in
def pact_propose(partner):
    """Propose a new agreement, new words for one, or retiring one; it waits for the other partner."""
    form, db, at = request.form, request_scope.db(), now()
    action, source = form.get("action", ""), form.get("source", "")
    if action not in set(PactAction) or not SOURCE.fullmatch(source):
        abort(400, "This form is missing a part. Reload the page and try again.")
    try:
        number = int(form["number"]) if action != PactAction.ADD else None
        proposed = pact.propose(db, partner, action, at, source_id=f"web:{partner.id}:{source}",
                                text=form.get("text"), number=number)
    except (KeyError, ValueError):
        abort(400, "Choose which agreement, by its number.")
    except DomainError as refusal:
        abort(400, PACT_REFUSALS.get(refusal.reason, "That proposal can't be made right now."))
    return done("pact_held" if proposed.held else "pact_proposed", "web_couple.pact_page")


@blueprint.post("/pact/decide")
@signed_in
def pact_decide(partner):
    """Agree to the other partner's proposal, or set a proposal aside (theirs: not now; yours: withdrawn)."""
    form, db, at = request.form, request_scope.db(), now()
    try:
        number = int(form.get("number", ""))
        if form.get("decision") == "agree":
            pact.agree(db, partner, number, at)
            word = "pact_agreed"
        elif form.get("decision") == "drop":
            pact.drop(db, partner, number, at)
            word = "pact_dropped"
        else:
            abort(400, "Choose agree or not now.")
    except ValueError:
        abort(400, "Choose which agreement, by its number.")
    except DomainError as refusal:
        abort(400, PACT_REFUSALS.get(refusal.reason, "That can't be decided right now."))
    return done(word, "web_couple.pact_page")


#: Plain words for the pact's refusals (their reasons come from core.services.pact).
PACT_REFUSALS = {
    "pact_empty": "Write the agreement in the box first.",
    "pact_too_long": "Keep an agreement short: at most 140 characters.",
    "pact_pending_full": "Three proposals are already waiting. Decide on those first.",
    "no_partner": "Your partner needs to join before you can make agreements together.",
    "no_consent": "Your partner needs to join before you can make agreements together.",
    "pact_full": "Your pact already has 12 agreements. Retire one before adding another.",
    "pact_same": "That's already what your pact says.",
    "pact_not_agreed": "Only an agreement you both agreed to can change or be retired.",
    "pact_already_proposed": "A proposal already waits on that agreement.",
    "pact_no_such": "There's no agreement with that number.",
    "pact_nothing_waiting": "Nothing is waiting on that agreement.",
    "pact_own_proposal": "That's your own proposal: it waits for your partner to agree.",
    "pact_nothing_to_agree": "No proposal is waiting for you."}


@blueprint.get("/settings")
@signed_in
def settings_page(partner):
    """Your own settings, and the two you share."""
    couple = partner.couple
    return page("web/settings.html", partner, roles=ROLE_WORDS, hours=range(24),
                question_time=f"{couple.question_minute // 60:02d}:{couple.question_minute % 60:02d}")


@blueprint.post("/settings/own")
@signed_in
def own_settings(partner):
    """Pause, quiet hours, thinking-about-you texts and role: only this partner's, the services SMS uses."""
    db, form = request_scope.db(), request.form
    try:
        start, end = int(form.get("quiet_start", "")), int(form.get("quiet_end", ""))
        personal_settings.set_quiet_hours(db, partner, start, end)
        roles.set_role(db, partner, form.get("role", ""))
    except (ValueError, DomainError):
        abort(400, "Quiet hours need a start and a different end, and a role from the list.")
    personal_settings.set_paused(db, partner, bool(form.get("paused")))
    if bool(form.get("thinking")) != partner.takes_thinking:
        personal_settings.set_takes_thinking(db, partner, bool(form.get("thinking")), now())
    return done("settings", "web_couple.settings_page")


@blueprint.post("/settings/shared")
@signed_in
def shared_settings(partner):
    """The question time and time zone, shared by both: a change is told to the other partner."""
    db, couple, at = request_scope.db(), partner.couple, now()
    minute = _minute(request.form.get("question_time", ""))
    zone = zone_names.resolve_timezone(request.form.get("timezone", "")[:64])
    if minute is None or zone is None:
        abort(400, "Give the time as HH:MM and a time zone or a big city near you (e.g. America/Chicago).")
    if zone != couple.timezone:
        personal_settings.set_timezone(db, partner, zone, at)
    if minute != couple.question_minute:
        personal_settings.set_question_time(db, partner, minute, at)
    return done("shared_settings", "web_couple.settings_page")


def _minute(raw: str) -> int | None:
    match = re.fullmatch(r"\s*([01]?\d|2[0-3]):([0-5]\d)\s*", raw)
    return int(match[1]) * 60 + int(match[2]) if match else None


@blueprint.app_template_filter("local")
def local_words(moment):
    """An instant in the signed-in couple's words: "today at 6 PM", "Friday at 9 AM"."""
    from core.words.times import describe_local
    from web.security import current_partner
    partner = current_partner()
    return describe_local(moment, partner.couple.timezone if partner else "UTC", now())


@blueprint.app_template_filter("weekday")
def weekday_words(day: date) -> str:
    return f"{day.strftime('%A')}, {day.strftime('%b')} {day.day}"


