"""The channel-neutral care services: reading replies in context, first names, invitation expiry (the
hourly housekeeping), and answers kept with care."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.errors import InvalidInput
from core.models import CheckIn, Invitation, OutboundMessage, Partner
from core.services import answers, invitations
from core.services.replies_in_context import is_acknowledgement, read_as_answer, yes_or_no

LA = "America/Los_Angeles"


@pytest.mark.parametrize("text, reading", [
    ("thanks! \U0001F44D", "ack"), ("no", "ack"), ("ok thanks", "ack"), ("\U0001F642\U0001F642", "ack"),
    ("...", "ack"), ("yes", "ack"), ("oops, no I forgot", "ack"),
    ("CANCEL 1", "command"), ("invite my sister", "command"), ("remind me at 6", "command"),
    ("what did you send me today?", "question"), ("how does this app work?", "question"),
    ("Listening", "unclear"), ("oops wrong chat, sorry babe", "unclear"), ("Why?", "unclear"),
    ("I felt heard when you put your phone away", "answer"), ("Listening more, talking less", "answer"),
    ("What I need is patience from both of us", "answer"),
])
def test_read_as_answer(text, reading):
    assert read_as_answer(text) == reading


@pytest.mark.parametrize("text, verdict", [
    ("yes", True), ("Yep!", True), ("I did", True), ("done", True), ("\U0001F44D", True), ("sure did", True),
    ("no", False), ("not yet", False), ("I didn't", False), ("oops, no I forgot", False), ("nope", False),
    ("thanks! \U0001F44D", None), ("I called her at noon", None), ("maybe", None),
])
def test_yes_or_no(text, verdict):
    assert yes_or_no(text) is verdict


def test_acknowledgements_are_short():
    assert is_acknowledgement("ok ok thanks so much")
    assert not is_acknowledgement("no thanks, I want to talk tonight")


@pytest.mark.parametrize("raw, name", [("Sam", "Sam"), ("  Mary Ann ", "Mary Ann"), ("Jean-Luc", "Jean-Luc"),
                                       ("O'Neil", "O'Neil"), ("Zoë", "Zoë"), ("José!", "José")])
def test_first_names(raw, name):
    assert invitations.first_name(raw) == name


@pytest.mark.parametrize("raw", ["Prizes at scam.io", "Sam2", "www.win.com", "A" * 21, "Sam  -", "http://x",
                                 "@sam", "Sam_"])
def test_not_first_names(raw):
    with pytest.raises(InvalidInput) as refusal:
        invitations.first_name(raw)
    assert refusal.value.reason == "bad_name"


def test_an_invitation_expires_after_seven_days_and_its_invitee_is_removed(session, alex, clock):
    invitations.invite(session, alex, "+14155550132", "Sam", clock())
    assert invitations.expire_due(session, clock() + timedelta(days=6)) == 0

    assert invitations.expire_due(session, clock() + timedelta(days=7, seconds=1)) == 1

    assert session.scalar(select(Invitation.state)) == "expired"
    assert session.scalar(select(func.count()).select_from(Partner)) == 1
    text = session.scalar(select(OutboundMessage))
    assert (text.state, text.body, text.to_phone) == ("cancelled", None, None)


def test_answers_replace_undo_and_stay_private(session, alex, clock):
    first = answers.take_answer(session, alex, "I felt close at breakfast", "sms", "s1", clock())
    second = answers.take_answer(session, alex, "The walk mattered more", "sms", "s2", clock())
    answers.keep_private(session, alex, "still angry", "sms", "s3", clock())

    assert (first.status, second.status) == ("saved", "replaced")
    rows = session.scalars(select(CheckIn).order_by(CheckIn.id)).all()
    assert [(r.text, r.visibility) for r in rows] == [(None, "replaced"), ("The walk mattered more", "shared"),
                                                      ("still angry", "private")]
    assert answers.undo(session, alex, clock() + timedelta(minutes=5)) == "removed"
    assert [r.text for r in session.scalars(select(CheckIn).where(CheckIn.text.is_not(None)))] == ["still angry"]


def test_an_earlier_answer_already_loaded_shows_it_was_replaced(session, alex, clock):
    """The replacement is one statement on the table: a copy of the earlier answer that the session holds
    must not go on showing its words."""
    answers.take_answer(session, alex, "I felt close at breakfast", "sms", "s1", clock())
    earlier = session.scalar(select(CheckIn).where(CheckIn.source_id == "s1"))
    assert earlier.text == "I felt close at breakfast"
    answers.take_answer(session, alex, "The walk mattered more", "voice", "s2", clock(), explicit=True)
    assert (earlier.text, earlier.visibility) == (None, "replaced")


def test_an_answer_that_reads_as_danger_is_held(session, alex, clock):
    taken = answers.take_answer(session, alex, "he threatened to kill me", "voice", "v1", clock(), explicit=True)

    assert taken.status == "held" and taken.signal.category in ("violence", "danger", "fear_of_partner")
    assert session.scalar(select(CheckIn.visibility)) == "held"
    assert answers.share_held(session, alex, clock()) is not None
    assert session.scalar(select(CheckIn.visibility)) == "shared"
