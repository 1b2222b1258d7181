"""Personal data of private persons masked in what the public sees: national ID numbers (with
their checksum), mobile phone numbers, and e-mail addresses outside government domains.
Agency switchboards (landlines) and official addresses stay readable."""

from __future__ import annotations

import re

_ID = re.compile(r"(?<![A-Za-z0-9])([A-Z])([12])(\d{8})(?![A-Za-z0-9])")
_MOBILE = re.compile(r"(?<!\d)(09\d{2})[-\s]?(\d{3})[-\s]?(\d{3})(?!\d)")
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]{1,64})@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_OFFICIAL = re.compile(r"(?:\.gov\.tw|\.gov|\.edu\.tw|\.mil\.tw)$", re.I)
_LETTERS = {ch: v for v, ch in enumerate("ABCDEFGHJKLMNPQRSTUVXYWZIO", start=10)}


def national_id_is_valid(value: str) -> bool:
    """Taiwan national ID checksum (letter code, then weights 8..1 and 1)."""
    if not _ID.fullmatch(value):
        return False
    code = _LETTERS[value[0]]
    total = code // 10 + (code % 10) * 9
    total += sum(int(d) * w for d, w in zip(value[1:9], range(8, 0, -1), strict=True))
    total += int(value[9])
    return total % 10 == 0


def mask(text: str) -> str:
    def national_id(m: re.Match) -> str:
        value = m.group(0)
        return value[0] + "*" * 8 + value[-1] if national_id_is_valid(value) else value

    def email(m: re.Match) -> str:
        if _OFFICIAL.search(m.group(2)):
            return m.group(0)
        return "***@" + m.group(2)

    text = _ID.sub(national_id, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)[:2]}**-***-***", text)
    return _EMAIL.sub(email, text)


def has_personal_data(text: str) -> bool:
    return mask(text) != text
