"""Helpers shared by the tests: instants in results (every one a timezone-aware datetime) and
the CLI's JSON text of them."""

import re
from datetime import datetime, timedelta, timezone

# A date and time, with or without an offset: any such string left in a result is a time that was
# not turned into a datetime.
LOOKS_LIKE_A_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?")
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))")


def parse_rfc3339(text):
    """`text` as a datetime when it is an RFC 3339 date-time with an offset (Python 3.9's
    `fromisoformat` takes neither `Z` nor every fraction), else None."""
    m = _RFC3339.fullmatch(text)
    if not m:
        return None
    y, mo, d, h, mi, s, frac, z, sign, oh, om = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    if z:
        tz = timezone.utc
    else:
        delta = timedelta(hours=int(oh), minutes=int(om))
        tz = timezone.utc if not delta else timezone(delta if sign == "+" else -delta)
    return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), micro, tzinfo=tz)


def with_datetimes(value):
    """A `--json` object as the Python API returns it: every RFC 3339 instant a datetime."""
    if isinstance(value, dict):
        return {k: with_datetimes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_datetimes(v) for v in value]
    if isinstance(value, str):
        parsed = parse_rfc3339(value)
        return value if parsed is None else parsed
    return value


def cli_text_of(value):
    """`json.dumps(default=...)`: a datetime as the CLI prints it (`Z` at UTC, else `+HH:MM`)."""
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[: -len("+00:00")] + "Z" if value.utcoffset() == timedelta(0) else text
    raise TypeError(f"{type(value).__name__} is not JSON")


def times_left_as_strings(value, path="$"):
    """Every string in `value` that is a date and time (by LOOKS_LIKE_A_TIME), with its path."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            found += times_left_as_strings(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += times_left_as_strings(v, f"{path}[{i}]")
    elif isinstance(value, str) and LOOKS_LIKE_A_TIME.fullmatch(value):
        found.append((path, value))
    return found


def datetimes_in(value):
    """Every datetime in `value`."""
    if isinstance(value, dict):
        return [d for v in value.values() for d in datetimes_in(v)]
    if isinstance(value, list):
        return [d for v in value for d in datetimes_in(v)]
    return [value] if isinstance(value, datetime) else []
