"""Write seeds/categorical_level_aliases.csv: the spellings that mean one level.

Levels of gender, country and product category are compared by their key
(lower case, runs of whitespace as one space); an alias row gives every
spelling with that key one level name. This script writes the shipped rows:
gender abbreviations, and every ISO 3166-1 country under its English short name
by its alpha-2 code, alpha-3 code, ISO name and official name, plus a few
spellings exports use that ISO does not (UK, Great Britain, Turkey...).

    pip install pycountry    # only to regenerate; the seed is committed
    python dev/write_level_aliases.py

Rows added by hand below SHIPPED_ROWS survive a rerun only if added here.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "seeds" / "categorical_level_aliases.csv"

GENDER = {"m": "male", "man": "male", "f": "female", "woman": "female"}

# Spellings found in exports that ISO 3166-1 does not list, by alpha-2 code.
COUNTRY_EXTRA = {
    "GB": ["uk", "u.k.", "great britain", "britain"],
    "US": ["u.s.", "u.s.a.", "united states of america", "america"],
    "NL": ["holland", "the netherlands"],
    "RU": ["russia"],
    "CZ": ["czech republic"],
    "TR": ["turkey"],
    "KR": ["korea, south", "republic of korea"],
    "CD": ["dr congo", "democratic republic of the congo"],
    "CG": ["republic of the congo"],
    "VA": ["vatican", "vatican city"],
    "CI": ["ivory coast", "cote d'ivoire"],
    "SZ": ["swaziland"],
    "MK": ["macedonia"],
    "CV": ["cape verde"],
}


def key(text: str) -> str:
    """How the project compares levels: lower case, whitespace runs as one space."""
    return re.sub(r"\s+", " ", text.strip()).lower()


def rows() -> list[tuple[str, str, str]]:
    import pycountry

    out: dict[tuple[str, str], str] = {}

    def add(attribute: str, alias: str, level: str) -> None:
        found = out.setdefault((attribute, key(alias)), level)
        if found != level:
            sys.exit(f"alias {alias!r} of {attribute} means both {found!r} and {level!r}")

    for alias, level in GENDER.items():
        add("gender", alias, level)
    for country in pycountry.countries:
        level = getattr(country, "common_name", None) or country.name
        for alias in (country.alpha_2, country.alpha_3, country.name, level,
                      getattr(country, "official_name", None),
                      *COUNTRY_EXTRA.get(country.alpha_2, [])):
            if alias and key(alias) != level:
                add("country", alias, level)
    return [(attribute, alias, level) for (attribute, alias), level in out.items()]


def main() -> int:
    with SEED.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["attribute", "alias", "level"])
        writer.writerows(sorted(rows()))
    print(f"wrote {SEED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
