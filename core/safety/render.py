"""The safety lines in words: a short text message and a spoken answer. Our own wording; data in, text out.

The SMS and voice adapters add their own framing (what to reply, how to come back); these functions only
turn a CountryResources into the lines themselves, so every channel lists the same numbers in the words
people use in that country ("domestic abuse" in the UK, "call ... on" in British and Australian speech).
"""
from __future__ import annotations

import re

from core.safety.resources import CountryResources, Line, Way

SMS_SEGMENT = 153  # GSM-7 characters per segment of a multi-part text
SMS_LIMIT = 2 * SMS_SEGMENT
# What each kind of line is for, in each country's words: (text label, spoken label).
LABELS = {
    "en-US": {"crisis": ("Crisis or suicidal thoughts", "crisis support or thoughts of suicide"),
              "domestic_violence": ("Domestic violence", "help with domestic violence")},
    "en-CA": {"crisis": ("Crisis or suicidal thoughts", "crisis support or thoughts of suicide"),
              "domestic_violence": ("Family violence", "help with family violence")},
    "en-GB": {"crisis": ("Crisis or suicidal thoughts", "someone to talk to in a crisis or about suicide"),
              "domestic_violence": ("Domestic abuse", "help with domestic abuse")},
    "en-AU": {"crisis": ("Crisis or suicidal thoughts", "crisis support or thoughts of suicide"),
              "domestic_violence": ("Family and domestic violence", "help with family and domestic violence")},
}
CALL_PREPOSITION = {"en-US": "at", "en-CA": "at", "en-GB": "on", "en-AU": "on"}  # "call the Hotline at ..."


def _ways_text(line: Line, with_tty: bool) -> str:
    """'call 116 123', 'call or text 988', 'call 1-800-799-7233 or text START to 88788'."""
    call, text, tty = line.way("call"), line.way("text"), line.way("tty")
    parts = []
    if call and text and call.digits == text.digits and not text.keyword:
        parts.append(f"call or text {call.number}")
    else:
        if call:
            parts.append(f"call {call.number}")
        if text:
            parts.append(f"text {text.keyword} to {text.number}" if text.keyword else f"text {text.number}")
    if tty and with_tty:
        parts.append(f"TTY {tty.number}")
    return " or ".join(parts)


def _line_text(line: Line, labels: dict, with_tty: bool, with_urls: bool) -> str:
    """One sentence of the text message."""
    if line.kind == "emergency":
        if line.local_pointer:
            return "In danger now: call your local emergency number."
        call = line.way("call")
        sentence = f"In danger now: call {call.number}."
        if call.silent_option:
            sentence += f" Can't speak? Stay on the line and press {call.silent_option} when asked."
        return sentence
    if line.kind == "directory":
        return f"Free helplines in your country: {line.url}"
    label = labels[line.kind][0]
    if line.ways:
        return f"{label}: {line.name}, {_ways_text(line, with_tty)}."
    if with_urls:
        return f"{label}: local services at {line.url}"
    return f"{label}: ask local police or a doctor about local services."


def as_text(resources: CountryResources) -> str:
    """The lines as one plain text within two SMS segments; extras (TTY, then links) drop out to fit."""
    labels = LABELS.get(resources.spelling, LABELS["en-GB"])
    body = ""
    for with_tty, with_urls in ((True, True), (False, True), (False, False)):
        body = " ".join(_line_text(line, labels, with_tty, with_urls) for line in resources.lines)
        if len(body) <= SMS_LIMIT:
            break
    return body


def speak_number(number: str) -> str:
    """A number read digit by digit in its written groups: '1-800-799-7233' -> '1, 8 0 0, 7 9 9, 7 2 3 3'."""
    groups = [g for g in re.split(r"[ -]", number) if g]
    return ", ".join(" ".join(group) for group in groups)


def _spoken_name(line: Line) -> str:
    """A line's name as said, digits one by one: '988 Lifeline' -> 'the 9 8 8 Lifeline'."""
    name = re.sub(r"(\d)([A-Za-z])", r"\1 \2", line.name)
    name = re.sub(r"\d+(?:-\d+)*", lambda m: " ".join(m.group(0).replace("-", "")), name)
    return f"{line.article} {name}".strip()


def _said(way: Way) -> str:
    """A number aloud, with the name people use for it first ('triple zero, 0 0 0')."""
    digits = speak_number(way.number)
    return f"{way.spoken}, {digits}" if way.spoken else digits


def _line_speech(line: Line, resources: CountryResources) -> str:
    """One sentence of the spoken answer."""
    if line.kind == "emergency":
        if line.local_pointer:
            return "If you are in danger right now, call your local emergency number."
        call = line.way("call")
        sentence = f"If you are in danger right now, call {_said(call)}."
        if call.silent_option:
            sentence += (f" If you can't speak, stay on the line and press {speak_number(call.silent_option)}"
                         " when the recorded message asks.")
        return sentence
    if line.kind == "directory":
        return f"To find a free helpline in your country, go to {line.spoken_url or line.url}."
    label = LABELS.get(resources.spelling, LABELS["en-GB"])[line.kind][1]
    if not line.ways:
        return f"For {label}, local services are listed at {line.spoken_url or line.url}."
    at = CALL_PREPOSITION.get(resources.spelling, "on")
    call, text = line.way("call"), line.way("text")
    if call and text and call.digits == text.digits and not text.keyword:
        return f"For {label}, call or text {_spoken_name(line)} {at} {_said(call)}."
    parts = [f"call {_spoken_name(line)} {at} {_said(call)}"] if call else []
    if text:
        parts.append(f"text the word {text.keyword} to {_said(text)}" if text.keyword else f"text {_said(text)}")
    return f"For {label}, {', or '.join(parts)}."


def as_speech(resources: CountryResources) -> str:
    """The lines as a short spoken answer, numbers read in their groups; plain words, no markup."""
    return " ".join(_line_speech(line, resources) for line in resources.lines)
