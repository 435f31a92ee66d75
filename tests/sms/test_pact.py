"""The trust pact by signed texts: a proposal counts only once the other partner agrees, is texted to them
honestly (who proposed it, when), and changes and retirements need both too; versions are kept."""
import pytest
from sqlalchemy import select

from core.crypto import phone_digest
from core.models import OutboundMessage, PactAgreement, PactVersion, Partner
from core.services import pact
from core.words import texts
from tests.sms.conftest import ALEX, SAM, count


def to(db, phone, kind=None):
    """Bodies of texts queued to `phone` (of one kind), oldest first."""
    db.expire_all()
    where = [OutboundMessage.to_phone_digest == phone_digest(phone)]
    if kind:
        where.append(OutboundMessage.kind == kind)
    return [m.body for m in db.scalars(select(OutboundMessage).where(*where).order_by(OutboundMessage.id))]


def agreed_texts(db, couple_id=1):
    db.expire_all()
    from datetime import datetime, timezone
    return [e.text for e in pact.entries(db, couple_id, datetime.now(timezone.utc)) if e.text]


def test_a_proposal_counts_only_when_the_other_partner_agrees(text, couple, db):
    reply = text(ALEX, "PACT ADD we check in every evening")
    assert reply == "Proposed as agreement 1. It counts once Sam agrees too. I've texted Sam."
    [proposal] = to(db, SAM, "pact_proposal")
    assert proposal == ('Alex proposes a new agreement for your pact (today at 9 AM): "We check in every evening" '
                        "It counts only if you agree too: reply AGREE 1, or PACT DROP 1. No rush.")
    assert agreed_texts(db) == []
    assert text(ALEX, "PACT") == ('Your pact: 1) "We check in every evening" (proposed, waiting for Sam) '
                                  "Reply PACT and a number to read one whole.")
    assert text(SAM, "PACT") == ('Your pact: 1) "We check in every evening" (proposed, AGREE 1?) '
                                 "Reply PACT and a number to read one whole.")
    assert text(ALEX, "AGREE 1") == "That's your own proposal: it counts once Sam agrees too."
    assert text(ALEX, "AGREE") == texts.problem("pact_nothing_to_agree", None)
    assert agreed_texts(db) == []
    assert text(SAM, "AGREE") == ('Agreed: "We check in every evening" is now part of your pact. I\'ll let Alex know. '
                                  "Reply PACT to see it all.")
    assert agreed_texts(db) == ["We check in every evening"]
    assert to(db, ALEX, "pact_agreed") == [
        'Sam agreed (today at 9 AM): "We check in every evening" is now part of your pact. Reply PACT to see it.']
    assert text(SAM, "PACT") == "Your pact: 1) We check in every evening Reply PACT and a number to read one whole."


def test_natural_forms_propose_and_list(text, couple, db):
    assert text(ALEX, "Add to our pact: I tell you when plans change").startswith("Proposed as agreement 1.")
    assert "(proposed, AGREE 1?)" in text(SAM, "what's in our pact?")


def test_change_and_retire_need_both_and_versions_are_kept(text, couple, db, clock):
    text(ALEX, "PACT ADD we check in every evening")
    text(SAM, "AGREE 1")
    clock.advance(hours=1)
    assert text(SAM, "PACT CHANGE 1 we check in most evenings").startswith("New words proposed for agreement 1.")
    assert agreed_texts(db) == ["We check in every evening"]  # still the agreed words
    assert text(SAM, "AGREE 1") == "That's your own proposal: it counts once Alex agrees too."
    assert text(ALEX, "AGREE 1").startswith('Agreed: it now reads "We check in most evenings".')
    assert agreed_texts(db) == ["We check in most evenings"]
    whole = text(ALEX, "PACT 1")
    assert whole == ('Agreement 1: "We check in most evenings" Proposed by Alex today at 9 AM, agreed by Sam today at '
                     '9 AM. New words "We check in most evenings" proposed by Sam today at 10 AM, agreed by Alex '
                     "today at 10 AM.")
    assert text(ALEX, "PACT RETIRE 1").startswith("Retiring agreement 1 proposed.")
    assert agreed_texts(db) == ["We check in most evenings"]
    assert text(SAM, "AGREE 1").startswith('Agreed: "We check in most evenings" is retired from your pact.')
    assert agreed_texts(db) == []
    assert count(db, PactVersion) == 3 and count(db, PactAgreement) == 1  # every version kept


def test_the_other_partner_may_decline_gently_and_the_proposer_may_withdraw(text, couple, db):
    text(ALEX, "PACT ADD we share our locations")
    assert text(SAM, "PACT DROP 1") == "OK, it's not added. I'll let Alex know, gently."
    [news] = to(db, ALEX, "pact_agreed")
    assert news.startswith('Sam would rather not make this part of your pact for now: "We share our locations"')
    assert "forgive" not in news.lower()
    text(ALEX, "PACT ADD we eat together on sundays")
    assert text(ALEX, "PACT DROP 1") == "OK, your proposal is withdrawn."
    assert text(SAM, "AGREE") == texts.problem("pact_nothing_to_agree", None)


def test_limits_pending_length_and_confusion(text, couple, db):
    for n in range(3):
        assert text(ALEX, f"PACT ADD agreement number {n}").startswith(f"Proposed as agreement {n + 1}.")
    assert text(ALEX, "PACT ADD one more") == texts.problem("pact_pending_full", None)
    assert text(SAM, "AGREE") == texts.AGREE_WHICH
    assert text(ALEX, "PACT ADD " + "x" * 141) == texts.problem("pact_too_long", None)
    assert text(ALEX, "PACT ADD agreement number 0") == texts.problem("pact_pending_full", None)
    assert text(SAM, "AGREE 9") == texts.problem("pact_no_such", None)
    assert text(ALEX, "PACT ADD") == texts.PACT_ADD_HOW
    assert text(ALEX, "PACT CHANGE 1") == texts.PACT_CHANGE_HOW
    assert text(ALEX, "PACT RETIRE") == texts.PACT_NUMBER_HOW
    assert text(ALEX, "PACT banana") == texts.PACT_HOW
    text(SAM, "AGREE 1")
    assert text(ALEX, "PACT RETIRE 2") == texts.problem("pact_not_agreed", None)
    assert text(SAM, "PACT CHANGE 2 new words") == texts.problem("pact_not_agreed", None)
    assert text(ALEX, "PACT ADD Agreement number 0.") == texts.problem("pact_same", None)


def test_words_of_danger_are_not_added_or_shown(text, couple, db):
    reply = text(ALEX, "PACT ADD we talk when I feel I want to die")
    assert reply.startswith("I haven't added that or shown it to your partner.")
    assert "988" in reply or "911" in reply
    assert count(db, PactVersion) == 0 and to(db, SAM, "pact_proposal") == []


def test_a_paused_partner_is_not_texted_but_sees_it_in_the_pact(text, couple, db):
    text(SAM, "PAUSE")
    assert text(ALEX, "PACT ADD we check in every evening") == (
        "Proposed as agreement 1. It counts once Sam agrees too. Sam has paused texts, so they'll see it when they "
        "text PACT or open Trust Builder on Alexa.")
    assert to(db, SAM, "pact_proposal") == []
    assert "(proposed, AGREE 1?)" in text(SAM, "PACT")


def test_quiet_hours_delay_the_text_and_say_so(text, couple, db, clock):
    clock.advance(hours=13)  # 10 PM in Los Angeles
    assert text(ALEX, "PACT ADD we check in every evening").endswith(
        "I'll text Sam tomorrow at 8 AM, after their quiet hours.")


def test_an_empty_pact_offers_an_idea_and_ideas_are_only_ideas(text, couple, db):
    empty = text(ALEX, "PACT")
    assert empty.startswith("Your pact is empty for now") and "PACT ADD" in empty
    ideas = text(ALEX, "PACT IDEAS")
    assert ideas.startswith("Ideas couples start with: 1) ") and count(db, PactVersion) == 0


def test_without_a_partner_who_joined_nothing_is_proposed(text, db):
    text(ALEX, "JOIN Alex")
    assert text(ALEX, "PACT ADD we check in") == texts.NO_PARTNER
    text(ALEX, "INVITE 415 555 0101 Sam")
    assert text(ALEX, "PACT ADD we check in") == texts.partner_invited("Sam")
    assert count(db, PactVersion) == 0


def test_a_retried_webhook_proposes_once(text, couple, db):
    first = text(ALEX, "PACT ADD we check in every evening", sid="SM" + "1" * 32)
    assert text(ALEX, "PACT ADD we check in every evening", sid="SM" + "1" * 32) == first
    assert count(db, PactVersion) == 1 and len(to(db, SAM, "pact_proposal")) == 1


def test_erasure_removes_their_proposals_and_every_copy(text, couple, db):
    text(ALEX, "PACT ADD we check in every evening")
    text(SAM, "PACT")  # a stored reply quoting Alex's words
    text(SAM, "PACT ADD I tell you when plans change")
    text(ALEX, "AGREE 2")
    text(ALEX, "DELETE MY DATA")
    text(ALEX, "YES")
    db.expire_all()
    assert [v.text for v in db.scalars(select(PactVersion))] == ["I tell you when plans change"]
    assert agreed_texts(db) == ["I tell you when plans change"]
    from core.models import InboundMessage
    replies = [r for r in db.scalars(select(InboundMessage.reply)) if r]
    assert not any("every evening" in r for r in replies)
    assert not any("every evening" in (b or "") for b in to(db, SAM))
    assert db.scalar(select(PactVersion.decided_by_id)) is None
