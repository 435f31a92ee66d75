"""Phone numbers: stored as E.164, shown in logs by their last four digits only."""
import phonenumbers

from core.errors import InvalidInput


def normalize_phone(raw: str, region: str = "US") -> str:
    """`raw` as E.164 (+14155550100); InvalidInput when it is not a possible, valid number."""
    try:
        number = phonenumbers.parse(str(raw or "").strip(), region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(f"{raw!r} is not a phone number", "invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(f"{raw!r} is not a valid phone number", "invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(phone: str | None) -> str:
    """The number with all but its last four digits hidden ("***0100"), for logs."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return "***" + digits[-4:]


def is_valid_phone(raw: str) -> bool:
    """True when `raw` normalises to a valid number."""
    try:
        normalize_phone(raw)
    except InvalidInput:
        return False
    return True
