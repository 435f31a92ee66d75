"""Couples and partners: joining, inviting, consent (STOP/START), settings, and erasing one partner's data."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from core.crypto import keyed
from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.models import (ALEXA_PERSON, CheckIn, Couple, InboundMessage, NudgeSchedule, OutboundMessage,
                         PairingCode, Partner, Promise, QuestionHeard)
from core.services import checkins, couples, outbox, personal_settings, promises, questions

LA = "America/Los_Angeles"
ALEX, SAM, KIM = "+14155550100", "+14155550132", "+16505550199"


@pytest.fixture
def alex(session, clock):
    return couples.create_couple(session, "Alex", ALEX, clock(), LA)


@pytest.fixture
def sam(session, alex, clock):
    partner = couples.invite_partner(session, alex, SAM, "Sam", clock())
    couples.accept_invite(session, partner, clock())
    return partner


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def queue_text(session, partner, key, now, kind="daily_question"):
    message, _ = outbox.queue(session, partner, outbox.Draft(f"text {key}", kind, key), now)
    return message


# Joining


def test_create_couple_stores_the_first_partner_with_consent(session, clock):
    alex = couples.create_couple(session, "  Alex  ", "(415) 555-0100", clock(), LA)
    session.commit()
    assert alex.phone == ALEX
    assert alex.display_name == "Alex"
    assert (alex.consent, alex.consent_at, alex.opted_out) == ("granted", clock(), False)
    assert alex.can_text
    couple = session.get(Couple, alex.couple_id)
    assert (couple.timezone, couple.question_minute, alex.quiet_start, alex.quiet_end) == (LA, 19 * 60, 21, 8)
    assert (alex.paused, alex.takes_thinking, alex.role) == (False, True, "unsaid")
    # 09:00 in LA now, so the first question is at 19:00 today (03:00 UTC tomorrow).
    assert couple.next_question_at == datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)
    assert couples.other_partner(alex) is None


def test_create_couple_with_own_question_time_and_quiet_hours(session, clock):
    alex = couples.create_couple(session, "Alex", ALEX, clock(), LA, question_minute=8 * 60, quiet_hours=(22, 7))
    couple = alex.couple
    assert (alex.quiet_start, alex.quiet_end) == (22, 7)
    sam = couples.invite_partner(session, alex, SAM, "Sam", clock())
    assert (sam.quiet_start, sam.quiet_end) == (22, 7)  # starts with the inviter's, then Sam's own
    assert couple.next_question_at == datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)  # 08:00 tomorrow


def test_the_same_phone_cannot_join_twice_in_any_format(session, alex, clock):
    with pytest.raises(Conflict) as error:
        couples.create_couple(session, "Someone", "+1 (415) 555-0100", clock(), LA)
    assert error.value.reason == "already_joined"
    assert count(session, Couple) == 1


@pytest.mark.parametrize("phone", ["12345", "555-0100", "not a phone", "", None, "+1 415 555 01000"])
def test_an_invalid_phone_is_invalid_input(session, clock, phone):
    with pytest.raises(InvalidInput) as error:
        couples.create_couple(session, "Alex", phone, clock(), LA)
    assert error.value.reason == "invalid_phone"


@pytest.mark.parametrize("name", ["", "   ", "\x00\x07", None])
def test_a_name_is_needed(session, clock, name):
    with pytest.raises(InvalidInput) as error:
        couples.create_couple(session, name, ALEX, clock(), LA)
    assert error.value.reason == "missing_name"
    assert count(session, Partner) == 0


def test_names_are_trimmed_cleaned_and_capped():
    assert couples.clean_name("  Ana \x1b[31m  Maria\t") == "Ana [31m Maria"
    assert couples.clean_name("x" * 100) == "x" * couples.MAX_NAME


# Inviting


def test_invite_adds_a_partner_waiting_for_yes(session, alex, clock):
    sam = couples.invite_partner(session, alex, "415-555-0132", "Sam", clock())
    assert (sam.phone, sam.consent, sam.consent_requested_at, sam.consent_at) == (SAM, "invited", clock(), None)
    assert not sam.can_text
    assert couples.other_partner(alex) is sam
    assert couples.other_partner(sam) is alex
    assert sam.couple_id == alex.couple_id


def test_a_couple_has_at_most_two_partners(session, alex, sam, clock):
    with pytest.raises(Conflict) as error:
        couples.invite_partner(session, alex, KIM, "Kim", clock())
    assert error.value.reason == "couple_full"
    with pytest.raises(Conflict):
        couples.invite_partner(session, sam, KIM, "Kim", clock())
    assert count(session, Partner) == 2


def test_cannot_invite_a_number_already_in_use(session, alex, clock):
    other = couples.create_couple(session, "Kim", KIM, clock(), LA)
    with pytest.raises(Conflict) as error:
        couples.invite_partner(session, alex, KIM, "Kim", clock())
    assert error.value.reason == "phone_taken"
    with pytest.raises(Conflict):
        couples.invite_partner(session, other, ALEX, "Alex", clock())


def test_invite_with_an_invalid_phone(session, alex, clock):
    with pytest.raises(InvalidInput) as error:
        couples.invite_partner(session, alex, "call me", "Sam", clock())
    assert error.value.reason == "invalid_phone"


def test_accepting_an_invite_grants_consent_once(session, alex, clock):
    sam = couples.invite_partner(session, alex, SAM, "Sam", clock())
    later = clock() + timedelta(minutes=5)
    couples.accept_invite(session, sam, later)
    assert (sam.consent, sam.consent_at) == ("granted", later)
    assert sam.can_text
    with pytest.raises(Conflict) as error:
        couples.accept_invite(session, sam, later)
    assert error.value.reason == "no_invite"


def test_the_first_partner_has_no_invite_to_accept(session, alex, clock):
    with pytest.raises(Conflict):
        couples.accept_invite(session, alex, clock())


def test_find_and_get_partners(session, alex, sam):
    assert couples.find_by_phone(session, SAM) is sam
    assert couples.find_by_phone(session, KIM) is None
    assert couples.get_partner(session, alex.id) is alex
    with pytest.raises(NotFound) as error:
        couples.get_partner(session, 999_999)
    assert error.value.reason == "unknown_partner"


# STOP and START


def test_opt_out_cancels_queued_texts_but_keeps_history(session, alex, sam, clock):
    waiting = queue_text(session, alex, "a-1", clock())
    sent = queue_text(session, alex, "a-2", clock())
    sent.state = "sent"
    others = queue_text(session, sam, "s-1", clock())
    later = clock() + timedelta(minutes=1)
    couples.opt_out(session, alex, later)
    session.commit()
    session.expire_all()
    assert (alex.opted_out, alex.opted_out_at, alex.consent) == (True, later, "revoked")
    assert not alex.can_text
    assert (waiting.state, waiting.updated_at) == ("cancelled", later)
    assert sent.state == "sent"
    assert others.state == "queued"


def test_after_opt_out_nothing_new_is_queued(session, alex, clock):
    couples.opt_out(session, alex, clock())
    with pytest.raises(NotAllowed) as error:
        queue_text(session, alex, "after-stop", clock())
    assert error.value.reason == "opted_out"


def test_opt_in_after_opt_out(session, alex, clock):
    couples.opt_out(session, alex, clock())
    later = clock() + timedelta(days=1)
    couples.opt_in(session, alex, later)
    assert (alex.opted_out, alex.opted_out_at, alex.consent, alex.consent_at) == (False, None, "granted", later)
    assert alex.can_text
    assert queue_text(session, alex, "after-start", later).state == "queued"


def test_opt_out_of_an_invited_partner_keeps_them_uninvited(session, alex, clock):
    sam = couples.invite_partner(session, alex, SAM, "Sam", clock())
    couples.opt_out(session, sam, clock())
    assert (sam.consent, sam.opted_out) == ("invited", True)
    with pytest.raises(NotAllowed) as error:
        outbox.queue(session, sam, outbox.Draft("Join?", "invitation", "invite-1"), clock())
    assert error.value.reason == "opted_out"  # STOP beats even the invitation


# Settings


def test_set_question_time_replans_the_next_question(session, alex, clock):
    couples.set_question_time(session, alex.couple, 7 * 60 + 30, clock())
    assert alex.couple.question_minute == 450
    assert alex.couple.next_question_at == datetime(2026, 11, 24, 15, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("minute", [-1, 24 * 60])
def test_set_question_time_rejects_impossible_times(session, alex, clock, minute):
    with pytest.raises(InvalidInput) as error:
        couples.set_question_time(session, alex.couple, minute, clock())
    assert error.value.reason == "bad_time"
    assert alex.couple.question_minute == 19 * 60


def test_set_quiet_hours_is_one_persons_own(session, alex, clock):
    sam = couples.invite_partner(session, alex, SAM, "Sam", clock())
    personal_settings.set_quiet_hours(session, alex, 23, 6)
    assert (alex.quiet_start, alex.quiet_end, sam.quiet_start, sam.quiet_end) == (23, 6, 21, 8)
    for start, end, reason in ((22, 24, "bad_hours"), (8, 8, "same_hours"), (0, 0, "same_hours")):
        with pytest.raises(InvalidInput) as error:
            personal_settings.set_quiet_hours(session, alex, start, end)
        assert error.value.reason == reason
    assert (alex.quiet_start, alex.quiet_end) == (23, 6)


def test_set_timezone_replans_in_the_new_zone(session, alex, clock):
    alex.couple.next_summary_at = clock()
    couples.set_timezone(session, alex.couple, "Pacific/Auckland", clock())
    # 17:00 UTC is 06:00 on the 24th in Auckland: 19:00 there is 06:00 UTC on the 24th.
    assert alex.couple.next_question_at == datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)
    assert alex.couple.next_summary_at is None


def test_pause_and_resume_are_one_persons_own(session, alex, clock):
    sam = couples.invite_partner(session, alex, SAM, "Sam", clock())
    personal_settings.set_paused(session, alex, True)
    assert alex.paused and not sam.paused
    personal_settings.set_paused(session, alex, False)
    assert not alex.paused


def test_shared_settings_tell_the_other_partner_in_one_line(session, alex, clock):
    sam = couples.invite_partner(session, alex, SAM, "Sam", clock())
    assert not personal_settings.set_question_time(session, alex, 20 * 60, clock())  # Sam has not said YES
    couples.accept_invite(session, sam, clock())
    assert personal_settings.set_question_time(session, alex, 21 * 60, clock())
    assert personal_settings.set_timezone(session, sam, "America/Chicago", clock())
    told = {m.partner_id: m.body for m in session.scalars(select(OutboundMessage).where(
        OutboundMessage.kind == "setting_changed"))}
    assert told == {sam.id: "Alex moved your shared daily question to 9 PM. Reply TIME to change it.",
                    alex.id: "Sam set your shared time zone to America/Chicago (it's 11 AM there now)."}


def test_expected_replies_expire(session, alex, clock):
    couples.expect_reply(alex, "confirm_kept", clock(), ref=7, minutes=10)
    assert couples.awaited(alex, clock() + timedelta(minutes=9)) == "confirm_kept"
    assert alex.awaiting_ref == 7
    assert couples.awaited(alex, clock() + timedelta(minutes=10)) is None
    couples.expect_reply(alex, None, clock())
    assert (alex.awaiting, alex.awaiting_until) == (None, None)


# DELETE MY DATA


def fill_history(session, partner, clock, tag):
    """A check-in, a promise (with its reminder texts), a text, an inbound reply, a heard mark, a nudge plan, a code."""
    now = clock()
    checkins.record_check_in(session, partner, f"{tag} answer", "sms", f"{tag}-checkin", now)
    promises.make_promise(session, partner, f"{tag} promise", now + timedelta(hours=6), LA, now)
    queue_text(session, partner, f"{tag}-text", now)
    session.add(InboundMessage(message_sid=f"{tag}-in", partner_id=partner.id, reply=f"{tag} reply", created_at=now))
    questions.mark_heard(session, partner, "voice", now)
    session.add(NudgeSchedule(partner_id=partner.id, window_start=600, window_end=700))
    session.add(PairingCode(kind="link", code=f"{partner.id:06d}", partner_id=partner.id, expires_at=now, created_at=now))
    partner.alexa_user_id, partner.alexa_person_id = "amzn1.ask.account.shared", f"person-{tag}"
    session.flush()


def test_erase_partner_removes_their_data_and_keeps_the_other_partners(session, alex, sam, clock):
    fill_history(session, alex, clock, "alex")
    fill_history(session, sam, clock, "sam")
    session.commit()
    couples.erase_partner(session, alex, clock() + timedelta(hours=1))
    session.commit()
    session.expire_all()

    assert count(session, CheckIn, CheckIn.partner_id == alex.id) == 0
    assert count(session, Promise, Promise.promiser_id == alex.id) == 0
    for model in (QuestionHeard, NudgeSchedule, PairingCode):
        assert count(session, model, model.partner_id == alex.id) == 0
    assert (alex.phone, alex.alexa_user_id, alex.alexa_person_id) == (None, None, None)
    assert (alex.display_name, alex.consent, alex.opted_out) == ("Alex", "revoked", True)  # a first name only
    assert alex.erased_at is not None
    assert not alex.can_text
    alex_texts = session.scalars(select(OutboundMessage).where(OutboundMessage.partner_id == alex.id)).all()
    assert alex_texts and all(m.body is None and m.to_phone is None and m.state == "cancelled" for m in alex_texts)
    assert session.scalar(select(InboundMessage.reply).where(InboundMessage.partner_id == alex.id)) is None
    assert couples.find_by_phone(session, ALEX) is None

    assert [c.text for c in session.scalars(select(CheckIn).where(CheckIn.partner_id == sam.id))] == ["sam answer"]
    assert [p.text for p in promises.open_promises(session, sam)] == ["sam promise"]
    sam_texts = session.scalars(select(OutboundMessage).where(OutboundMessage.partner_id == sam.id)).all()
    assert len(sam_texts) == 3 and all(m.body and m.to_phone == SAM and m.state == "queued" for m in sam_texts)
    assert session.scalar(select(InboundMessage.reply).where(InboundMessage.partner_id == sam.id)) == "sam reply"
    for model in (QuestionHeard, NudgeSchedule, PairingCode):
        assert count(session, model, model.partner_id == sam.id) == 1
    assert (sam.phone, sam.alexa_person_id, sam.display_name) == (SAM, keyed(ALEXA_PERSON, "person-sam"), "Sam")


def test_after_erasure_the_number_can_join_again(session, alex, sam, clock):
    couples.erase_partner(session, alex, clock())
    again = couples.create_couple(session, "Alex", ALEX, clock(), LA)
    assert again.couple_id != sam.couple_id


def test_after_erasure_the_partner_sees_a_neutral_state_and_no_answer(session, alex, sam, clock):
    checkins.record_check_in(session, alex, "mine", "sms", "a1", clock())
    checkins.record_check_in(session, sam, "yours", "sms", "s1", clock())
    couples.erase_partner(session, alex, clock())
    reveal = checkins.reveal_partner_answer(session, sam, clock())
    assert (reveal.status, reveal.partner_name, reveal.text) == ("partner_away", "Alex", None)


def test_erasure_leaves_no_queued_text_quoting_the_erased_partner(session, alex, sam, clock):
    sam.confirm_kept = True
    made = promises.make_promise(session, alex, "stop gambling online", clock() + timedelta(hours=3), LA, clock())
    promises.settle(session, alex, made, "kept", clock())
    couples.erase_partner(session, alex, clock())
    session.expire_all()
    queued = session.scalars(select(OutboundMessage.body).where(OutboundMessage.state == "queued")).all()
    assert not [body for body in queued if "gambling" in (body or "")]
