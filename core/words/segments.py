"""SMS segment rules, the one place they live: the GSM-7 alphabet, what a text costs, and cutting a text to
two segments. Every text we send or reply fits in two segments, in GSM-7 or, when it must, UCS-2.

One GSM-7 segment carries 160 septets, and each segment of a longer text 153 (an extension character such
as `{` or the euro sign costs two); one character outside GSM-7 (an emoji, a curly quote) switches the whole
text to UCS-2, where a segment carries 70 UTF-16 code units, or 67 in a longer text (an emoji outside the
BMP costs two). The question bank (prompts/bank.py) checks its questions against GSM7 from here.
"""
import re

# The GSM 03.38 basic set; the extension table (^{}[]~|\ and the euro sign) costs two septets each.
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}[]~|\\\u20ac\f")
MAX_SEGMENTS = 2
GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
GSM_LIMIT = MAX_SEGMENTS * GSM_PART
UCS2_LIMIT = MAX_SEGMENTS * UCS2_PART
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


def segments(text: str) -> int:
    """How many SMS segments `text` costs."""
    units, gsm = cost(text), is_gsm7(text)
    single, part = (GSM_SINGLE, GSM_PART) if gsm else (UCS2_SINGLE, UCS2_PART)
    return 1 if units <= single else -(-units // part)


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
