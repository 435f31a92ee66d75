"""core.services.pact on SQLite and PostgreSQL: the two-party rule, versions, lapsing, limits, the words
of the texts it queues, our suggestions, and (PostgreSQL, many threads) the pending cap under concurrency."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import SettableClock
from core.db import transaction
from core.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from core.models import OutboundMessage, PactAction, PactVersion, ProposalState
from core.runtime import open_runtime
from core.services import pact
from core.words import segments, texts
from devkit.fakes.gateway import RecordingGateway
from devkit.seeding import seed_couple
from tests.conftest import START, make_settings

ADD, CHANGE, RETIRE = PactAction.ADD, PactAction.CHANGE, PactAction.RETIRE


@pytest.fixture
def pair(session, clock):
    return seed_couple(session, clock(), "America/Los_Angeles")


def words(session, couple_id, now):
    return [e.text for e in pact.entries(session, couple_id, now)]


def test_only_the_other_partner_can_make_it_count(session, pair, clock):
    alex, sam = pair
    proposed = pact.propose(session, alex, ADD, clock(), text="we check in every evening")
    assert proposed.number == 1 and words(session, alex.couple_id, clock()) == [None]
    with pytest.raises(NotAllowed):
        pact.agree(session, alex, 1, clock())
    decided = pact.agree(session, sam, None, clock())
    assert decided.proposer.id == alex.id and words(session, alex.couple_id, clock()) == ["We check in every evening"]
    version = decided.version
    assert (version.proposed_by_id, version.decided_by_id, version.state) == (alex.id, sam.id, ProposalState.AGREED)


def test_versions_are_kept_and_the_latest_agreed_one_counts(session, pair, clock):
    alex, sam = pair
    pact.propose(session, alex, ADD, clock(), text="we check in every evening")
    pact.agree(session, sam, 1, clock())
    pact.propose(session, sam, CHANGE, clock(), text="we check in most evenings", number=1)
    assert words(session, alex.couple_id, clock()) == ["We check in every evening"]
    pact.agree(session, alex, 1, clock())
    pact.propose(session, alex, RETIRE, clock(), number=1)
    [entry] = pact.entries(session, alex.couple_id, clock())
    assert entry.text == "We check in most evenings" and entry.pending.action == RETIRE
    pact.agree(session, sam, 1, clock())
    assert pact.entries(session, alex.couple_id, clock()) == []
    assert [v.action for v in session.scalars(select(PactVersion).order_by(PactVersion.id))] == [ADD, CHANGE, RETIRE]


def test_a_proposal_lapses_after_two_weeks(session, pair, clock):
    alex, sam = pair
    pact.propose(session, alex, ADD, clock(), text="we check in every evening")
    later = clock() + pact.LAPSE + timedelta(minutes=1)
    assert pact.entries(session, alex.couple_id, later) == []
    with pytest.raises(NotFound):
        pact.agree(session, sam, None, later)
    pact.propose(session, alex, ADD, later, text="we eat together")
    assert session.scalar(select(PactVersion.state).order_by(PactVersion.id)) == ProposalState.LAPSED


@pytest.mark.parametrize("raw, reason", [("", "pact_empty"), ("   ", "pact_empty"), ("x" * 141, "pact_too_long")])
def test_bad_words_are_refused(session, pair, clock, raw, reason):
    with pytest.raises(InvalidInput) as refused:
        pact.propose(session, pair[0], ADD, clock(), text=raw)
    assert refused.value.reason == reason


def test_limits_and_conflicts(session, pair, clock):
    alex, sam = pair
    for n in range(pact.MAX_PENDING):
        pact.propose(session, alex, ADD, clock(), text=f"agreement {n}")
    with pytest.raises(NotAllowed):
        pact.propose(session, sam, ADD, clock(), text="one more")
    with pytest.raises(Conflict) as several:
        pact.agree(session, sam, None, clock())
    assert several.value.reason == "pact_which"
    pact.agree(session, sam, 1, clock())
    with pytest.raises(Conflict):
        pact.propose(session, sam, ADD, clock(), text="Agreement 0.")
    with pytest.raises(Conflict):
        pact.propose(session, sam, CHANGE, clock(), text="Agreement 0", number=1)
    with pytest.raises(NotFound):
        pact.propose(session, sam, RETIRE, clock(), number=7)


def test_the_pact_holds_a_short_list(session, pair, clock):
    alex, sam = pair
    for n in range(pact.MAX_AGREEMENTS):
        pact.propose(session, alex, ADD, clock(), text=f"agreement {n}")
        pact.agree(session, sam, None, clock())
    with pytest.raises(NotAllowed) as full:
        pact.propose(session, alex, ADD, clock(), text="thirteen")
    assert full.value.reason == "pact_full"


def test_the_proposal_text_says_who_and_when_and_fits(session, pair, clock):
    alex, sam = pair
    pact.propose(session, alex, ADD, clock(), text="\u201cwe check in\u201d \u2013 every evening\u2026")
    [body] = session.scalars(select(OutboundMessage.body).where(OutboundMessage.kind == "pact_proposal"))
    assert body.startswith('Alex proposes a new agreement for your pact (today at 9 AM): "We check in" - every '
                           'evening..."') and segments.is_gsm7(body)


def test_long_names_and_words_still_fit_two_segments():
    body = texts.pact_proposed("A" * 40, "change", "w" * 140, 12, "Dec 24 at 10:30 PM")
    assert segments.segments(body) <= 2 and "AGREE 12" in body
    emoji = texts.pact_agreed_news("Sam", "add", "\U0001F600 " * 60, 3, "today at 9 AM")
    assert segments.segments(emoji) <= 2
    assert segments.segments(texts.pact_list([texts.pact_line(n, "x" * 140, None, "", False)
                                              for n in range(1, 13)])) <= 2


def test_our_suggestions_are_short_plain_and_only_ideas():
    ideas = pact.suggestions()
    assert 5 <= len(ideas) <= 10
    assert all(len(idea) <= pact.MAX_TEXT and segments.is_gsm7(idea) for idea in ideas)
    assert segments.segments(texts.pact_ideas(list(ideas[:3]))) <= 2


def test_a_paused_or_unreachable_partner_is_not_texted(session, pair, clock):
    alex, sam = pair
    sam.paused = True
    assert pact.propose(session, alex, ADD, clock(), text="we check in").delivery.refusal == "partner_paused"
    sam.paused, sam.opted_out = False, True
    assert pact.propose(session, alex, ADD, clock(), text="we eat together").delivery.refusal == "opted_out"
    assert session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "pact_proposal")).all() == []


# --- under concurrency (PostgreSQL only: SQLite serialises writers) ---------------------------------------

def test_the_pending_cap_holds_under_many_threads(tmp_path, pg_url):
    runtime = open_runtime(make_settings(tmp_path, pg_url), RecordingGateway(), clock=SettableClock(START))
    try:
        with transaction(runtime.sessions) as s:
            alex, _ = seed_couple(s, START, "America/Los_Angeles")
            alex_id = alex.id
        barrier, results = threading.Barrier(8), [None] * 8

        def one(i):
            barrier.wait()
            try:
                with transaction(runtime.sessions) as s:
                    from core.services import couples
                    pact.propose(s, couples.get_partner(s, alex_id), ADD, START, text=f"agreement {i}")
                    results[i] = "ok"
            except DomainError as error:
                results[i] = error.reason

        threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results.count("ok") == pact.MAX_PENDING
        assert results.count("pact_pending_full") == 8 - pact.MAX_PENDING
        with transaction(runtime.sessions) as s:
            assert len(s.scalars(select(PactVersion)).all()) == pact.MAX_PENDING
    finally:
        runtime.close()
