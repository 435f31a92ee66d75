"""What the commonest turns cost the database, counted statement by statement (issue 17): a launch reads the
speaker (and whether an Echo reminder change waits), pact or apology news and the whole day in one statement
each; an answer stores itself first and finds a retry by its unique key, so a retried request changes
nothing, even after a later answer replaced it."""
import pytest
from sqlalchemy import select

from core.models import CheckIn, Visibility


@pytest.fixture
def statements(statements_sent):
    return statements_sent


def kinds(statements) -> list[str]:
    return [s.split(" ", 1)[0] for s in statements]


def test_a_second_launch_the_same_day_reads_four_times(alexa, couple, statements):
    alexa.launch()
    statements.clear()
    said = alexa.launch()
    assert said.speech.startswith("Hi, Alex. Today's question is: ")
    # BEGIN; the speaker with "a change waits for the Echo?"; pact or apology news; the day in one.
    assert kinds(statements) == ["BEGIN", "SELECT", "SELECT", "SELECT"], statements
    assert "echo_reminder" in statements[1] and "daily_prompt" in statements[3] and "question_heard" in statements[3]


def test_a_voice_answer_writes_twice_and_reads_four_times(alexa, couple, statements):
    alexa.launch()
    statements.clear()
    said = alexa.intent("AnswerIntent", answer="I felt closest when we walked together")
    assert said.speech.startswith("Thank you, I've saved your answer.")
    # BEGIN; the speaker; the day; the answer; the earlier answers of the day blanked; Sam's Echo choices
    # (the "answered" notice); who has answered. No look for a retry before the insert.
    assert kinds(statements) == ["BEGIN", "SELECT", "SELECT", "INSERT", "UPDATE", "SELECT", "SELECT"], statements
    assert not any(s.startswith("SELECT check_in.id") for s in statements)


def test_a_retry_of_a_replaced_answer_changes_nothing(alexa, couple, tx):
    first = alexa.intent("AnswerIntent", rid="amzn1.echo-api.request.first", answer="patience")
    alexa.intent("AnswerIntent", rid="amzn1.echo-api.request.second", answer="kindness, on second thought")
    again = alexa.intent("AnswerIntent", rid="amzn1.echo-api.request.first", answer="patience")
    assert again.speech == first.speech
    with tx() as s:
        rows = [(r.source_id, r.text, r.visibility) for r in s.scalars(select(CheckIn).order_by(CheckIn.id))]
    assert rows == [("alexa:amzn1.echo-api.request.first", None, Visibility.REPLACED),
                    ("alexa:amzn1.echo-api.request.second", "kindness, on second thought", Visibility.SHARED)]
