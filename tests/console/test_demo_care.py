"""demo-care.txt, issue 11's first-section cases, run in-process through the console's main(): each case
now behaves well (the key lines appear, and what must not appear does not)."""
from pathlib import Path

import pytest

from core.words import texts
from tests.console.test_demo import after, run_script

DEMO = Path(__file__).resolve().parents[2] / "demo-care.txt"


@pytest.fixture(scope="module")
def transcript(tmp_path_factory):
    return run_script(DEMO, tmp_path_factory)


def test_yes_to_the_follow_up_keeps_the_promise_and_is_never_an_answer(transcript):
    assert "you kept your promise to call mom" in after(transcript, "text yes")
    assert "Answer today's question first" in after(transcript, "text SHARE")


@pytest.mark.parametrize("body", ["text thanks! 👍", "text no", "text oops, no I forgot"])
def test_texts_that_are_not_answers_are_not_saved(transcript, body):
    assert "didn't save" in after(transcript, body)


def test_cancel_by_number_cancels_the_promise_instead_of_becoming_an_answer(transcript):
    assert "your promise to book the restaurant is cancelled" in after(transcript, "text CANCEL 1")


def test_natural_commands_are_understood(transcript):
    assert "two people" in after(transcript, "text invite Sam 415-555-0102")
    assert "OK: book the restaurant" in after(transcript, "text I promise to book the restaurant for Saturday")
    assert "Answer today's question first" in after(transcript, "text what did sam say?")
    assert "Today's question:" in after(transcript, "text where's my question today?")


def test_unclear_replaced_undo_and_private(transcript):
    assert texts.ASK_SAVE in after(transcript, "text Listening")
    assert "replaces your earlier answer" in after(transcript, "text I felt closest when you made me coffee "
                                                                "this morning")
    assert texts.UNDONE in after(transcript, "text UNDO")
    assert texts.PRIVATE_KEPT in after(transcript, "text PRIVATE I am still hurt about the messages")


def test_fear_is_held_private_with_the_lines(transcript):
    held = after(transcript, "text I'm scared of him")
    assert "Alex won't see it" in held and "1-800-799-7233" in held and "SHARE IT" in held
    assert "scared" not in transcript.split("text I'm scared of him", 1)[1].split("text SAFETY")[0]
    assert "988" in after(transcript, "text SAFETY")
    assert "9 8 8" in after(transcript, "say ask trust builder I don't feel safe")
    assert "Not safe? Reply SAFETY." in after(transcript, "text HELP")


def test_delete_after_stop_is_silent_and_the_partner_is_told_neutrally(transcript):
    assert after(transcript, "text DELETE MY DATA").strip() == "(no reply)"
    alex = transcript.split("text DELETE MY DATA", 1)[1]
    assert "Sam isn't using Trust Builder right now." in alex and "turned texts off" not in alex
    assert "Invite your partner first" not in alex


def test_invitations_cannot_probe_and_limits_answer_clearly(transcript):
    assert "If that number can be invited, Sam gets one text" in after(transcript, "text INVITE +1 415 555 0102 Sam")
    assert "first name" in after(transcript, "text INVITE +1 415 555 0103 Prizes at scam.io")
    assert "already invited someone" in after(transcript, "text INVITE +1 415 555 0103 Jo")
    assert "Too many wrong codes" in after(transcript, "text LINK 555555")
    outbox = after(transcript, "outbox")
    assert outbox.count("invitation") == 1 and "Sam is thinking" not in outbox
