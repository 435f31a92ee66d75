"""The resolver: typed phrasings -> the intent and slots Alexa would send, from our interaction model."""
from datetime import datetime, timezone

import pytest

from console.resolver import FALLBACK, Resolver, clean

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)  # Monday 09:00 in New York
TZ = "America/New_York"


@pytest.fixture(scope="module")
def resolver():
    return Resolver()


@pytest.mark.parametrize("said, intent, slots", [
    ("what's today's question", "TodaysQuestionIntent", {}),
    ("Whats todays question?", "TodaysQuestionIntent", {}),
    ("my answer is that I felt heard", "AnswerIntent", {"answer": "that I felt heard"}),
    ("honestly I think we did better", "AnswerIntent", {"answer": "we did better"}),
    ("I'm feeling hopeful", "AnswerIntent", {"answer": "hopeful"}),
    ("my mood is a four", "MoodIntent", {"rating": "4"}),
    ("4 out of five", "MoodIntent", {"rating": "4"}),
    ("what did my partner say", "PartnerAnswerIntent", {}),
    ("I promise to call Sam at six", "MakePromiseIntent", {"task": "call Sam", "time": "18:00"}),
    ("I promise to call Sam at 6 pm", "MakePromiseIntent", {"task": "call Sam", "time": "18:00"}),
    ("I promise to call Sam tomorrow at 6 pm", "MakePromiseIntent",
     {"task": "call Sam", "date": "2026-11-24", "time": "18:00"}),
    ("remind me to walk the dog at 5:30", "MakePromiseIntent", {"task": "walk the dog", "time": "17:30"}),
    ("remind me at noon to call mom", "MakePromiseIntent", {"task": "call mom", "time": "12:00"}),
    ("promise to pick up the kids at 6:30 am", "MakePromiseIntent", {"task": "pick up the kids", "time": "06:30"}),
    ("I promise to cook dinner on friday at seven thirty", "MakePromiseIntent",
     {"task": "cook dinner", "date": "2026-11-27", "time": "19:30"}),
    ("I promise to fold the laundry tomorrow", "MakePromiseIntent", {"task": "fold the laundry", "date": "2026-11-24"}),
    ("I promise to plan date night", "MakePromiseIntent", {"task": "plan date night"}),
    ("make a promise", "MakePromiseIntent", {}),
    ("what are my promises", "ListPromisesIntent", {}),
    ("I kept my promise to call Sam", "KeptPromiseIntent", {"task": "call Sam"}),
    ("promise kept", "KeptPromiseIntent", {}),
    ("tell Sam I'm thinking about them", "ThinkingOfYouIntent", {"name": "Sam"}),
    ("send my partner some love", "ThinkingOfYouIntent", {}),
    ("how are we doing", "WeeklySummaryIntent", {}),
    ("this is sam", "IdentifyPartnerIntent", {"name": "Sam"}),
    ("it's alex here", "IdentifyPartnerIntent", {"name": "Alex"}),
    ("link my phone", "LinkAccountIntent", {}),
    ("help", "AMAZON.HelpIntent", {}),
    ("stop", "AMAZON.StopIntent", {}),
    ("never mind", "AMAZON.CancelIntent", {}),
    ("yes", "AMAZON.YesIntent", {}),
    ("nope", "AMAZON.NoIntent", {}),
])
def test_phrasings_resolve_to_intent_and_slots(resolver, said, intent, slots):
    resolution = resolver.resolve(said, NOW, TZ)
    assert (resolution.request_type, resolution.intent, resolution.slots) == ("IntentRequest", intent, slots)
    assert not resolution.invoked


@pytest.mark.parametrize("said", [
    "what's the weather", "play some music", "set a timer for ten minutes", "turn off the lights",
    "what time is it", "I promise", "remind me", "tell me a joke", "order a pizza", "hello",
    # A bare name, or "I'm" + a word, is not a sample: outside "who is this?" it reaches no intent.
    "Alex", "I'm sandwich", "it's lunch",
])
def test_other_requests_go_to_the_fallback(resolver, said):
    assert resolver.resolve(said, NOW, TZ).intent == FALLBACK


@pytest.mark.parametrize("said", ["open trust builder", "Alexa, open Trust Builder", "launch trust builder",
                                  "ask trust builder", "start trust builder"])
def test_opening_the_skill_is_a_launch_request(resolver, said):
    resolution = resolver.resolve(said, NOW, TZ)
    assert (resolution.request_type, resolution.invoked) == ("LaunchRequest", True)


@pytest.mark.parametrize("said, intent, slots", [
    ("ask trust builder for today's question", "TodaysQuestionIntent", {}),
    ("Alexa, ask Trust Builder what did my partner say", "PartnerAnswerIntent", {}),
    ("ask trust builder to tell Sam I'm thinking about them", "ThinkingOfYouIntent", {"name": "Sam"}),
    ("tell trust builder my mood is 3", "MoodIntent", {"rating": "3"}),
    ("ask trust builder I promise to call Sam at six", "MakePromiseIntent", {"task": "call Sam", "time": "18:00"}),
    ("ask trust builder what's the weather", FALLBACK, {}),
])
def test_one_shot_requests_carry_the_inner_intent(resolver, said, intent, slots):
    resolution = resolver.resolve(said, NOW, TZ)
    assert (resolution.intent, resolution.slots, resolution.invoked) == (intent, slots, True)


def test_the_most_specific_sample_wins(resolver):
    """"I promise to {task} at {time}" beats "I promise to {task}" (which would swallow the time)."""
    resolution = resolver.resolve("I promise to be home by dinner at 7", NOW, TZ)
    assert resolution.slots == {"task": "be home by dinner", "time": "19:00"}


@pytest.mark.parametrize("slot, said, value", [
    ("time", "six", "18:00"), ("time", "at 5:30", "17:30"), ("time", "noon", "12:00"), ("time", "6 pm", "18:00"),
    ("time", "call Sam", None), ("date", "tomorrow", "2026-11-24"), ("date", "on friday", "2026-11-27"),
    ("date", "soon", None), ("task", "to call Sam", "call Sam"), ("task", "cook dinner", "cook dinner"),
])
def test_a_value_said_alone_fills_an_elicited_slot(resolver, slot, said, value):
    assert resolver.slot_value("MakePromiseIntent", slot, said, NOW, TZ) == value


@pytest.mark.parametrize("said, value", [("Sam", "Sam"), ("it's Sam", "Sam"), ("I'm Alex", "Alex"),
                                         ("done", None), ("what's today's question", None)])
def test_inside_who_is_this_a_name_alone_is_the_slot_value(resolver, said, value):
    assert resolver.slot_value("IdentifyPartnerIntent", "name", said, NOW, TZ) == value


@pytest.mark.parametrize("said, digits", [("555 555 0123", "5555550123"), ("my number is 555-555-0123", "5555550123"),
                                          ("five five five, oh one double two three four", "55501223 4".replace(" ", "")),
                                          ("call Sam", None)])
def test_a_phone_number_fills_the_set_up_slot(resolver, said, digits):
    assert resolver.slot_value("SetUpIntent", "phone", said, NOW, TZ) == digits


@pytest.mark.parametrize("said, intent", [
    ("what's todays questions", "TodaysQuestionIntent"),      # another form of a word
    ("please list my promises", "ListPromisesIntent"),        # a polite word added
    ("what did partner say", "PartnerAnswerIntent"),          # a light word dropped
])
def test_near_phrasings_reach_the_closest_sample(resolver, said, intent):
    resolution = resolver.resolve(said, NOW, TZ)
    assert (resolution.intent, resolution.near) == (intent, True)


def test_a_listed_custom_value_beats_a_split_into_two_slots(resolver):
    """"plan date night" is a PromiseTask value: not the task "plan date" at the time "night"."""
    assert resolver.resolve("I promise to plan date night", NOW, TZ).slots == {"task": "plan date night"}


def test_the_delegated_dialog_asks_for_the_first_required_slot(resolver):
    assert resolver.next_prompt("MakePromiseIntent", {}) == ("task", "What do you promise to do?")
    assert resolver.next_prompt("MakePromiseIntent", {"task": "call Sam"})[0] == "time"
    assert resolver.next_prompt("MakePromiseIntent", {"task": "call Sam", "time": "18:00"}) is None


@pytest.mark.parametrize("typed, heard", [
    ("What’s today’s question?!", "What's today's question"),
    ("at 5:30 p.m.", "at 5:30 p.m"),
    ("  my   answer, is: yes ", "my answer is yes"),
])
def test_typed_text_is_cleaned_like_speech(typed, heard):
    assert clean(typed) == heard
