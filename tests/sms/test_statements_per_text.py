"""What an answer by text costs the database, counted (issue 17): the sender (with the replay check), the
reply budget, the day in one statement, the answer stored first (a retry is found by its unique key), the
earlier answers blanked, the partner's Echo choices, who has answered, and the inbound record."""
import pytest

from tests.sms.conftest import ALEX


@pytest.fixture
def statements(statements_sent):
    return statements_sent


def test_an_answer_by_text_writes_three_times_and_reads_five_times(text, couple, statements):
    text(ALEX, "QUESTION")
    statements.clear()
    reply = text(ALEX, "I felt listened to when you asked about my day")
    assert reply.startswith("Thank you for sharing")
    sent = [s for s in statements if s not in ("BEGIN", "BEGIN IMMEDIATE")]  # (psycopg begins by itself)
    assert [s.split(" ", 1)[0] for s in sent] == ["SELECT", "UPDATE", "SELECT", "INSERT", "UPDATE", "SELECT",
                                                  "SELECT", "INSERT"], statements
    assert "daily_prompt" in sent[2] and sent[3].startswith("INSERT INTO check_in")
