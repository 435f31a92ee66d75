"""A promised task quoted back so the sentence around it reads right.

A task is kept as its maker typed or said it ("call my mom", "I'll do the dishes", "to pick up Sam").
Quoted to its maker, first person turns to second ("call your mom", and "text you" -> "text them", since
their "you" was their partner); quoted to the partner, it turns to the third person ("call their mom") and
the partner's own name becomes "you" where it is the object ("cook for Sam" -> "cook for you", "Sam's
bike" -> "your bike"). Every template that quotes a task puts it after "to" ("your promise to ..."), so
the task always reads as the plain verb phrase people type.
"""
import re

# A leading "I will", "I'll", "I'm going to", "to" adds nothing after "promise to".
_LEAD = re.compile(r"^(?:(?:i\s+(?:will|shall|am\s+going\s+to|promise\s+to|promise)|i['\u2019]?m\s+going\s+to|"
                   r"i['\u2019]?ll|gonna|going\s+to)\s+)?(?:to\s+)?", re.IGNORECASE)
# A capital first letter is the keyboard's, not a name's, when the first word is a common verb.
_VERBS = frozenset("""call text take bring cook clean do fix make book plan pick walk wash buy get go come be
put set pay write read help hug tell ask listen send water feed empty finish start stop visit meet leave
drive check look try spend sit say order learn sort tidy mow vacuum change cancel share turn keep give""".split())
# In a promiser's own words "you" is their partner, so quoted back to them it is "them".
_TO_AUTHOR = {"you": "them", "your": "their", "yours": "theirs", "yourself": "them", "you're": "they're",
              "i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "i'm": "you're",
              "im": "you're", "i'll": "you'll", "i've": "you've", "i'd": "you'd", "am": "are", "we": "you both",
              "our": "your", "us": "you both"}
_TO_PARTNER = {"i": "they", "me": "them", "my": "their", "mine": "theirs", "myself": "themselves",
               "i'm": "they're", "im": "they're", "i'll": "they'll", "i've": "they've", "i'd": "they'd",
               "am": "are", "we": "you both", "our": "your", "us": "you both"}
_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)?")
# After these a name reads as an object, where "you" is right ("call Sam" -> "call you", "with Sam").
_OBJECT_BEFORE = re.compile(r"\b(?:call|text|hug|thank|tell|ask|help|meet|see|visit|surprise|hold|kiss|"
                            r"with|for|to|take|bring|listen\s+to|cook\s+for|write\s+to)\s+$", re.IGNORECASE)


def plain(task: str) -> str:
    """The task without a leading "I will" / "to", trimmed, without a final full stop."""
    text = " ".join((task or "").split())
    text = _LEAD.sub("", text, count=1).strip() or text
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].islower() and first.lower() in _VERBS:
        text = text[0].lower() + text[1:]
    return text.rstrip(".!")


def for_author(task: str) -> str:
    """The task quoted to the person who promised it: "call my mom" -> "call your mom"."""
    return _swap(plain(task), _TO_AUTHOR)


def for_partner(task: str, partner_name: str | None = None) -> str:
    """The task quoted to the promiser's partner: "call my mom" -> "call their mom"; "cook for Sam" said to
    Sam -> "cook for you"."""
    text = _swap(plain(task), _TO_PARTNER)
    if partner_name:
        text = _name_to_you(text, partner_name)
    return text


def _swap(text: str, table: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        word = match[0]
        key = word.casefold().replace("\u2019", "'")
        swapped = table.get(key)
        if swapped is None:
            return word
        return swapped
    return _WORD.sub(one, text)


def _name_to_you(text: str, name: str) -> str:
    """The partner's own name becomes "you" where it is the object of the task; elsewhere it stays."""
    pattern = re.compile(rf"\b{re.escape(name)}(?:['\u2019]s)?\b", re.IGNORECASE)

    def one(match: re.Match) -> str:
        if match[0].lower().endswith(("'s", "\u2019s")):
            return "your"
        return "you" if _OBJECT_BEFORE.search(text[:match.start()]) else match[0]
    return pattern.sub(one, text)
