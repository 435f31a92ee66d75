"""POST /sms/inbound over HTTP: Twilio's signature, form checks, one effect per MessageSid, 503 on database
trouble with nothing half-written."""
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from app import create_app
from core.crypto import phone_digest
from core.db import transaction
from core.models import CheckIn, InboundMessage, OutboundMessage, Partner, Promise, QuestionHeard
from core.runtime import open_runtime
from sms import security
from tests.conftest import make_settings
from tests.sms.conftest import (ALEX, BASE_URL, SAM, TOKEN, count, inbound_form, new_sid, signed_post,
                                twiml_message)

PATH = "/sms/inbound"


def partner_row(db, phone) -> Partner:
    """The partner with this number, read fresh."""
    db.expire_all()
    return db.scalar(select(Partner).where(Partner.phone_digest == phone_digest(phone)))


def nothing_stored(db) -> bool:
    """No partner, inbound record or check-in was written."""
    return count(db, Partner) == 0 and count(db, InboundMessage) == 0 and count(db, CheckIn) == 0


@pytest.mark.parametrize("headers", [{}, {"X-Twilio-Signature": ""}, {"X-Twilio-Signature": "bm90IGEgc2ln"}])
def test_unsigned_or_garbage_signature_is_403_and_stores_nothing(client, db, headers):
    response = client.post(PATH, data=inbound_form(ALEX, "JOIN Alex"), headers=headers)

    assert response.status_code == 403
    assert nothing_stored(db)


@pytest.mark.parametrize("token, base_url, path", [
    ("wrong-token", BASE_URL, PATH),                       # signed with another account's token
    (TOKEN, "http://localhost", PATH),                     # the URL the app sees behind the proxy
    (TOKEN, "https://evil.example.com", PATH),             # another host
    (TOKEN, BASE_URL, "/sms/status"),                      # a signature meant for another endpoint
])
def test_signature_for_another_token_or_url_is_403(client, db, token, base_url, path):
    form = inbound_form(ALEX, "JOIN Alex")
    signature = RequestValidator(token).compute_signature(base_url + path, form)

    response = client.post(PATH, data=form, headers={"X-Twilio-Signature": signature})

    assert response.status_code == 403
    assert nothing_stored(db)


def test_tampered_form_is_403(client, db):
    form = inbound_form(ALEX, "JOIN Alex")
    signature = RequestValidator(TOKEN).compute_signature(BASE_URL + PATH, form)

    response = client.post(PATH, data={**form, "Body": "JOIN Mallory"}, headers={"X-Twilio-Signature": signature})

    assert response.status_code == 403
    assert nothing_stored(db)


def test_signature_with_default_port_and_query_string_is_accepted(client):
    form = inbound_form(ALEX, "JOIN Alex")
    with_port = RequestValidator(TOKEN).compute_signature("https://tb.example.com:443/sms/inbound?v=1", form)

    response = client.post(f"{PATH}?v=1", data=form, headers={"X-Twilio-Signature": with_port})

    assert "Welcome to Trust Builder, Alex" in twiml_message(response)


def test_signature_without_the_query_string_is_403(client, db):
    form = inbound_form(ALEX, "JOIN Alex")
    signature = RequestValidator(TOKEN).compute_signature(BASE_URL + PATH, form)

    response = client.post(f"{PATH}?v=1", data=form, headers={"X-Twilio-Signature": signature})

    assert response.status_code == 403
    assert nothing_stored(db)


def test_development_token_is_derived_and_required(tmp_path, gateway, clock):
    settings = make_settings(tmp_path, public_base_url=BASE_URL)  # no TWILIO_AUTH_TOKEN
    token = security.signing_token(settings)
    runtime = open_runtime(settings, gateway, clock=clock)
    client = create_app(runtime=runtime).test_client()

    unsigned = client.post(PATH, data=inbound_form(ALEX, "JOIN Alex"))
    signed = signed_post(client, PATH, inbound_form(ALEX, "JOIN Alex"), token=token)
    runtime.close()

    again = security.signing_token(make_settings(tmp_path, public_base_url=BASE_URL))
    assert token.startswith("dev-") and token == again
    assert unsigned.status_code == 403
    assert "Welcome" in twiml_message(signed)


def test_production_without_token_signs_nothing(settings):
    assert security.signing_token(settings.with_(app_env="production", twilio_auth_token="")) == ""


@pytest.mark.parametrize("change", [
    {"MessageSid": None}, {"MessageSid": ""}, {"MessageSid": "SM123"}, {"MessageSid": "SM" + "z" * 32},
    {"MessageSid": "SM" + "a" * 200}, {"From": None}, {"From": ""}, {"From": "not-a-number"},
    {"From": "+1555"}, {"Body": None},
])
def test_missing_or_malformed_fields_are_400_and_store_nothing(client, db, change):
    form = inbound_form(ALEX, "JOIN Alex")
    for key, value in change.items():
        form.pop(key) if value is None else form.__setitem__(key, value)

    response = signed_post(client, PATH, form)

    assert response.status_code == 400
    assert nothing_stored(db)


def test_empty_body_from_a_photo_is_fine(client, couple):
    reply = twiml_message(signed_post(client, PATH, {**inbound_form(ALEX, ""), "NumMedia": "1"}))

    assert "came through empty" in reply


def test_get_is_not_allowed_and_huge_bodies_are_refused(client, db):
    assert client.get(PATH).status_code == 405
    assert signed_post(client, PATH, inbound_form(ALEX, "x" * 70_000)).status_code == 413
    assert nothing_stored(db)


def test_retried_message_sid_gets_the_same_reply_and_stores_one_check_in(client, couple, db):
    form = inbound_form(ALEX, "I felt listened to today")

    first = twiml_message(signed_post(client, PATH, form))
    second = twiml_message(signed_post(client, PATH, form))

    assert first == second and first.startswith("Thank you for sharing")
    assert count(db, CheckIn) == 1
    assert count(db, InboundMessage, InboundMessage.message_sid == form["MessageSid"]) == 1


def test_retried_join_and_promise_change_nothing(client, db, text):
    join = inbound_form(ALEX, "JOIN Alex")
    promise = inbound_form(ALEX, "PROMISE call mom tomorrow 6pm")

    replies = [twiml_message(signed_post(client, PATH, form)) for form in (join, join, promise, promise)]

    assert replies[0] == replies[1] and replies[2] == replies[3]
    assert count(db, Partner) == 1
    assert text(ALEX, "PROMISES").count(")") == 1


def test_a_replayed_sid_never_answers_another_number(client, couple, db):
    form = inbound_form(ALEX, "PROMISE call mom tomorrow 6pm")
    signed_post(client, PATH, form)

    replay = twiml_message(signed_post(client, PATH, {**form, "From": SAM}))

    assert replay is None
    assert count(db, InboundMessage, InboundMessage.message_sid == form["MessageSid"]) == 1


def test_database_error_is_503_and_nothing_is_half_written(client, couple, db, monkeypatch):
    from core.services import checkins

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection lost"))
    monkeypatch.setattr(checkins, "reveal_partner_answer", broken)  # fails after the check-in was added
    form = inbound_form(ALEX, "An answer that must not be lost")
    before = count(db, InboundMessage)

    failed = signed_post(client, PATH, form)
    monkeypatch.undo()
    retried = twiml_message(signed_post(client, PATH, form))

    assert failed.status_code == 503
    assert retried.startswith("Thank you for sharing")
    assert count(db, CheckIn) == 1 and count(db, InboundMessage) == before + 1


def test_failed_commit_is_503_and_leaves_nothing(client, couple, db, monkeypatch):
    def fail(self):
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))
    before = count(db, InboundMessage)
    monkeypatch.setattr(Session, "commit", fail)

    responses = [signed_post(client, PATH, inbound_form(ALEX, body))
                 for body in ("my answer", "PROMISE call mom tomorrow 6pm", "THINKING", "STOP")]
    monkeypatch.undo()

    assert [r.status_code for r in responses] == [503] * 4
    assert [count(db, model) for model in (CheckIn, Promise, QuestionHeard)] == [0, 0, 0]
    assert count(db, InboundMessage) == before and not partner_row(db, ALEX).opted_out
    assert count(db, OutboundMessage, OutboundMessage.kind.not_in(("invitation", "role_question"))) == 0


def test_same_sid_racing_in_another_process_replays_the_winner(client, couple, db, runtime, monkeypatch,
                                                                caplog):
    if runtime.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE, so the second request simply replays")
    from sms import conversation
    sid, real_fit = new_sid(), conversation.segments.fit
    alex_id = partner_row(db, ALEX).id

    def racing_fit(reply):  # another worker commits the same MessageSid just before we store ours
        monkeypatch.setattr(conversation.segments, "fit", real_fit)
        with transaction(runtime.sessions) as other:
            other.add(InboundMessage(message_sid=sid, partner_id=alex_id, reply="the first reply",
                                     created_at=runtime.clock()))
        return real_fit(reply)
    monkeypatch.setattr(conversation.segments, "fit", racing_fit)

    reply = twiml_message(signed_post(client, PATH, inbound_form(ALEX, "HELP", sid)))

    assert reply == "the first reply"
    assert "IntegrityError (attempt 1)" in caplog.text
    assert count(db, InboundMessage, InboundMessage.message_sid == sid) == 1


def test_a_unique_key_clash_is_retried_once_then_replayed(client, couple, db, runtime, monkeypatch):
    from sms import conversation
    sid, real_respond = new_sid(), conversation.respond
    alex_id = partner_row(db, ALEX).id

    def lose_the_race(session, *args):  # the winner commits first; our insert would then hit the unique key
        monkeypatch.setattr(conversation, "respond", real_respond)
        with transaction(runtime.sessions) as other:
            other.add(InboundMessage(message_sid=sid, partner_id=alex_id, reply="the first reply",
                                     created_at=runtime.clock()))
        raise IntegrityError("INSERT INTO inbound_message", {}, Exception("unique violation"))
    monkeypatch.setattr(conversation, "respond", lose_the_race)

    reply = twiml_message(signed_post(client, PATH, inbound_form(ALEX, "an answer", sid)))

    assert reply == "the first reply" and count(db, CheckIn) == 0


def test_a_unique_key_clash_twice_is_503(client, couple, monkeypatch):
    from sms import conversation

    def always_clash(*args):
        raise IntegrityError("INSERT INTO inbound_message", {}, Exception("unique violation"))
    monkeypatch.setattr(conversation, "respond", always_clash)

    assert signed_post(client, PATH, inbound_form(ALEX, "an answer")).status_code == 503


@pytest.mark.parametrize("reply", [None, "", "Saved. Sam answered too: reply SHOW to see it.",
                                   'Tom & Jerry <3 "quoted" \'single\' > ]]> é 💬\nline two'])
def test_twiml_is_the_document_twilio_writes(app, reply):
    from twilio.twiml.messaging_response import MessagingResponse
    from sms.webhooks import twiml
    expected = MessagingResponse()
    if reply:
        expected.message(reply)
    with app.app_context():
        response = twiml(reply)

    assert response.get_data(as_text=True) == str(expected) and response.mimetype == "text/xml"
