"""Every intent of the interaction model reaches a handler of its own, for a linked partner; none falls
through to the catch-all apology, and none gets an error status."""
import json

import pytest

from skill.handlers.errors import SORRY
from tests.skill.test_interaction_model import MODELS

MODEL_INTENTS = [i["name"] for i in json.loads((MODELS / "en-US.json").read_text(encoding="utf-8"))
                 ["interactionModel"]["languageModel"]["intents"]]


@pytest.mark.parametrize("intent", MODEL_INTENTS)
def test_every_model_intent_has_a_handler(alexa, couple, intent):
    said = alexa.intent(intent)
    assert said.status == 200 and said.speech, intent
    assert SORRY not in said.speech, f"{intent} reached the catch-all: it has no handler"
