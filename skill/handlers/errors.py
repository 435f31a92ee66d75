"""When a turn fails: roll back everything it wrote, and still give a short, valid spoken answer."""
import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.response_helper import ResponseFactory
from sqlalchemy.exc import SQLAlchemyError

from core.db import LostWriteRace, lost_write_race
from skill.interceptors import TURN
from skill.speech import DB_APOLOGY, SORRY, reply

log = logging.getLogger("trustbuilder.alexa")


def roll_back(handler_input: HandlerInput) -> None:
    """Undo the turn's writes (if a turn was opened) and drop any half-built answer (a failed commit comes
    after the handler has already spoken); a broken connection must not hide the first error."""
    handler_input.response_builder = ResponseFactory()
    current = handler_input.attributes_manager.request_attributes.get(TURN)
    if current is None:
        return
    try:
        current.db.rollback()
    except SQLAlchemyError:
        log.warning("rollback failed after an error", exc_info=True)


class DatabaseErrorHandler(AbstractExceptionHandler):
    """The database failed or is unreachable: nothing was saved, so say so and ask to try again."""

    def can_handle(self, handler_input, exception):
        return isinstance(exception, SQLAlchemyError)

    def handle(self, handler_input, exception):
        roll_back(handler_input)
        if lost_write_race(exception):
            raise LostWriteRace() from exception  # not a failure: the endpoint runs the turn again
        log.error("database error in an Alexa request: %s", type(exception).__name__, exc_info=exception)
        return reply(handler_input, DB_APOLOGY, end=True)


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Anything else (a bug, a request we have no handler for): roll back, apologise, keep it short."""

    def can_handle(self, handler_input, exception):
        return True

    def handle(self, handler_input, exception):
        log.error("unhandled error in an Alexa request", exc_info=exception)
        roll_back(handler_input)
        return reply(handler_input, SORRY, end=True)
