"""SMS length rules: every reply fits in two segments, in GSM-7 or, when it must, UCS-2.

Two GSM-7 segments carry 2 x 153 septets (an extension character such as `{` or the euro sign costs two);
one character outside GSM-7 (an emoji, a curly quote) switches the whole text to UCS-2, where two
segments carry 2 x 67 UTF-16 code units (an emoji outside the BMP costs two).
"""
import re

from prompts.bank import GSM7

GSM7_EXTENSION = frozenset("^{}[]~|\\\u20ac\f")
GSM_LIMIT = 2 * 153
UCS2_LIMIT = 2 * 67
GSM_ELLIPSIS = "..."  # stays GSM-7, so truncating never changes the encoding
UCS2_ELLIPSIS = "\u2026"
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DANGLING = "\u200d\ufe0e\ufe0f \n\t"  # a joiner or variation selector left alone at the cut


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 basic or extension table."""
    return all(ch in GSM7 or ch in GSM7_EXTENSION for ch in text)


def cost(text: str) -> int:
    """Septets for GSM-7 text, else UTF-16 code units."""
    gsm = is_gsm7(text)
    return sum(_char_cost(ch, gsm) for ch in text)


def _char_cost(ch: str, gsm: bool) -> int:
    if gsm:
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def fits(text: str) -> bool:
    """True when `text` goes in at most two segments."""
    return cost(text) <= (GSM_LIMIT if is_gsm7(text) else UCS2_LIMIT)


def fit(text: str | None) -> str | None:
    """`text` made XML-safe and cut to two segments with an ellipsis, never inside a character."""
    if text is None:
        return None
    text = _NOT_XML.sub("", text)
    if fits(text):
        return text
    gsm = is_gsm7(text)
    ellipsis = GSM_ELLIPSIS if gsm else UCS2_ELLIPSIS
    return _cut(text, (GSM_LIMIT if gsm else UCS2_LIMIT) - cost(ellipsis), gsm) + ellipsis


def _cut(text: str, budget: int, gsm: bool) -> str:
    """The longest prefix costing at most `budget`, ended at a word when one ends nearby, no dangling joiner."""
    used = 0
    for index, ch in enumerate(text):
        used += _char_cost(ch, gsm)
        if used > budget:
            return _at_word_end(text[:index]).rstrip(_DANGLING)
    return text


def _at_word_end(prefix: str, reach: int = 20) -> str:
    """Back up to the last space when one is near, so the cut does not fall inside a word."""
    head, space, tail = prefix.rpartition(" ")
    return head if space and len(tail) <= reach else prefix


def clip(text: str, limit: int) -> str:
    """A person's own words shortened to `limit` characters for quoting inside a longer reply."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3].rstrip() + GSM_ELLIPSIS
