"""Quoted tasks read naturally: pronouns turned around for the promiser and for the partner, and every
template that quotes a task reads right with any phrasing people use."""
import pytest

from core.words import segments, texts
from core.words.tasks import for_author, for_partner, plain

# (as typed or said, quoted to its author, quoted to the partner Sam)
PHRASINGS = [
    ("call my mom", "call your mom", "call their mom"),
    ("Call mom.", "call mom", "call mom"),
    ("I will call my mom", "call your mom", "call their mom"),
    ("I'll do the dishes", "do the dishes", "do the dishes"),
    ("I\u2019ll do the dishes", "do the dishes", "do the dishes"),
    ("I'm going to book the restaurant for Saturday", "book the restaurant for Saturday",
     "book the restaurant for Saturday"),
    ("to pick up the kids", "pick up the kids", "pick up the kids"),
    ("do the dishes", "do the dishes", "do the dishes"),
    ("take Sam to dinner", "take Sam to dinner", "take you to dinner"),
    ("cook for Sam", "cook for Sam", "cook for you"),
    ("fix Sam's bike", "fix Sam's bike", "fix your bike"),
    ("text you at lunch", "text them at lunch", "text you at lunch"),
    ("tell my sister I am sorry", "tell your sister you are sorry", "tell their sister they are sorry"),
    ("walk the dog with Sam", "walk the dog with Sam", "walk the dog with you"),
    ("plan our weekend", "plan your weekend", "plan your weekend"),
    ("be home by six", "be home by six", "be home by six"),
    ("put my phone away at dinner", "put your phone away at dinner", "put their phone away at dinner"),
    ("finish my tax return myself", "finish your tax return yourself", "finish their tax return themselves"),
]


@pytest.mark.parametrize("said, to_author, to_partner", PHRASINGS)
def test_pronouns_turn_around(said, to_author, to_partner):
    assert for_author(said) == to_author
    assert for_partner(said, "Sam") == to_partner


def test_a_name_that_is_not_the_object_is_left_alone():
    assert for_partner("tell Sam's boss", "Sam") == "tell your boss"
    assert for_partner("ask Samantha", "Sam") == "ask Samantha"  # not the same name


def test_plain_keeps_a_task_that_is_only_a_lead_word():
    assert plain("to") == "to"
    assert plain("  call   mom  ") == "call mom"


@pytest.mark.parametrize("said, to_author, _", PHRASINGS)
def test_every_template_reads_naturally_around_the_task(said, to_author, _):
    task = for_author(said)
    sentences = [texts.kept(task, "Sam"), texts.missed(task), texts.promise_followup(task),
                 texts.thanks_passed_on("Sam", task), texts.promise_kept_news("Alex", for_partner(said, "Sam"))]
    for sentence in sentences:
        assert " my " not in f" {sentence} ".lower().replace("'", " "), sentence
        assert "about do " not in sentence and "about call " not in sentence, sentence
        assert "to to " not in sentence and "I'll" not in sentence, sentence
        assert segments.fits(sentence), sentence
    assert f"your promise to {to_author}" in texts.kept(task, "Sam")
    assert f"you didn't get to {to_author} this time" in texts.missed(task)
    assert texts.promise_followup(task).startswith(f"Did you keep your promise to {to_author}?")


def test_the_kept_news_to_the_partner_is_appreciation_not_a_verdict():
    news = texts.promise_kept_news("Alex", for_partner("call my mom", "Sam"))
    assert news == "Alex kept their promise to call their mom. Reply THANKS to let them know."
    for verdict in ("did they", "reply y", " y or n", "confirm", "?"):
        assert verdict not in news.lower()
