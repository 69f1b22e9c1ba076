"""Text -> value parsers for config fields. Each raises ValueError whose message starts with the key's name
and says what is allowed, so the CLI, the sandbox and share links all report bad input the same way.

Lengths are checked before splitting, so a huge query string never becomes a huge list."""

from __future__ import annotations

import math

MAX_TEXT = 20_000  # characters in any one value


def _text(raw: object, key: str) -> str:
    text = str(raw).strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"{key}: value is {len(text)} characters long; at most {MAX_TEXT} are allowed")
    return text


def parse_int(raw: object, key: str, lo: int, hi: int) -> int:
    text = _text(raw, key)
    try:
        value = int(text)
    except ValueError:
        try:
            as_float = float(text)
        except ValueError:
            as_float = math.nan
        if not (math.isfinite(as_float) and as_float == int(as_float)):
            raise ValueError(f"{key}: must be a whole number from {lo} to {hi}, got {text[:40]!r}") from None
        value = int(as_float)
    if not lo <= value <= hi:
        raise ValueError(f"{key}: must be a whole number from {lo} to {hi}, got {value}")
    return value


def check_float(value: float, key: str, lo: float, hi: float, lo_open: bool = False) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{key}: must be a finite number {_range(lo, hi, lo_open)}, got {value}")
    if value < lo or value > hi or (lo_open and value == lo):
        raise ValueError(f"{key}: must be a number {_range(lo, hi, lo_open)}, got {value:g}")
    return float(value)


def _range(lo: float, hi: float, lo_open: bool) -> str:
    return f"{'greater than' if lo_open else 'from'} {lo:g} {'and at most' if lo_open else 'to'} {hi:g}"


def parse_float(raw: object, key: str, lo: float, hi: float, lo_open: bool = False) -> float:
    text = _text(raw, key)
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{key}: must be a number {_range(lo, hi, lo_open)}, got {text[:40]!r}") from None
    return check_float(value, key, lo, hi, lo_open)


def parse_choice(raw: object, key: str, allowed) -> str:
    text = _text(raw, key).lower()
    if text not in allowed:
        raise ValueError(f"{key}: unknown value {text[:40]!r}; allowed: {', '.join(map(str, allowed))}")
    return text


def parse_tokens(raw: object, key: str, max_len: int) -> tuple[int, ...]:
    """Comma-separated token ids, e.g. '1,4,1'. Ranges against the vocabulary are checked by the config."""
    text = _text(raw, key)
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    if not parts:
        raise ValueError(f"{key}: needs at least one token id, e.g. 1,4,1")
    if len(parts) > max_len:
        raise ValueError(f"{key}: {len(parts)} tokens; at most {max_len} are allowed")
    out = []
    for p in parts:
        if not (p.isascii() and p.isdigit()):  # '²'.isdigit() is True, but int('²') fails
            raise ValueError(f"{key}: token ids must be whole numbers >= 0 separated by commas, got {p[:20]!r}")
        out.append(int(p))
    return tuple(out)


def parse_matrix(raw: object, key: str) -> tuple[tuple[float, ...], ...]:
    """Rows separated by ';', numbers by ',': '0.5,1;1,0.5'. Every row must have the same length."""
    text = _text(raw, key)
    rows = [r for r in text.split(";") if r.strip()]
    if not rows:
        raise ValueError(f"{key}: needs numbers, rows separated by ';' and columns by ',', e.g. 0.5,1;1,0.5")
    out = []
    for i, row in enumerate(rows):
        values = []
        for cell in row.split(","):
            try:
                values.append(check_float(float(cell), key, -1e6, 1e6))
            except ValueError:
                raise ValueError(
                    f"{key}: row {i} holds {cell.strip()[:20]!r}; every entry must be a finite number from -1e6 to 1e6"
                ) from None
        out.append(tuple(values))
    widths = {len(r) for r in out}
    if len(widths) > 1:
        raise ValueError(
            f"{key}: rows have different lengths {sorted(widths)}; every row needs the same number of entries"
        )
    return tuple(out)


def format_matrix(rows) -> str:
    return ";".join(",".join(format_number(v) for v in row) for row in rows)


def format_number(v: float) -> str:
    v = float(v)
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)
