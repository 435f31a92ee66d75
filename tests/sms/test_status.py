"""POST /sms/status (delivery reports), and texts delivered end to end: the real dispatcher and the real
TwilioGateway against a loopback fake Twilio, whose status callbacks come back signed."""
from dataclasses import replace

import pytest
from sqlalchemy import select

from core.crypto import phone_digest
from core.models import OutboundMessage, Partner
from core.services.dispatch import Dispatcher
from devkit.fakes.twilio_api import FakeTwilio
from sms.gateway import TwilioGateway
from tests.sms.conftest import ALEX, BASE_URL, SAM, count, new_sid, signed_post, twiml_message

PATH = "/sms/status"


def status_form(sid: str, status: str, error_code: str | None = None) -> dict:
    """The fields Twilio posts to a StatusCallback."""
    form = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
            "AccountSid": "AC" + "0" * 32, "From": "+14155550199", "To": SAM, "ApiVersion": "2010-04-01"}
    if error_code is not None:
        form["ErrorCode"] = error_code
    return form


@pytest.fixture
def invitation(text, db, dispatcher):
    """Alex invited Sam and the invitation went out: the OutboundMessage row, with its provider sid."""
    text(ALEX, "JOIN Alex")
    text(ALEX, "INVITE 415 555 0101 Sam")
    dispatcher.run_until_idle()
    return db.scalar(select(OutboundMessage).where(OutboundMessage.kind == "invitation"))


def state_of(db, message_id: int) -> tuple[str, int | None]:
    """A text's state and error code, read fresh."""
    db.expire_all()
    message = db.get(OutboundMessage, message_id)
    return message.state, message.error_code


def test_status_moves_forward_only(client, db, invitation):
    post = lambda status: twiml_message(signed_post(client, PATH, status_form(invitation.provider_sid, status)))

    post("delivered")
    post("sent")  # late and out of order

    assert state_of(db, invitation.id) == ("delivered", None)


def test_unknown_sid_or_status_is_200_and_changes_nothing(client, db, invitation):
    unknown_sid = signed_post(client, PATH, status_form(new_sid(), "delivered"))
    unknown_status = signed_post(client, PATH, status_form(invitation.provider_sid, "read"))

    assert unknown_sid.status_code == unknown_status.status_code == 200
    assert state_of(db, invitation.id) == ("sent", None)


def test_21610_means_the_person_opted_out_and_cancels_their_queue(client, db, invitation, text):
    text(SAM, "YES")
    text(SAM, "PROMISE call mom tomorrow 6pm")

    signed_post(client, PATH, status_form(invitation.provider_sid, "undelivered", "21610"))

    db.expire_all()
    sam = db.scalar(select(Partner).where(Partner.phone_digest == phone_digest(SAM)))
    assert state_of(db, invitation.id) == ("undelivered", 21610)
    assert sam.opted_out and text(SAM, "hello?") is None
    assert count(db, OutboundMessage, OutboundMessage.partner_id == sam.id, OutboundMessage.state == "queued") == 0
    assert count(db, OutboundMessage, OutboundMessage.partner_id == sam.id, OutboundMessage.state == "cancelled",
                 OutboundMessage.promise_id.is_not(None)) == 2


def test_unreachable_number_is_marked(client, db, invitation):
    signed_post(client, PATH, status_form(invitation.provider_sid, "failed", "21614"))

    db.expire_all()
    assert db.scalar(select(Partner.phone_invalid).where(Partner.phone_digest == phone_digest(SAM))) is True


@pytest.mark.parametrize("change", [{"MessageSid": None}, {"MessageSid": "nope"}, {"MessageStatus": None},
                                    {"MessageStatus": "DELIVERED!"}, {"ErrorCode": "abc"}, {"ErrorCode": "1234567"}])
def test_malformed_callback_is_400(client, db, invitation, change):
    form = status_form(invitation.provider_sid, "delivered")
    for key, value in change.items():
        form.pop(key) if value is None else form.__setitem__(key, value)

    assert signed_post(client, PATH, form).status_code == 400
    assert state_of(db, invitation.id) == ("sent", None)


def test_unsigned_callback_is_403(client, db, invitation):
    response = client.post(PATH, data=status_form(invitation.provider_sid, "failed", "21610"))

    assert response.status_code == 403
    assert state_of(db, invitation.id) == ("sent", None)


def test_invitation_and_thinking_reach_phones_through_twilio(client, text, db, runtime, clock):
    with FakeTwilio() as twilio:
        gateway = TwilioGateway(twilio.account_sid, twilio.auth_token, from_number="+14155550199",
                                api_url=twilio.url, timeout=2.0)
        dispatcher = Dispatcher(runtime.sessions, gateway, clock, status_callback=f"{BASE_URL}{PATH}",
                                concurrency=2)
        text(ALEX, "JOIN Alex")
        text(ALEX, "INVITE 415 555 0101 Sam")
        first = dispatcher.run_until_idle()
        text(SAM, "YES")
        text(ALEX, "\u2764\ufe0f")
        second = dispatcher.run_until_idle()
        dispatcher.close()
        gateway.close()

    invitation, thinking = [sent for sent in twilio.sent if sent["to"] == SAM
                            and "Optional, just for" not in sent["body"]]
    assert (first.sent, second.sent) == (2, 2)  # each with the joiner's optional role question
    assert invitation["to"] == SAM and "Alex invited you to Trust Builder" in invitation["body"]
    assert thinking["to"] == SAM and thinking["body"].startswith("Alex is thinking about you")
    assert {request["form"]["StatusCallback"] for request in twilio.requests} == {f"{BASE_URL}{PATH}"}
    for message in twilio.sent:
        twiml_message(signed_post(client, PATH, status_form(message["sid"], "delivered")))
    assert count(db, OutboundMessage, OutboundMessage.state == "delivered") == 4


def test_a_status_callback_from_another_twilio_account_is_refused(client, db, invitation, runtime):
    """Signed with our token but naming another account (a leaked token reused, a misrouted callback):
    403 and nothing changes; our own account's callback still counts."""
    ours = "AC" + "0" * 32
    runtime.settings = replace(runtime.settings, twilio_account_sid=ours)
    theirs = {**status_form(invitation.provider_sid, "undelivered", "30003"), "AccountSid": "AC" + "9" * 32}
    missing = {k: v for k, v in status_form(invitation.provider_sid, "failed").items() if k != "AccountSid"}

    assert signed_post(client, PATH, theirs).status_code == 403
    assert signed_post(client, PATH, missing).status_code == 403
    assert state_of(db, invitation.id) == ("sent", None)
    assert signed_post(client, PATH, status_form(invitation.provider_sid, "delivered")).status_code == 200
    assert state_of(db, invitation.id) == ("delivered", None)
