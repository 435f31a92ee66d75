"""Echo Show (issue 12, item 2): the home document goes exactly to devices that declare Alexa.Presentation.APL;
its datasource holds nothing private (no answer's words, ever; who has answered; the small win; the speaker's
own promises); touch targets send the voice path's intents through the same handlers and gates."""
import json
import re
from pathlib import Path

import pytest

from core.services import answers
from core.models import Channel, Partner
from devkit.alexa import user_event
from skill import screen
from tests.skill.envelopes import Alexa, USER_ID
from tests.skill.native import directive, dumps

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "skill" / "skill-package" / "response" / "prompts" / "TrustBuilderHome" / "document.json"
RENDER = "Alexa.Presentation.APL.RenderDocument"


@pytest.fixture
def show(client, clock):
    return Alexa(client, clock, screen=True)


def home(reply) -> dict:
    found = directive(reply, RENDER)
    assert found is not None, reply.directives
    assert found["document"] == {"type": "Link", "src": "doc://alexa/apl/documents/TrustBuilderHome"}
    return found["datasources"]["home"]


def answer(tx, partner_id, words, now):
    with tx() as s:
        answers.take_answer(s, s.get(Partner, partner_id), words, Channel.SMS, f"sms:{words}", now, explicit=True)


def test_a_screen_gets_the_day_at_a_glance(show, couple, tx, clock):
    said = show.launch()
    data = home(said)
    assert data["question"] and data["question"] in said.speech
    assert data["answers"] == ["You: not yet", "Sam: not yet"]
    assert data["win"].startswith(("Small win", "This week"))
    assert data["promises"] == ["No open promises."]
    assert [b["event"] for b in data["buttons"]] == ["answer", "promises", "week"]


def test_a_device_without_a_screen_is_unchanged(alexa, couple):
    for reply in (alexa.launch(), alexa.intent("ListPromisesIntent"), alexa.intent("WeeklySummaryIntent")):
        assert directive(reply, RENDER) is None


def test_the_screen_says_who_answered_never_what_not_even_after_both(show, couple, tx, clock):
    answer(tx, couple.sam, "the walk by the river on sunday", clock())
    data = home(show.launch())
    assert data["answers"] == ["You: not yet", "Sam: answered"]
    show.intent("AnswerIntent", answer="I felt heard when you called")
    both = show.intent("PartnerAnswerIntent")
    assert "walk by the river" in both.speech  # the voice may say it now
    assert home(both)["answers"] == ["You: answered", "Sam: answered"]
    for reply in (both, show.launch()):
        assert "walk by the river" not in json.dumps(reply.body["response"].get("directives"))
        assert "felt heard" not in json.dumps(reply.body["response"].get("directives"))


def test_an_answer_held_for_safety_looks_like_no_answer(show, couple, tx, clock):
    answer(tx, couple.sam, "I am scared he will hurt me", clock())
    assert home(show.launch())["answers"] == ["You: not yet", "Sam: not yet"]


def test_the_speakers_own_promises_are_listed(show, couple):
    show.intent("MakePromiseIntent", dialog_state="IN_PROGRESS", task="call Sam", date=None, time="18:00")
    assert home(show.intent("ListPromisesIntent"))["promises"] == ["call Sam, today at 6 PM"]


def test_an_echo_nobody_linked_sees_a_welcome_and_nothing_about_anyone(client, clock, couple):
    stranger = Alexa(client, clock, screen=True, user_id="amzn1.ask.account.SOMEONE-ELSE")
    data = home(stranger.launch())
    assert set(data) == {"title", "welcome"}


def test_an_unrecognised_voice_on_a_shared_echo_sees_nothing_of_theirs(client, clock, couple, tx):
    with tx() as s:
        s.get(Partner, couple.alex).alexa_person_id = "amzn1.ask.person.ALEX"
    guest = Alexa(client, clock, screen=True, person_id="amzn1.ask.person.GUEST")
    said = guest.launch()
    assert set(home(said)) == {"title", "welcome"} and not re.search(r"\bAlex\b", dumps(said))


@pytest.mark.parametrize("touch, intent", sorted(screen.TOUCH.items()))
def test_touch_targets_send_the_same_intents_as_the_voice_path(show, couple, touch, intent):
    touched = show.send(user_event(show.clock(), touch))
    said = show.intent(intent)
    assert touched.status == 200 and touched.speech and touched.speech == said.speech
    assert directive(touched, RENDER) is not None


@pytest.mark.parametrize("arguments", [("rm -rf",), (), (42,), ({"x": 1},)])
def test_an_unknown_touch_gets_a_spoken_answer_never_an_error(show, couple, arguments):
    said = show.send(user_event(show.clock(), *arguments))
    assert said.status == 200 and said.speech.startswith("Sorry, I can't help with that.")


def test_a_touch_from_an_unlinked_echo_passes_the_same_gates(client, clock, couple):
    stranger = Alexa(client, clock, screen=True, user_id="amzn1.ask.account.SOMEONE-ELSE")
    said = stranger.send(user_event(clock(), "promises"))
    assert said.speech.startswith("To keep what you say private")


def test_the_document_in_the_package_sends_exactly_the_touch_events_the_skill_routes():
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    assert document["type"] == "APL" and document["mainTemplate"]["parameters"] == ["payload"]
    text = json.dumps(document)
    assert '"SendEvent"' in text and '"arguments": ["${data.event}"]' in text
    assert {event for _, event in screen.speech.SCREEN["buttons"]} == set(screen.TOUCH)
    assert set(screen.TOUCH.values()) == {"TodaysQuestionIntent", "ListPromisesIntent", "WeeklySummaryIntent"}
