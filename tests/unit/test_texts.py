"""Reply wording and SMS length rules: every reply fits two segments, cuts are safe, XML stays valid."""
import xml.etree.ElementTree as ET

import pytest

from core.words import segments, texts
from sms.webhooks import twiml

NAME = "Bartholomew-Maximilian Featherstonehaugh"  # 40 characters, the longest a name can be
TASK = "remember to " + "call the plumber about the sink " * 6  # longer than a promise may be
LATEST = 19 * 60 + 30


def test_names_and_tasks_here_are_the_longest_possible():
    assert len(NAME) == 40 and len(TASK) > 200


CONSTANTS = [value for name, value in vars(texts).items() if name.isupper() and isinstance(value, str)
             and name not in {"PROGRAM", "OFFER", "RATES", "OPT_OUT", "EXAMPLE_PROMISE"}]
BUILT = [
    texts.welcome(NAME, LATEST), texts.invitation(NAME), texts.invitation_waiting(NAME),
    texts.invite_sent(NAME), texts.accepted(NAME, LATEST), texts.welcome_back(LATEST),
    texts.question("x" * 140), texts.answer_saved("both", NAME), texts.answer_saved("waiting_partner", NAME),
    texts.answer_saved("no_partner", None), texts.mood_saved(5), texts.share_waiting_you(NAME),
    texts.share_waiting_partner(NAME), texts.thinking_sent(NAME, "tomorrow at 8 AM"),
    texts.thinking_sent(NAME, None),
    texts.promise_made(TASK, "Dec 24, 2027 at 12:30 PM", "Dec 24, 2027 at 12:00 PM"), texts.promise_when(TASK),
    texts.kept(TASK, NAME), texts.kept(TASK, None), texts.missed(TASK), texts.told_partner(NAME),
    texts.thanked(NAME), texts.time_set(LATEST), texts.quiet_set(12, 11),
    texts.told_other(texts.time_set(LATEST), NAME), texts.told_other(texts.tz_set(
        "America/Argentina/ComodRivadavia", "12:30 PM"), NAME),
    *(texts.role_set(role) for role in ("repairing", "hurt", "both", "unsaid")),
    texts.skipped_topic("x" * 140), texts.skipped_gentle("x" * 140), texts.skip_none("x" * 140),
    texts.tz_set("America/Argentina/ComodRivadavia", "12:30 PM"), texts.resumed(LATEST),
    *(texts.problem(reason, NAME) for reason in texts._PROBLEMS), texts.problem("unheard-of", None),
]


@pytest.mark.parametrize("reply", CONSTANTS + BUILT)
def test_every_reply_fits_two_gsm_segments_uncut(reply):
    assert segments.is_gsm7(reply), reply
    assert segments.cost(reply) <= segments.GSM_LIMIT, (segments.cost(reply), reply)
    assert segments.fit(reply) == reply


def test_no_reply_scolds():
    words = " ".join(CONSTANTS + BUILT).lower()
    assert not any(blame in words for blame in ("you failed", "you should have", "disappoint", "shame", "again?"))


@pytest.mark.parametrize("minute, words", [(0, "12 AM"), (7 * 60, "7 AM"), (12 * 60, "12 PM"),
                                           (19 * 60 + 5, "7:05 PM")])
def test_clock(minute, words):
    assert texts.clock(minute) == words


def test_problem_names_the_partner_or_says_your_partner():
    assert texts.problem("no_consent", "Sam") == "Sam hasn't turned on texts yet, so I can't send it."
    assert texts.problem("no_consent", None).startswith("Your partner hasn't")


@pytest.mark.parametrize("text, cost", [("hello", 5), ("a{b}", 6), ("\u20ac5", 3), ("caf\u00e9", 4),
                                        ("hi \U0001F49C", 5), ("\u201cquote\u201d", 7)])
def test_cost_counts_septets_or_utf16_units(text, cost):
    assert segments.cost(text) == cost


def test_fit_leaves_short_text_and_none_alone():
    assert segments.fit("Thanks.") == "Thanks."
    assert segments.fit(None) is None


def test_long_gsm_text_is_cut_with_three_dots_and_stays_gsm():
    cut = segments.fit("word " * 100)

    assert cut.endswith("word...") and segments.is_gsm7(cut)  # cut between words
    assert segments.cost(cut) <= segments.GSM_LIMIT


def test_extension_characters_count_double_when_cutting():
    cut = segments.fit("{" * 200)

    assert cut == "{" * 151 + "..."
    assert segments.cost(cut) == 305


def test_long_unicode_text_is_cut_to_134_units_without_splitting_an_emoji():
    cut = segments.fit("\U0001F469\u200D\u2764\uFE0F\u200D\U0001F468 " * 40)

    assert cut.endswith(segments.UCS2_ELLIPSIS) and segments.cost(cut) <= segments.UCS2_LIMIT
    assert not cut[:-1].endswith(("\u200D", "\uFE0F", " "))
    cut.encode("utf-16")  # no lone surrogate can be in a str built from whole characters


def test_one_emoji_switches_the_limit_to_ucs2():
    cut = segments.fit("a" * 200 + "\U0001F642")

    assert cut == "a" * 133 + segments.UCS2_ELLIPSIS


def test_characters_xml_cannot_carry_are_dropped():
    reply = segments.fit("ok\x00\x08\x1b\ufffe done")

    assert reply == "ok done"
    assert ET.fromstring(twiml(reply).data).find("Message").text == "ok done"


def test_clip_shortens_quoted_words():
    assert segments.clip("  call   mom  ", 40) == "call mom"
    assert segments.clip("x" * 50, 10) == "xxxxxxx..."


def test_twiml_escapes_markup():
    response = twiml("<b>you & me</b>")

    assert ET.fromstring(response.data).find("Message").text == "<b>you & me</b>"
    assert twiml(None).data.endswith(b"<Response />")


def test_the_voice_set_up_texts_fit_two_segments_with_the_longest_names():
    from core.words import segments, texts
    longest = "Maximiliana-Josephine Alexandria"
    for body in (texts.link_consent(), texts.linked_by_voice(longest, 19 * 60 + 30, True, longest),
                 texts.linked_by_voice(longest, 19 * 60, False, None),
                 texts.linked_by_voice(longest, 19 * 60, True, None)):
        assert segments.segments(body) <= segments.MAX_SEGMENTS, body
        assert "STOP" in body or body.startswith("Linked")
