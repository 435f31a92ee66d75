"""core.services.apology on SQLite and PostgreSQL: steps and redo, the read-back limit of one text, SEND and
its hold, the optional reply passed on once, the third step turned into a promise or a proposal, erasure."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.errors import InvalidInput, NotAllowed, NotFound
from core.models import Apology, ApologyState, OutboundMessage, PactVersion, Promise
from core.services import apology, couples
from core.words import segments, texts
from devkit.seeding import seed_couple


@pytest.fixture
def pair(session, clock):
    return seed_couple(session, clock(), "America/Los_Angeles")


def written(session, author, now, steps=("I forgot our dinner", "you felt alone", "I will call when I'm late")):
    apology.start(session, author, now)
    for words in steps:
        apology.write_step(session, author, words, now)
    return apology.draft_of(session, author)


def bodies(session, kind):
    return session.scalars(select(OutboundMessage.body).where(OutboundMessage.kind == kind)).all()


def test_steps_fill_in_order_and_redo_goes_back(session, pair, clock):
    alex, _ = pair
    draft = written(session, alex, clock())
    assert draft.step == 0 and apology.steps_of(draft) == ["I forgot our dinner", "You felt alone",
                                                           "I will call when I'm late"]
    apology.redo(session, alex, 2, clock())
    result = apology.write_step(session, alex, "I think it hurt", clock())
    assert result.next_step == 0 and apology.steps_of(result.apology)[1] == "I think it hurt"
    with pytest.raises(InvalidInput):
        apology.redo(session, alex, 4, clock())
    assert bodies(session, "apology") == []  # nothing is sent before SEND


def test_one_draft_at_a_time_and_resume(session, pair, clock):
    alex, _ = pair
    first = apology.start(session, alex, clock())
    apology.write_step(session, alex, "I forgot our dinner", clock())
    again = apology.start(session, alex, clock())
    assert again.id == first.id and again.step == 2


@pytest.mark.parametrize("words, reason", [("", "apology_empty"), (" . ", "apology_empty"),
                                            ("x" * 161, "apology_too_long")])
def test_bad_steps_are_refused(session, pair, clock, words, reason):
    apology.start(session, pair[0], clock())
    with pytest.raises(InvalidInput) as refused:
        apology.write_step(session, pair[0], words, clock())
    assert refused.value.reason == reason


def test_the_whole_must_fit_one_text(session, pair, clock):
    alex, _ = pair
    apology.start(session, alex, clock())
    apology.write_step(session, alex, "a" * 150, clock())
    with pytest.raises(InvalidInput) as refused:
        apology.write_step(session, alex, "b" * 150, clock())
    assert refused.value.reason == "apology_too_long"
    apology.write_step(session, alex, "b" * 60, clock())
    apology.write_step(session, alex, "c" * 20, clock())
    draft = apology.draft_of(session, alex)
    for body in (texts.apology_for_partner("Alex", apology.steps_of(draft)),
                 texts.apology_readback("Sam", apology.steps_of(draft))):
        assert segments.segments(body) <= 2


def test_send_texts_the_apology_then_the_note(session, pair, clock):
    alex, sam = pair
    written(session, alex, clock())
    sent = apology.send(session, alex, clock())
    assert sent.status == "sent" and sent.apology.state == ApologyState.SENT
    [body] = bodies(session, "apology")
    [note] = session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "apology_note"))
    assert body.endswith("I forgot our dinner. You felt alone. I will call when I'm late.")
    assert note.send_after > clock() and "forgive" not in (body + note.body).lower()
    assert segments.segments(note.body) <= 2


def test_send_limits_and_incomplete(session, pair, clock):
    alex, _ = pair
    apology.start(session, alex, clock())
    assert apology.send(session, alex, clock()).status == "incomplete"
    apology.cancel(session, alex, clock())
    for _ in range(apology.MAX_SENT_PER_DAY):
        written(session, alex, clock())
        apology.send(session, alex, clock())
    written(session, alex, clock())
    with pytest.raises(NotAllowed):
        apology.send(session, alex, clock())
    assert apology.send(session, alex, clock() + timedelta(days=1)).status == "sent"


def test_danger_holds_once(session, pair, clock):
    alex, _ = pair
    result = apology.start(session, alex, clock()) and apology.write_step(session, alex, "I said I want to die",
                                                                        clock())
    assert result.signal is not None
    apology.write_step(session, alex, "you were scared", clock())
    apology.write_step(session, alex, "I will get help", clock())
    assert apology.send(session, alex, clock()).status == "held"
    assert bodies(session, "apology") == []
    assert apology.send(session, alex, clock()).status == "sent"


def test_the_reply_is_optional_and_passed_on_once(session, pair, clock):
    alex, sam = pair
    assert apology.respond(session, sam, "thank_you", clock()) is None
    written(session, alex, clock())
    apology.send(session, alex, clock())
    assert apology.respond(session, sam, "not_ready", clock()).response == "not_ready"
    assert apology.respond(session, sam, "thank_you", clock()) is None
    assert len(bodies(session, "apology_reply")) == 1
    with pytest.raises(InvalidInput):
        apology.respond(session, sam, "forgiven", clock())


def test_the_reply_window_closes(session, pair, clock):
    alex, sam = pair
    written(session, alex, clock())
    apology.send(session, alex, clock())
    assert apology.respond(session, sam, "thank_you", clock() + apology.REPLY_WITHIN + timedelta(hours=1)) is None


def test_the_third_step_becomes_a_promise_through_promise_intake(session, pair, clock):
    alex, _ = pair
    written(session, alex, clock(), ("I forgot", "you felt alone", "I'll call you tomorrow at 6pm"))
    became = apology.become(session, alex, "promise", clock())
    assert became.intake.promise is not None and became.intake.task == "call you"
    with pytest.raises(NotFound):
        apology.become(session, alex, "pact", clock())  # once only
    assert session.scalar(select(Promise.text)) == "call you"


def test_the_third_step_becomes_a_pact_proposal(session, pair, clock):
    alex, _ = pair
    written(session, alex, clock())
    became = apology.become(session, alex, "pact", clock())
    assert became.proposed.number == 1
    assert session.scalar(select(PactVersion.text)) == "I will call when I'm late"


def test_no_partner_no_apology(session, clock):
    alone = couples.create_couple(session, "Alex", "+14155550100", clock(), "America/Los_Angeles")
    with pytest.raises(NotFound):
        apology.start(session, alone, clock())


def test_erasure_removes_what_they_wrote_and_keeps_what_was_written_to_them(session, pair, clock):
    alex, sam = pair
    written(session, alex, clock())
    apology.send(session, alex, clock())
    written(session, sam, clock(), ("I snapped at you", "you felt small", "I will pause before I answer"))
    apology.send(session, sam, clock())
    couples.erase_partner(session, alex, clock())
    [left] = session.scalars(select(Apology))
    assert left.author_id == sam.id and left.recipient_id is None
    assert not any("dinner" in (b or "") for b in bodies(session, "apology"))


def test_the_quick_look_at_launch_finds_every_proposal_and_apology_the_full_look_would(session, pair, clock):
    """apology.news_may_wait is only a first look: whenever the full look (pact.next_untold, apology.unheard)
    finds something for a partner, it must say so; when it says nothing waits, the full look finds nothing."""
    from core.services import pact
    alex, sam = pair

    def agree():
        full = {p.id: pact.next_untold(session, p, clock()) is not None or apology.unheard(session, p, clock()) is not None
                for p in (alex, sam)}
        quick = {p.id: apology.news_may_wait(session, p, clock()) for p in (alex, sam)}
        for partner_id, found in full.items():
            assert quick[partner_id] or not found, (partner_id, full, quick)
        return quick

    assert agree() == {alex.id: False, sam.id: False}
    proposed = pact.propose(session, alex, "add", clock(), text="we check in every evening")
    assert agree() == {alex.id: False, sam.id: True}  # waits for Sam, not for its proposer
    pact.mark_told(proposed.version, clock())
    session.flush()
    assert agree() == {alex.id: False, sam.id: False}  # told once
    pact.propose(session, sam, "add", clock(), text="we plan one evening out a week")
    assert agree()[alex.id] is True
    clock.advance(days=15)  # both proposals lapse
    assert agree() == {alex.id: False, sam.id: False}
    written(session, sam, clock())
    apology.send(session, sam, clock())
    assert agree() == {alex.id: True, sam.id: False}
    apology.mark_heard(apology.unheard(session, alex, clock()), clock())
    session.flush()
    assert agree() == {alex.id: False, sam.id: False}
    clock.advance(days=1)
    written(session, alex, clock())
    apology.send(session, alex, clock())
    assert agree()[sam.id] is True
    apology.respond(session, sam, "thank_you", clock())
    session.flush()
    assert agree()[sam.id] is False  # answered: nothing to offer at launch any more
