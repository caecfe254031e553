"""Reading model settings that dbt passes to Python models as config strings.

dbt renders ``{{ var(...) }}`` in YAML config to text ("None", "5", "0.3"),
so Python models read them through these helpers.
"""

from __future__ import annotations


def optional_int(value: object) -> int | None:
    """``None``/``"None"``/``""`` -> None, anything else -> int (``"5"`` -> 5)."""
    if value is None or str(value).strip() in {"", "None", "none", "null"}:
        return None
    return int(float(str(value)))


def optional_float(value: object) -> float | None:
    """``None``/``"None"``/``""`` -> None, anything else -> float (``"0.5"`` -> 0.5)."""
    if value is None or str(value).strip() in {"", "None", "none", "null"}:
        return None
    return float(str(value))


def required_int(value: object, name: str) -> int:
    """Like :func:`optional_int` but a missing value is an error naming the setting."""
    parsed = optional_int(value)
    if parsed is None:
        raise ValueError(f"setting '{name}' is required")
    return parsed
