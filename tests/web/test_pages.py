"""The couple's pages through the real app: what each partner may see (their partner's answer only once
both answered, private and held words never), answering from the page as a check-in like any other,
settings through the services SMS uses, the charts, the export and report, and that no page of one
couple is reachable by another."""
import json
import re
from datetime import timedelta

from alembic.script import ScriptDirectory
from sqlalchemy import select

from core.db import alembic_config
from core.models import CheckIn, Channel, OutboundMessage, Partner, TextKind, Visibility
from core.services import checkins, couples
from tests.conftest import ALEX, SAM
from tests.web.conftest import OTHER_A, words

PAGES = ("/", "/history", "/promises", "/progress", "/settings", "/export")


def answer(browser, text, private=False):
    page = browser.text("/")
    source = re.search(r'name="source" value="([^"]+)"', page)[1]
    data = {"answer": text, "source": source, **({"private": "1"} if private else {})}
    response = browser.post("/answer", data, page="/")
    assert response.status_code == 303, words(response)
    return response.headers["Location"]


def partner_section(page: str) -> str:
    return page.split('id="partner-answer"', 1)[1].split("</section>", 1)[0]


def test_each_page_has_the_security_headers_and_no_script(alex):
    for path in PAGES:
        response = alex.get(path)
        assert response.status_code == 200, path
        csp = response.headers["Content-Security-Policy"]
        assert "script" not in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
        body = words(response)
        assert "<script" not in body and not re.search(r"\son[a-z]+=", body) and " style=" not in body
        assert '<main id="main"' in body and 'aria-label="Pages"' in body


def test_the_web_headers_stay_off_the_alexa_and_sms_endpoints(client, couple):
    for response in (client.post("/alexa", data="{}", content_type="application/json"),
                     client.post("/sms/inbound", data={}), client.get("/healthz")):
        assert response.status_code < 500
        assert "Content-Security-Policy" not in response.headers and "Referrer-Policy" not in response.headers


def test_answering_from_the_page_is_a_check_in_on_the_web_channel(alex, look, couple):
    assert answer(alex, "I felt heard when you asked about my day.") == "/?said=saved"
    [stored] = look.scalars(select(CheckIn)).all()
    assert (stored.partner_id, stored.channel, stored.visibility) == (couple.alex, Channel.WEB, Visibility.SHARED)
    page = alex.text("/?said=saved")
    assert "Saved. Thank you for answering." in page and "I felt heard" in page


def test_the_partners_answer_appears_only_after_both_answered(alex, sam, look):
    answer(alex, "I felt heard when you asked about my day.")
    waiting = alex.text("/")
    assert "You'll see it here once Sam has answered." in partner_section(waiting)
    sams = sam.text("/")
    assert "Alex has answered. You'll see it once you've answered too." in sams
    assert "I felt heard" not in sams
    answer(sam, "When you made coffee this morning without being asked.")
    assert "I felt heard" in partner_section(sam.text("/"))
    assert "made coffee" in partner_section(alex.text("/"))
    assert all(c.seen_at is not None for c in look.scalars(select(CheckIn)))  # UNDO is over once seen


def test_an_answer_that_reads_as_danger_is_held_and_offers_the_safety_lines(alex, sam, look):
    assert answer(alex, "I'm scared of him") == "/?said=held"
    page = alex.text("/?said=held")
    assert "Kept private for now" in page and "Not safe, or in crisis?" in page and "988" in page
    assert look.scalars(select(CheckIn.visibility)).all() == [Visibility.HELD]
    answer(sam, "Our walk on Sunday.")
    for path in ("/", "/history"):
        assert "scared" not in sam.text(path)
    alex.post("/answer/share", page="/")
    assert "scared" in partner_section(sam.text("/"))


def test_a_private_reflection_is_only_ever_the_writers(alex, sam):
    answer(alex, "I still feel a bit raw about last week.", private=True)
    answer(alex, "I felt heard when you asked about my day.")
    answer(sam, "Our walk on Sunday.")
    assert "raw about last week" in alex.text("/") and "raw about last week" in alex.text("/history")
    for path in PAGES:
        assert "raw about last week" not in sam.text(path), path
    assert "raw about last week" not in sam.text("/export/my-data.html")


def test_undo_from_the_page(alex, look):
    answer(alex, "I felt heard when you asked about my day.")
    assert alex.post("/answer/undo", page="/").headers["Location"] == "/?said=undone"
    assert look.scalars(select(CheckIn)).all() == []


def test_history_shows_each_day_by_the_sharing_rules(alex, sam, clock, runtime, couple, tx):
    answer(alex, "Monday, both of us.")
    answer(sam, "Sam on Monday.")
    clock.advance(days=1)
    answer(sam, "Only Sam on Tuesday.")
    clock.advance(days=1)
    answer(alex, "Only Alex on Wednesday.")
    history = alex.text("/history")
    assert "Monday, both of us." in history and "Sam on Monday." in history
    assert "Only Sam on Tuesday." not in history and "Sam answered this day" in history
    assert "Only Alex on Wednesday." in history
    assert "Week of Monday, Nov 23" in history and "You both answered on 1 day." in history
    assert "Only Alex on Wednesday." not in sam.text("/history")


def test_history_goes_back_week_by_week_and_refuses_a_bad_date(alex):
    assert alex.get("/history?before=2026-11-01").status_code == 200
    assert alex.get("/history?before=yesterday").status_code == 400


def test_malformed_forms_get_400_never_500(alex):
    assert alex.post("/answer", {"answer": "hello there friend", "source": "x"}, page="/").status_code == 400
    source = re.search(r'name="source" value="([^"]+)"', alex.text("/"))[1]
    assert alex.post("/answer", {"answer": "   ", "source": source}, page="/").status_code == 400
    assert alex.post("/settings/own", {"quiet_start": "nine", "quiet_end": "7", "role": "both"},
                     page="/settings").status_code == 400
    assert alex.post("/settings/own", {"quiet_start": "8", "quiet_end": "8", "role": "both"},
                     page="/settings").status_code == 400
    assert alex.post("/settings/shared", {"question_time": "25:00", "timezone": "Chicago"},
                     page="/settings").status_code == 400
    assert alex.get("/login/link/" + "x" * 5000).status_code == 404


def test_own_settings_change_only_this_partner(alex, look, couple):
    response = alex.post("/settings/own", {"quiet_start": "22", "quiet_end": "7", "role": "repairing",
                                           "paused": "1"}, page="/settings")
    assert response.headers["Location"] == "/settings?said=settings"
    alex_row, sam_row = look.get(Partner, couple.alex), look.get(Partner, couple.sam)
    assert (alex_row.quiet_start, alex_row.quiet_end, alex_row.role, alex_row.paused, alex_row.takes_thinking) == \
        (22, 7, "repairing", True, False)
    assert (sam_row.quiet_start, sam_row.role, sam_row.paused, sam_row.takes_thinking) == (21, "unsaid", False, True)


def test_shared_settings_are_told_to_the_other_partner(alex, look, couple):
    alex.post("/settings/shared", {"question_time": "20:30", "timezone": "Chicago"}, page="/settings")
    couple_row = look.get(Partner, couple.alex).couple
    assert (couple_row.question_minute, couple_row.timezone) == (20 * 60 + 30, "America/Chicago")
    told = look.scalars(select(OutboundMessage).where(OutboundMessage.kind == TextKind.SETTING_CHANGED)).all()
    assert {t.partner_id for t in told} == {couple.sam} and len(told) == 2


def test_promises_are_listed_without_judgement(alex, tx, couple, clock):
    from core.services import promises
    with tx() as s:
        alex_row = s.get(Partner, couple.alex)
        kept = promises.make_promise(s, alex_row, "call my mom", clock() + timedelta(hours=2), "America/Los_Angeles", clock())
        missed = promises.make_promise(s, alex_row, "fix the tap", clock() + timedelta(hours=3), "America/Los_Angeles", clock())
        promises.make_promise(s, alex_row, "book the dinner", clock() + timedelta(days=2), "America/Los_Angeles", clock())
    clock.advance(hours=4)
    with tx() as s:
        alex_row = s.get(Partner, couple.alex)
        promises.settle(s, alex_row, s.get(promises.Promise, kept.id), "kept", clock())
        promises.settle(s, alex_row, s.get(promises.Promise, missed.id), "missed", clock())
    page = alex.text("/promises")
    opened, kept_part, missed_part = (page.split(f'id="{h}-h"', 1)[1].split("</section>")[0]
                                      for h in ("open", "kept", "missed"))
    assert "book the dinner" in opened and "call my mom" in kept_part and "fix the tap" in missed_part
    for judgement in ("failed", "broken", "score", "%"):
        assert judgement not in page.lower()


def test_progress_draws_the_partners_own_mood_and_the_couples_figures(alex, sam, tx, couple, clock):
    with tx() as s:
        checkins.record_mood(s, s.get(Partner, couple.alex), 2, Channel.SMS, "m-alex", clock())
        checkins.record_mood(s, s.get(Partner, couple.sam), 5, Channel.SMS, "m-sam", clock())
    answer(alex, "Both of us today.")
    answer(sam, "Yes, both of us.")
    page = alex.text("/progress")
    assert page.count('<svg class="chart"') == 3 and page.count('role="img"') == 3
    assert "<title id=\"mood-t\">Your mood, week by week</title>" in page
    assert "2.0 of 5" in page and "5.0 of 5" not in page  # Sam's mood is Sam's alone
    table = page.split('id="both-h"', 1)[1]
    assert re.search(r"Monday, Nov 23</th><td>1</td>", table)
    assert "5.0 of 5" in sam.text("/progress") and "2.0 of 5" not in sam.text("/progress")


def test_a_setback_is_a_dated_mark_on_its_noter_s_charts_only(alex, sam, tx, couple, clock):
    from core.services import setbacks
    with tx() as s:
        setbacks.note_hard_day(s, s.get(Partner, couple.alex), "sb-alex", clock())
    mine, theirs = alex.text("/progress"), sam.text("/progress")
    assert mine.count('<line class="mark"') == 3 and f"hard day ({clock().date().isoformat()})" in mine
    assert 'class="mark"' not in theirs and "hard day" not in theirs  # never shown to the partner


def test_chart_marks_are_drawn_at_their_dates():
    from datetime import date
    from web import charts
    starts = [date(2026, 11, 2) + timedelta(weeks=n) for n in range(5)]
    series = charts.Series("Days", "Days a week", starts, [1, 2, None, 3, 4], top=7)
    drawn = str(charts.bars(series, "d", marks=[(date(2026, 11, 18), "a hard week"), (date(2025, 1, 1), "old")]))
    assert drawn.count('class="mark"') == 1 and "a hard week (2026-11-18)" in drawn
    assert drawn.count('class="bar"') == 5 and "Week of Nov 16: none" in drawn
    assert str(charts.line(series, "l")).count("<polyline") == 2  # the empty week breaks the line


def test_download_my_data_holds_my_words_and_none_of_my_partners(alex, sam):
    answer(alex, "Mine, shared once both answered.")
    answer(alex, "A note only for me.", private=True)
    answer(sam, "Sam's own words.")
    response = alex.get("/export/my-data.json")
    assert response.headers["Content-Disposition"] == 'attachment; filename="trust-builder-my-data.json"'
    data = json.loads(response.data)
    assert data["you"]["first_name"] == "Alex" and data["you"]["phone"] == ALEX
    assert {c["answer"] for c in data["check_ins"]} == {"Mine, shared once both answered.", "A note only for me."}
    assert "Sam's own words." not in response.get_data(as_text=True) and SAM not in response.get_data(as_text=True)
    readable = words(alex.get("/export/my-data.html"))
    assert "A note only for me." in readable and "private reflection" in readable and "Sam's own words." not in readable


def test_the_report_needs_both_yeses_and_holds_only_what_both_agreed(alex, sam, clock):
    answer(alex, "Alex shared on Monday.")
    answer(alex, "Alex private on Monday.", private=True)
    answer(sam, "Sam shared on Monday.")
    clock.advance(days=1)
    answer(alex, "I'm scared of him")  # held: never in a report
    answer(sam, "Sam on Tuesday.")
    clock.advance(days=1)
    before = alex.text("/export")
    assert "The day's question and both of your answers" in before and "Never in it: private reflections" in before
    assert alex.get("/export/report.html").status_code == 403
    alex.post("/export/report/consent", {"section": ["answers"]}, page="/export")
    assert alex.get("/export/report.html").status_code == 403  # Sam has not said yes
    sam.post("/export/report/consent", {"section": ["answers", "rhythm"]}, page="/export")
    report = words(alex.get("/export/report.html"))
    assert "Alex shared on Monday." in report and "Sam shared on Monday." in report
    for never in ("private on Monday", "scared", "Sam on Tuesday.", "Week by week", "Mood:", ALEX, SAM):
        assert never not in report, never
    sam.post("/export/report/withdraw", page="/export")
    assert alex.get("/export/report.html").status_code == 403
    assert alex.post("/export/report/consent", {"section": ["everything"]}, page="/export").status_code == 400


def test_no_page_of_one_couple_is_reachable_by_the_other(alex, sam, second_couple, visitor):
    answer(alex, "Alex's words for Sam only.")
    answer(sam, "Sam's words for Alex only.")
    jo = visitor()
    jo.sign_in(OTHER_A)
    answer(jo, "Jo's own answer.")
    for path in (*PAGES, "/export/my-data.html", "/export/my-data.json"):
        page = jo.text(path)
        for foreign in ("Alex", "Sam", "words for", ALEX, SAM):
            assert foreign not in page, (path, foreign)
        for link in re.findall(r'(?:href|action)="([^"]+)"', alex.text(path)):
            assert not re.search(r"/\d+(?:/|$)|[?&](?:id|partner|couple)=", link), link
    assert "Jo's own answer." not in alex.text("/history")


def test_erasure_removes_sign_in_codes_and_sessions(alex, visitor, runtime, tx, couple, look):
    from core.models import SignInCode, WebSession
    visitor().ask_code(ALEX)
    with tx() as s:
        couples.erase_partner(s, s.get(Partner, couple.alex), runtime.clock())
    assert look.scalars(select(SignInCode)).all() == [] and look.scalars(select(WebSession)).all() == []
    assert alex.get("/").status_code == 303


def test_the_admin_page_needs_its_token_and_shows_only_metadata(app, runtime, alex, tx, clock):
    from core.services import operator_status
    from tests.web.conftest import ADMIN_TOKEN
    client = app.test_client()
    assert client.get("/admin").status_code == 401
    assert client.get("/admin", headers={"Authorization": "Bearer wrong"}).status_code == 401
    with tx() as s:
        operator_status.record_heartbeat(s, clock())
        s.execute(OutboundMessage.__table__.update().values(state="failed", error_code=30007, updated_at=clock()))
    response = client.get("/admin", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    page = words(response)
    assert response.status_code == 200 and "Content-Security-Policy" in response.headers
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()  # the newest migration, applied
    assert "sqlite" in page and head in page and "30007" in page and "(0 min ago)" in page
    assert re.search(r"<th scope=\"row\">failed</th><td>1</td>", page)
    for private in ("Alex", "Sam", ALEX, SAM, "sign-in code", "Trust Builder sign-in"):
        assert private not in page


def test_without_an_admin_token_there_is_no_admin_page(tmp_path, gateway, clock):
    from app import create_app
    from core.runtime import open_runtime
    from tests.conftest import make_settings
    runtime = open_runtime(make_settings(tmp_path), gateway, clock=clock)
    client = create_app(runtime=runtime).test_client()
    assert client.get("/admin", headers={"Authorization": "Bearer anything"}).status_code == 404
    runtime.close()
