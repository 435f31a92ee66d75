"""A database error while texts are planned is logged (with its traceback) without the statement's bound
values: no phone number and no words of a text reach the log lines (issue 15.2)."""
import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from core.logs import JsonFormatter
from core.models import Partner
from core.services import questions

MONDAY = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)  # 09:00 in Los Angeles
PHONES = ("+14155550181", "+14155550182")
REFUSAL = "outbox refused by a test trigger"

# SQLite's RAISE() is a constraint error, which the outbox reads as "already queued"; an integer overflow
# is a plain database error, like a full disk or a lost connection.
SQLITE_TRIGGER = ["CREATE TRIGGER refuse_texts BEFORE INSERT ON outbound_message "
                  "BEGIN SELECT abs(-9223372036854775807 - 1); END"]
POSTGRES_TRIGGER = [
    f"CREATE FUNCTION refuse_texts() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
    "CREATE TRIGGER refuse_texts BEFORE INSERT ON outbound_message FOR EACH ROW EXECUTE FUNCTION refuse_texts()",
]


def test_a_database_error_while_planning_logs_no_number_and_no_text(make_world, caplog):
    world = make_world(MONDAY)
    alex, _sam = world.couple("America/Los_Angeles", PHONES)
    with world.tx() as session:
        _day, question = questions.todays_question(session, session.get(Partner, alex).couple, world.clock())
    engine = world.runtime.engine
    with engine.begin() as connection:
        for statement in POSTGRES_TRIGGER if engine.dialect.name == "postgresql" else SQLITE_TRIGGER:
            connection.execute(text(statement))

    with caplog.at_level(logging.DEBUG):
        world.advance_to(MONDAY + timedelta(hours=10, minutes=5))  # past the 19:00 question

    lines = [JsonFormatter().format(record) for record in caplog.records]
    failures = [line for line in lines if REFUSAL in line or "integer overflow" in line]
    assert failures, "the planner should have logged the refused insert"
    assert any("[SQL parameters hidden" in line for line in failures)
    for line in lines:
        for phone in PHONES:
            assert phone[2:] not in line and phone[-7:] not in line, line
        assert question.text[:30] not in line and question.tip[:30] not in line, line
