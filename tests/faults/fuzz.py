"""Seeded generators of hostile input: Alexa envelopes (real requests for every intent, then broken at random
places: fields missing, wrong JSON types at every level, huge strings, unknown intents, odd slot values, raw
bodies that are not JSON) and Twilio webhook forms (random unicode, commands with odd arguments, missing or
extra fields, retried MessageSids). Everything comes from one random.Random(seed), so a failure replays."""
import copy
import json
import random
import string

from tests.skill.envelopes import SKILL_ID, USER_ID, envelope, intent_request, launch_request, \
    session_ended_request
from tests.sms.conftest import inbound_form, new_sid

INTENTS = {
    "TodaysQuestionIntent": {}, "AnswerIntent": {"answer": "text"}, "MoodIntent": {"rating": "number"},
    "PartnerAnswerIntent": {}, "MakePromiseIntent": {"task": "text", "date": "date", "time": "time"},
    "ListPromisesIntent": {}, "KeptPromiseIntent": {"task": "text"}, "ThinkingOfYouIntent": {"name": "name"},
    "WeeklySummaryIntent": {}, "IdentifyPartnerIntent": {"name": "name"}, "LinkAccountIntent": {},
    "AMAZON.HelpIntent": {}, "AMAZON.CancelIntent": {}, "AMAZON.StopIntent": {}, "AMAZON.FallbackIntent": {},
    "AMAZON.NavigateHomeIntent": {}, "AMAZON.YesIntent": {}, "AMAZON.NoIntent": {},
}
WRITERS = ["AnswerIntent", "MoodIntent", "MakePromiseIntent", "KeptPromiseIntent", "ThinkingOfYouIntent"] * 3
UNKNOWN_INTENTS = ["AMAZON.PauseIntent", "AMAZON.ResumeIntent", "OrderPizzaIntent", "", " ", "AnswerIntent ",
                   "answerintent", "AMAZON.", "\u0000", "Intent" * 50]
REQUEST_TYPES = ["LaunchRequest", "IntentRequest", "SessionEndedRequest", "CanFulfillIntentRequest",
                 "AudioPlayer.PlaybackStarted", "Display.ElementSelected", "Connections.Response",
                 "Alexa.Presentation.APL.UserEvent", "Messaging.MessageReceived", "System.ExceptionEncountered",
                 "Dialog.API.Invoked", "", "Unknown"]
SLOT_VALUES = {
    "text": ["I felt heard today", "call Sam", "buy flowers", "", " ", "?", "my answer is", "\u2764\ufe0f" * 3],
    "number": ["1", "3", "5", "0", "6", "-1", "4.5", "?", "four", "99999999999999999999", "1e9", "\u0664"],
    "date": ["2026-11-24", "2026-11-23", "2026-W48", "2026-W48-WE", "XXXX-XX-XX", "2026-13-45", "PRESENT_REF",
             "2027", "202X", "2026-11", "1900-01-01", "9999-12-31", "tomorrow"],
    "time": ["18:00", "06:30", "T18:00", "EV", "MO", "AF", "NI", "25:99", "24:00", "12", "noon", "18:00:00", "-1:00"],
    "name": ["Sam", "Alex", "sam", "Samantha", "", "Bob", "\u00c9lodie", "S" * 200],
}
DIALOG_STATES = ["STARTED", "IN_PROGRESS", "COMPLETED", "UNKNOWN", "", None]
ATTRIBUTE_VALUES = {"partner_id": [1, 2, 3, 999999, "1", None, [], {}, -5, 2**70],
                    "awaiting": ["answer", "mood", "promise", "kept", "bogus", 7, None],
                    "offer": ["reveal", "link", 3, None, {}],
                    "resume": [{"intent": "AnswerIntent", "slots": {"answer": "hi"}}, {"intent": 5}, {"slots": []},
                               {"intent": "NoSuchIntent", "slots": {"x": {"y": 1}}}, "AnswerIntent", [], None],
                    "told_phone": [True, "yes", None]}


SMS_COMMANDS = ["JOIN", "INVITE", "Q", "MOOD", "PROMISE", "PROMISES", "KEPT", "MISSED", "THINKING", "SHARE",
                "SUMMARY", "TIME", "QUIET", "TZ", "PAUSE", "RESUME", "LINK", "HELP", "YES", "NO", "Y", "N", "START",
                "STOP", "UNSTOP", "DELETE MY DATA", "CANCEL"]
SMS_ARGUMENTS = ["Sam", "415 555 0101 Sam", "+14155550101", "4", "0", "11", "-3", "five", "to call Sam at 6pm",
                 "tomorrow", "at 25:00", "21-8", "8-21", "99-99", "America/Chicago", "Mars/Olympus", "UTC",
                 "123456", "ABCDEF", "1", "2", "yes", "nope", "\u2764\ufe0f", ""]
ODD_NUMBERS = ["", "abc", "+1", "+14155550199", "12345", "+447700900123", "client:alice", "whatsapp:+14155550100",
               "+1" + "4" * 30, "\u0664\u0661\u0665", "+1 (415) 555-0100", "004415555010"]
STATUSES = ["queued", "sending", "sent", "delivered", "undelivered", "failed", "read", "accepted", "scheduled",
            "canceled", "receiving", "received", "BOGUS", "", "x" * 30]


class Fuzzer:
    """Hostile values from one seeded generator."""

    def __init__(self, seed: int):
        self.rnd = random.Random(seed)

    def text(self, size: int | None = None) -> str:
        """Random unicode: letters, emoji, combining marks, controls, RTL and zero-width characters."""
        size = self.rnd.choice([0, 1, 3, 12, 40, 200]) if size is None else size
        pools = [string.printable, "\u00e9\u00fc\u00df\u4e2d\u6587\u0627\u0644\u05e9\u05dc",
                 "\U0001F49C\U0001F525\U0001F642\U0001F3FD\u200d\u2764\ufe0f", "\u200b\u200e\u202e\ufeff\u0301",
                 "\x00\x01\x07\x1b\x7f\r\n\t", "<>&\"'{}[]\\%$#;--", "0123456789 :-+"]
        return "".join(self.rnd.choice(self.rnd.choice(pools)) for _ in range(size))

    def huge(self) -> str:
        return self.rnd.choice(["A", "\u00e9", "\U0001F49C", "<b>&amp;", "\\u0000"]) * self.rnd.choice(
            [1000, 8001, 20_000, 40_000])

    def scalar(self):
        """Any JSON value of the wrong kind, or a value that is right in type but wrong in content."""
        return self.rnd.choice([
            lambda: None, lambda: True, lambda: False, lambda: 0, lambda: -1, lambda: 2**64, lambda: 1.5e308,
            lambda: -0.0, lambda: "", lambda: self.text(), lambda: self.huge(), lambda: [], lambda: {},
            lambda: [self.text(3), 1, None], lambda: {"a": {"b": [None]}}, lambda: [[[[[[[]]]]]]],
            lambda: {"type": "IntentRequest"}, lambda: "\ud800", lambda: "2026-11-23T17:00:00Z",
            lambda: "amzn1.ask.skill.someone-else", lambda: self.nested(self.rnd.randint(10, 200)),
        ])()

    def nested(self, depth: int):
        value = None
        for _ in range(depth):
            value = [value] if self.rnd.random() < 0.5 else {"x": value}
        return value

    def slot(self, kind: str):
        """A slot as Alexa sends it, often with an odd value, sometimes with entity resolutions."""
        value = self.rnd.choice(SLOT_VALUES[kind] + [self.text(), None])
        slot = {"confirmationStatus": self.rnd.choice(["NONE", "CONFIRMED", "DENIED", "BOGUS"])}
        if value is not None:
            slot["value"] = value
        if self.rnd.random() < 0.2:
            slot["resolutions"] = {"resolutionsPerAuthority": [{
                "authority": "amzn1.er-authority.echo-sdk.x", "status": {"code": self.rnd.choice(
                    ["ER_SUCCESS_MATCH", "ER_SUCCESS_NO_MATCH", "ER_ERROR_TIMEOUT", "?"])},
                "values": [{"value": {"name": self.text(8), "id": self.text(4)}}]}]}
        return slot

    def request(self, now) -> dict:
        """A well-formed request of a random kind."""
        roll = self.rnd.random()
        if roll < 0.1:
            return launch_request(now)
        if roll < 0.15:
            return session_ended_request(now, self.rnd.choice(["USER_INITIATED", "ERROR", "EXCEEDED_MAX_REPROMPTS"]))
        if roll < 0.2:
            request = launch_request(now)
            request["type"] = self.rnd.choice(REQUEST_TYPES)
            return request
        name = self.rnd.choice(list(INTENTS) + UNKNOWN_INTENTS if roll < 0.3 else list(INTENTS) + WRITERS)
        slots = {slot: self.slot(kind) for slot, kind in INTENTS.get(name, {"thing": "text"}).items()
                 if self.rnd.random() < 0.85}
        request = intent_request(name, now, dialog_state=self.rnd.choice(DIALOG_STATES))
        request["intent"]["slots"] = {k: {"name": k, **v} for k, v in slots.items()}
        return request

    def envelope(self, now, user_ids=(USER_ID,)) -> dict:
        """A real envelope (known or unknown speaker, odd session attributes), then 0-4 random mutations."""
        attributes = {k: self.rnd.choice(v) for k, v in ATTRIBUTE_VALUES.items() if self.rnd.random() < 0.25}
        person = self.rnd.choice([None, None, "amzn1.ask.person.ALEX", "amzn1.ask.person.STRANGER"])
        user_id = self.rnd.choice(user_ids) if self.rnd.random() < 0.75 else "amzn1.ask.account.OTHER"
        body = envelope(self.request(now), user_id=user_id,
                        person_id=person, attributes=attributes, new=self.rnd.random() < 0.5,
                        app_id=SKILL_ID)
        for _ in range(self.rnd.choice([0, 0, 0, 1, 1, 2, 4])):
            self.mutate(body)
        return body

    def mutate(self, body: dict) -> None:
        """Break one random place (half the time one the gates let through: slots, intent, attributes,
        device): drop it, retype it, add a stranger beside it, or make it huge."""
        places = list(_places(body))
        inner = [(p, k) for p, k in places if any(p is _dig(body, *path) for path in INNER)]
        parent, key = self.rnd.choice(inner if inner and self.rnd.random() < 0.5 else places)
        action = self.rnd.random()
        if action < 0.3 and isinstance(parent, dict):
            parent.pop(key, None)
        elif action < 0.8:
            parent[key] = self.scalar()
        elif action < 0.9 and isinstance(parent, dict):
            parent[self.rnd.choice(["extra", "", "\u0000", "type", "__proto__", self.text(5)])] = self.scalar()
        elif action < 0.95:
            parent[key] = self.huge()[:self.rnd.choice([300, 3000, 9000])]
        else:
            parent[key] = self.huge()

    def raw_body(self, now) -> bytes:
        """A body that is not a clean JSON envelope at all."""
        good = json.dumps(self.envelope(now)).encode()
        return self.rnd.choice([
            b"", b" ", b"null", b"[]", b"0", b'"text"', b"{", b"{}", b'{"request": null}', good[: len(good) // 2],
            good + b"garbage", b"\xef\xbb\xbf" + good, good.replace(b'"', b"'"), b"\xff\xfe" + good,
            b'{"version": NaN, "request": Infinity}', b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000,
            good.replace(b"{", b'{"dup": 1, "dup": 2, ', 1), good + b" " * 70_000, self.text(50).encode("utf-8"),
            bytes(self.rnd.randrange(256) for _ in range(64)),
        ])

    def sms_body(self) -> str:
        """What people text: words, commands with odd arguments, unicode, blanks, up to Twilio's 1,600."""
        command = self.rnd.choice(SMS_COMMANDS)
        return self.rnd.choice([
            lambda: self.text(), lambda: self.text(self.rnd.choice([160, 700, 1600])),
            lambda: f"{command} {self.rnd.choice(SMS_ARGUMENTS)}", lambda: f"{command} {self.text(6)}",
            lambda: command, lambda: command.lower() + self.text(2), lambda: self.rnd.choice(SMS_ARGUMENTS),
            lambda: "I felt heard when you listened today", lambda: self.huge()[:1600],
        ])()

    def sms_form(self, people: list[str], sids: list[str]) -> dict:
        """An inbound-SMS form from a member, a stranger or a malformed number; sometimes a retried
        MessageSid, a broken one, missing fields or fields Twilio never sends."""
        phone = self.rnd.choice(people + ODD_NUMBERS if self.rnd.random() < 0.15 else people)
        sid = self.rnd.choice(sids) if sids and self.rnd.random() < 0.05 else new_sid()
        form = inbound_form(phone, self.sms_body(), sid)
        roll = self.rnd.random()
        if roll < 0.04:
            form["MessageSid"] = self.rnd.choice(["", "SM123", "XX" + "0" * 32, new_sid().lower(),
                                                  "MM" + "a" * 32, new_sid() + "0", self.text(10)])
        elif roll < 0.1:
            for key in self.rnd.sample(sorted(form), self.rnd.randint(1, 4)):
                form.pop(key)
        elif roll < 0.15:
            form[self.rnd.choice(["NumMedia", "MediaUrl0", "FromCity", "Body", "From", self.text(6)])] = self.text()
        return form

    def status_form(self, known_sids: list[str]) -> dict:
        """A delivery status callback, for a text we sent or not, with a real or invented status and code."""
        sid = self.rnd.choice(known_sids) if known_sids and self.rnd.random() < 0.6 else new_sid()
        form = {"MessageSid": sid, "MessageStatus": self.rnd.choice(STATUSES), "AccountSid": "AC" + "0" * 32,
                "To": self.rnd.choice(ODD_NUMBERS), "From": "+14155550199", "ApiVersion": "2010-04-01"}
        if self.rnd.random() < 0.4:
            form["ErrorCode"] = self.rnd.choice(["21610", "30003", "21211", "0", "", "-1", "abc", "9999999"])
        if self.rnd.random() < 0.1:
            form.pop(self.rnd.choice(sorted(form)))
        return form

    def twin(self, body: dict) -> dict:
        """The same request again (Alexa retrying), sometimes with different content."""
        again = copy.deepcopy(body)
        if self.rnd.random() < 0.5 and isinstance(again.get("request"), dict):
            self.mutate(again)
        return again


INNER = [("request", "intent"), ("request", "intent", "slots"), ("session", "attributes"), ("request",),
         ("context", "System", "device"), ("context", "System"), ("session",), ("context", "System", "person")]


def _dig(node, *keys):
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _places(node, parent=None, key=None):
    """Every (container, key) in the JSON tree, the root's children first."""
    if parent is not None:
        yield parent, key
    if isinstance(node, dict):
        for k in list(node):
            yield from _places(node[k], node, k)
    elif isinstance(node, list):
        for i in range(len(node)):
            yield from _places(node[i], node, i)

