"""Signing in by text: the code (6 digits, 10 minutes, once, hashed at rest, 5 an hour, 5 wrong tries), the
same reply for any number, one-time links (LOGIN by text, "send me a link" by voice), server-side sessions
(30 days idle, sign-out here and everywhere), cookies and CSRF."""
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import transaction
from core.models import OutboundMessage, SignInCode, TextKind, TextState, URGENT, WebSession
from core.services import couples, sign_in
from tests.conftest import ALEX, SAM, make_settings
from tests.web.conftest import sent_code, words

STRANGER = "+12025550123"


def sign_in_texts(runtime, phone=None):
    with runtime.sessions() as s:
        rows = s.scalars(select(OutboundMessage).where(OutboundMessage.kind == TextKind.SIGN_IN)).all()
    return [r for r in rows if phone is None or r.to_phone == phone]


def test_a_code_signs_in_and_lands_on_the_days_page(visitor, couple, runtime):
    browser = visitor()
    page = browser.text("/login")
    assert 'name="phone"' in page
    response = browser.ask_code("(415) 555-0100")
    assert (response.status_code, response.headers["Location"]) == (303, "/login/code")
    assert 'name="code"' in browser.text("/login/code")
    [text] = sign_in_texts(runtime)
    assert re.fullmatch(r"Your Trust Builder sign-in code is \d{6}\. It works once, for 10 minutes\..*", text.body)
    assert (text.to_phone, text.priority, text.respect_quiet) == (ALEX, URGENT, False)
    assert text.expires_at == text.created_at + timedelta(minutes=10)
    response = browser.post("/login/code", {"code": sent_code(runtime, ALEX)})
    assert (response.status_code, response.headers["Location"]) == (303, "/")
    assert "Today's question" in browser.text("/")


def test_the_code_is_kept_only_as_a_keyed_digest(visitor, couple, runtime, look):
    visitor().ask_code(ALEX)
    code = sent_code(runtime, ALEX).encode()
    row = look.scalars(select(SignInCode)).one()
    stored = b"".join(v for v in (row.code_digest, row.handle_digest, row.phone_digest) if v)
    assert code not in stored and len(row.code_digest) == 32
    raw = look.connection().exec_driver_sql("SELECT * FROM sign_in_code").fetchall()
    assert all(code not in (v if isinstance(v, bytes) else str(v).encode()) for r in raw for v in r)


def test_the_same_reply_whether_or_not_the_number_is_registered(visitor, couple, runtime):
    known, unknown = visitor(), visitor()
    first, second = known.ask_code(ALEX), unknown.ask_code(STRANGER)
    assert (first.status_code, first.headers["Location"]) == (second.status_code, second.headers["Location"])
    assert [c.split("=")[0] for c in first.headers.getlist("Set-Cookie")] == \
        [c.split("=")[0] for c in second.headers.getlist("Set-Cookie")]
    assert known.text("/login/code") == unknown.text("/login/code").replace(
        unknown.token("/login/code"), known.token("/login/code"))
    assert [t.to_phone for t in sign_in_texts(runtime)] == [ALEX]  # the stranger got nothing
    wrong = unknown.post("/login/code", {"code": "123456"})
    assert wrong.status_code == 400 and "isn't right" in words(wrong)


def test_a_number_that_is_not_one_is_told_so(visitor):
    response = visitor().ask_code("not a number")
    assert response.status_code == 400 and "doesn't look like a phone number" in words(response)


def test_at_most_five_codes_per_number_an_hour(visitor, couple, runtime, clock):
    browser = visitor()
    for _ in range(6):
        assert browser.ask_code(ALEX).status_code == 303
    assert len(sign_in_texts(runtime, ALEX)) == 5
    clock.advance(minutes=61)
    browser.ask_code(ALEX)
    assert len(sign_in_texts(runtime, ALEX)) == 6


def test_at_most_ten_codes_per_number_a_day_whatever_the_hour(visitor, couple, runtime, clock, tx):
    """Someone typing another person's number every hour still sends them at most ten codes a day, also
    after the hourly housekeeping (it keeps a day of code rows: digests only)."""
    browser = visitor()
    for hour in range(24):
        browser.ask_code(ALEX)
        with tx() as s:
            sign_in.tidy(s, clock())
        clock.advance(minutes=61)
    assert len(sign_in_texts(runtime, ALEX)) == 10
    clock.advance(hours=24)
    browser.ask_code(ALEX)
    assert len(sign_in_texts(runtime, ALEX)) == 11


def test_one_address_asks_for_at_most_twenty_codes_an_hour_whatever_the_numbers(visitor, couple, runtime, clock):
    """Whoever types number after number from one address gets the same page each time, but after twenty
    codes in an hour nothing more is written or sent, to anyone."""
    browser = visitor()
    for n in range(20):
        assert browser.ask_code(f"+1 415 555 {200 + n:04d}").status_code == 303
    assert browser.ask_code(ALEX).status_code == 303 and sign_in_texts(runtime, ALEX) == []
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(SignInCode)) == 20
    elsewhere = visitor()
    elsewhere.client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert elsewhere.ask_code(ALEX).status_code == 303 and len(sign_in_texts(runtime, ALEX)) == 1
    clock.advance(minutes=61)
    browser.ask_code(ALEX)
    assert len(sign_in_texts(runtime, ALEX)) == 2


def test_an_asker_is_an_ipv4_address_or_an_ipv6_64():
    same = sign_in.asker_digest
    assert same("2001:db8:1:2::1") == same("2001:db8:1:2:ffff:ffff:ffff:ffff") != same("2001:db8:1:3::1")
    assert same("::ffff:203.0.113.9") == same("203.0.113.9") != same("203.0.113.10")
    assert same(None) is None and same("") is None and same("not an address") is not None


def test_five_wrong_codes_end_the_code(visitor, couple, runtime):
    browser = visitor()
    browser.ask_code(ALEX)
    right = sent_code(runtime, ALEX)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        page = browser.post("/login/code", {"code": wrong}, page="/login/code")
        assert page.status_code == 400 and f"{left} {'try' if left == 1 else 'tries'} left" in words(page)
    fifth = browser.post("/login/code", {"code": wrong}, page="/login/code")
    assert "fifth wrong code" in words(fifth)
    late = browser.post("/login/code", {"code": right}, page="/login/code")
    assert late.status_code == 400 and browser.cookie("tb_session") is None


def test_a_code_expires_after_ten_minutes_and_works_once(visitor, couple, runtime, clock):
    slow, twice = visitor(), visitor()
    slow.ask_code(ALEX)
    code = sent_code(runtime, ALEX)
    clock.advance(minutes=10)
    response = slow.post("/login/code", {"code": code}, page="/login/code")
    assert response.status_code == 400 and "expired" in words(response)
    twice.sign_in(SAM)
    handle = twice.client.get_cookie("tb_signin", path="/login")
    assert handle is None  # the used handle's cookie is dropped
    with transaction(runtime.sessions) as s:
        assert s.scalar(select(func.count()).select_from(SignInCode).where(SignInCode.used_at.is_not(None))) == 1


def test_a_used_code_cannot_sign_in_again(runtime, couple, session, clock):
    handle = sign_in.ask_code(session, ALEX, clock())
    code = re.search(r"\d{6}", session.scalars(select(OutboundMessage.body)).one())[0]
    assert sign_in.check_code(session, handle, code, clock()).status == "ok"
    assert sign_in.check_code(session, handle, code, clock()).status == "expired"


def test_no_code_for_a_partner_who_said_stop(visitor, couple, runtime, tx, clock):
    with tx() as s:
        couples.opt_out(s, s.get(couples.Partner, couple.sam), clock())
    assert visitor().ask_code(SAM).status_code == 303
    assert sign_in_texts(runtime) == []


def test_cookies_are_http_only_lax_and_secure_behind_https(tmp_path, gateway, clock):
    from app import create_app
    from core.runtime import open_runtime
    from devkit.seeding import seed_couple
    from tests.web.conftest import Visitor
    runtime = open_runtime(make_settings(tmp_path, public_base_url="https://tb.example.com"), gateway, clock=clock)
    with transaction(runtime.sessions) as s:
        seed_couple(s, clock(), "America/Los_Angeles", (ALEX, SAM))
    browser = Visitor(create_app(runtime=runtime), runtime)
    cookie = browser.client.get("/login", base_url="https://tb.example.com").headers["Set-Cookie"]
    assert all(flag in cookie for flag in ("HttpOnly", "SameSite=Lax", "Secure"))
    runtime.close()


def test_session_cookie_flags_over_http(alex):
    cookie = alex.client.get_cookie("tb_session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    assert cookie.max_age == 30 * 24 * 3600


def test_sessions_end_after_thirty_idle_days_and_live_on_with_use(alex, clock):
    for _ in range(3):
        clock.advance(days=20)
        assert alex.get("/").status_code == 200  # each visit keeps it alive
    clock.advance(days=30)
    response = alex.get("/")
    assert (response.status_code, response.headers["Location"]) == (303, "/login")


def test_sign_out_ends_the_session_on_the_server(alex, look):
    token = alex.client.get_cookie("tb_session").value
    response = alex.post("/logout", page="/")
    assert (response.status_code, response.headers["Location"]) == (303, "/login?out=1")
    assert look.scalar(select(func.count()).select_from(WebSession)) == 0
    alex.client.set_cookie("tb_session", token)  # the old cookie, kept by someone
    assert alex.get("/").status_code == 303


def test_sign_out_everywhere_ends_every_session(visitor, couple, look):
    phone, laptop, other = visitor(), visitor(), visitor()
    for browser, who in ((phone, ALEX), (laptop, ALEX), (other, SAM)):
        browser.sign_in(who)
    phone.post("/logout", {"everywhere": "1"}, page="/")
    assert laptop.get("/").status_code == 303 and other.get("/").status_code == 200
    assert look.scalar(select(func.count()).select_from(WebSession)) == 1


def test_a_post_without_a_valid_csrf_token_is_refused(alex, couple, look):
    for token in ("", "forged", alex.token("/settings") + "x"):
        response = alex.post("/settings/own", {"quiet_start": "22", "quiet_end": "7", "role": "both"}, token=token)
        assert response.status_code == 400
    fresh = alex.client.post("/login", data={"phone": ALEX})
    assert fresh.status_code == 400
    assert look.get(couples.Partner, couple.alex).quiet_start == 21  # nothing changed


def test_pages_need_a_signed_in_partner(visitor, couple):
    browser = visitor()
    for path in ("/", "/history", "/promises", "/progress", "/settings", "/export", "/export/my-data.json",
                 "/export/report.html"):
        response = browser.get(path)
        assert (response.status_code, response.headers["Location"]) == (303, "/login"), path
    assert browser.client.post("/answer", data={}).status_code == 400  # no token: refused before anything


def test_login_by_text_sends_a_one_time_link(app, couple, runtime, tx, visitor):
    from tests.sms.conftest import inbound_form, signed_post, twiml_message
    reply = twiml_message(signed_post(app.test_client(), "/sms/inbound", inbound_form(ALEX, "LOGIN"),
                                      token=runtime.settings.twilio_auth_token or _dev_token(runtime),
                                      base_url=runtime.settings.public_base_url))
    url = re.search(r"http://localhost(/login/link/\S+)", reply)[1]
    browser = visitor()
    page = browser.text(url)
    assert "signs you in" in page and browser.text(url)  # looking twice uses nothing
    response = browser.post(url)
    assert (response.status_code, response.headers["Location"]) == (303, "/")
    assert browser.get("/").status_code == 200
    again = visitor()
    assert again.get(url).status_code == 404
    assert again.client.post(url, data={"csrf_token": again.token("/login")}).status_code == 404


def _dev_token(runtime):
    from core.config import development_webhook_token
    return development_webhook_token(runtime.settings.var_dir)


def test_a_link_expires_after_ten_minutes(runtime, couple, tx, clock, visitor):
    with tx() as s:
        url = sign_in.issue_link(s, s.get(couples.Partner, couple.alex), "http://localhost", clock())
    clock.advance(minutes=10, seconds=1)
    assert visitor().get(url.removeprefix("http://localhost")).status_code == 404


def test_send_me_a_link_by_voice_texts_the_link(runtime, couple, client, clock):
    from tests.skill.envelopes import Alexa
    said = Alexa(client, clock).intent("SendPageLinkIntent")
    assert said.speech.startswith("I've texted you a link to your Trust Builder page")
    [text] = sign_in_texts(runtime)
    assert text.to_phone == ALEX and text.state == TextState.QUEUED and text.priority == URGENT
    assert re.search(r"http://localhost/login/link/[\w-]{40,}", text.body)


def test_housekeeping_forgets_old_codes_sessions_and_the_words_of_sign_in_texts(runtime, couple, tx, clock, alex):
    with tx() as s:
        s.execute(OutboundMessage.__table__.update().values(state=TextState.SENT))
    clock.advance(days=31)
    with tx() as s:
        assert sign_in.tidy(s, clock()) == 2  # the used code and the idle session
    with tx() as s:
        assert s.scalars(select(OutboundMessage.body).where(OutboundMessage.kind == TextKind.SIGN_IN)).all() == [None]


@pytest.fixture
def pg_runtime(pg_url, tmp_path, gateway, clock):
    from core.runtime import open_runtime
    runtime = open_runtime(make_settings(tmp_path, pg_url), gateway, clock=clock)
    yield runtime
    runtime.close()


def test_the_hourly_limit_holds_under_concurrency(pg_runtime, clock):
    from devkit.seeding import seed_couple
    with transaction(pg_runtime.sessions) as s:
        seed_couple(s, clock(), "America/Los_Angeles", (ALEX, SAM))
    assert asked_at_once(pg_runtime, 12, lambda s, n: sign_in.ask_code(s, ALEX, clock())) == []
    with pg_runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(SignInCode)) == 5
        assert s.scalar(select(func.count()).select_from(OutboundMessage)) == 5


def test_the_limit_per_asker_holds_under_concurrency(pg_runtime, clock):
    assert asked_at_once(pg_runtime, 30, lambda s, n: sign_in.ask_code(s, f"+1 415 555 {300 + n:04d}", clock(),
                                                                      asker="198.51.100.7")) == []
    with pg_runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(SignInCode)) == sign_in.CODES_PER_ASKER_HOUR


def test_wrong_tries_hold_under_concurrency(pg_runtime, clock):
    from devkit.seeding import seed_couple
    with transaction(pg_runtime.sessions) as s:
        seed_couple(s, clock(), "America/Los_Angeles", (ALEX, SAM))
        handle = sign_in.ask_code(s, ALEX, clock())
    barrier, results = threading.Barrier(10), []

    def guess(n):
        barrier.wait()
        with transaction(pg_runtime.sessions) as s:
            results.append(sign_in.check_code(s, handle, f"{n:06d}x", clock()).status)
    threads = [threading.Thread(target=guess, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["locked"] * 6 + ["wrong"] * 4


def asked_at_once(runtime, count: int, ask) -> list:
    """Run ask(session, n) in `count` threads released together, each in its own transaction; the errors."""
    barrier, errors = threading.Barrier(count), []

    def one(n):
        try:
            barrier.wait()
            with transaction(runtime.sessions) as s:
                ask(s, n)
        except Exception as error:  # pragma: no cover - reported by the caller's assert
            errors.append(error)
    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
