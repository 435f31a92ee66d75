"""The trust pact by voice, in real Alexa envelopes: a proposal counts only once the other partner says yes
(told once when they open the skill), the list marks proposals as waiting, change and retire need both."""
from datetime import datetime, timezone

from sqlalchemy import select

from core.models import OutboundMessage, PactVersion
from core.services import couples, pact
from tests.skill.envelopes import Alexa

SAM_USER = "amzn1.ask.account.SAMSECHO"


def sam_on_his_echo(client, clock, tx, couple) -> Alexa:
    with tx() as s:
        couples.get_partner(s, couple.sam).alexa_user_id = SAM_USER
    return Alexa(client, clock, user_id=SAM_USER)


def agreed(tx, couple):
    with tx() as s:
        return [e.text for e in pact.entries(s, couple.couple, datetime.now(timezone.utc)) if e.text]


def test_a_spoken_proposal_counts_only_after_the_other_says_yes(alexa, couple, tx, client, clock):
    said = alexa.intent("PactAddIntent", agreement="we check in every evening")
    assert said.speech == ("I've proposed it as agreement 1. It only counts once Sam agrees too. I've texted Sam.")
    assert agreed(tx, couple) == []
    sam = sam_on_his_echo(client, clock, tx, couple)
    offer = sam.launch()
    assert offer.speech == ("Hi, Sam. Alex proposed a new agreement for your pact today at 9 AM: We check in every "
                            "evening. It only counts if you agree too. Do you agree?")
    assert agreed(tx, couple) == []
    done = sam.intent("AMAZON.YesIntent")
    assert done.speech == "Agreed. We check in every evening, is now part of your pact. I'll let Alex know."
    assert agreed(tx, couple) == ["We check in every evening"]
    with tx() as s:
        [news] = s.scalars(select(OutboundMessage.body).where(OutboundMessage.kind == "pact_agreed")).all()
    assert news.startswith("Sam agreed (today at 9 AM)")
    # Told once: the next launch is the usual one.
    assert "agreement" not in Alexa(client, clock, user_id=SAM_USER).launch().speech


def test_no_to_the_spoken_proposal_changes_nothing(alexa, couple, tx, client, clock):
    alexa.intent("PactAddIntent", agreement="we check in every evening")
    sam = sam_on_his_echo(client, clock, tx, couple)
    sam.launch()
    assert sam.intent("AMAZON.NoIntent").speech == "OK. Nothing changes unless you both agree. It stays waiting for now."
    assert agreed(tx, couple) == []


def test_the_proposer_cannot_agree_to_their_own_by_voice(alexa, couple, tx):
    alexa.intent("PactAddIntent", agreement="we check in every evening")
    listed = alexa.intent("PactListIntent")
    assert listed.speech == ("Here's your pact. 1: We check in every evening, is proposed, and waits for Sam.")
    assert not alexa.intent("AMAZON.YesIntent").speech.startswith("Agreed")
    assert agreed(tx, couple) == []


def test_the_list_offers_a_proposal_waiting_for_the_speaker(alexa, couple, tx, client, clock):
    sam = sam_on_his_echo(client, clock, tx, couple)
    sam.intent("PactAddIntent", agreement="I tell you when plans change")
    listed = alexa.intent("PactListIntent")
    assert listed.speech.startswith("Here's your pact. 1: I tell you when plans change, is proposed, and waits for you.")
    assert listed.speech.endswith("Do you agree?")
    assert alexa.intent("AMAZON.YesIntent").speech.startswith("Agreed.")
    assert agreed(tx, couple) == ["I tell you when plans change"]


def test_change_and_retire_by_voice_need_both(alexa, couple, tx, client, clock):
    alexa.intent("PactAddIntent", agreement="we check in every evening")
    sam = sam_on_his_echo(client, clock, tx, couple)
    sam.launch()
    sam.intent("AMAZON.YesIntent")
    asked = alexa.intent("PactChangeIntent", number="1")
    assert asked.speech == "What should it say instead?"
    assert asked.directives[0]["type"] == "Dialog.ElicitSlot"
    said = alexa.intent("PactChangeIntent", number="1", agreement="we check in most evenings")
    assert said.speech.startswith("I've proposed it as agreement 1.")
    assert agreed(tx, couple) == ["We check in every evening"]
    assert "new words" in Alexa(client, clock, user_id=SAM_USER).launch().speech
    retire = alexa.intent("PactRetireIntent", number="1")
    assert retire.speech == "A proposal is already waiting on that one."
    assert alexa.intent("PactRetireIntent").speech == "Which agreement? Say its number, for example, 'agreement one'."


def test_an_empty_pact_and_missing_words(alexa, couple):
    assert alexa.intent("PactListIntent").speech.startswith("Your pact is empty for now.")
    asked = alexa.intent("PactAddIntent")
    assert asked.speech.startswith("What would you like to propose for your pact?")


def test_words_of_danger_are_not_proposed_by_voice(alexa, couple, tx):
    said = alexa.intent("PactAddIntent", agreement="we talk when I want to die")
    assert said.speech.startswith("I haven't added that, or shared it with your partner.")
    with tx() as s:
        assert s.scalars(select(PactVersion)).all() == []


def test_a_retried_request_proposes_once(alexa, couple, tx):
    for _ in range(2):
        alexa.send(__import__("devkit.alexa", fromlist=["intent_request"]).intent_request(
            "PactAddIntent", alexa.clock(), {"agreement": "we check in every evening"}, None, "amzn1.echo-api.request.same"))
    with tx() as s:
        assert len(s.scalars(select(PactVersion)).all()) == 1
