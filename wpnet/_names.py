"""Names of schools and events as exports write them: canonical forms, slugs and the
sector a school's name implies.

An internal helper module of :mod:`wpnet.records`, which re-exports its public names.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["canonical_name", "infer_sector", "slug"]

# ---- names, slugs and sectors ----------------------------------------------------

_CANON_STEPS: tuple[tuple[str, str], ...] = (
    (r"&", " and "),
    (r"['’`.]", ""),
    (r"[^0-9a-z]+", " "),
    (r"^the ", ""),
    (r"\bsaint\b", "st"),
    (r"\broman catholic\b", "rc"),
    (r"\bprimary school\b", "primary"),
    (r"\bps\b", "primary"),
    (r"\bhigh school\b", "high"),
    (r"\bsecondary school\b", "secondary"),
    (r"\bnursery (school|class|centre)\b", "nursery"),
    (r"\bearly (learning|years) (and childcare )?cent(re|er)\b", "elc"),
    (r"\belcc\b", "elc"),
    (r"\bcenter\b", "centre"),
    (r"\bschool\b", ""),
    (r"\s+", " "),
)
_CANON = tuple((re.compile(p), r) for p, r in _CANON_STEPS)


def canonical_name(names: pd.Series) -> pd.Series:
    """Establishment names folded so that spellings of one name compare equal.

    Lower-cased; ``&`` -> ``and``; apostrophes and full stops dropped, other
    punctuation -> space; a leading "the" dropped; "Saint" -> "st", "Roman Catholic" ->
    "rc"; "Primary School" and "PS" -> "primary", "High School" -> "high", "Secondary
    School" -> "secondary", "Nursery School/Class/Centre" -> "nursery", "Early Learning
    (and Childcare) Centre" and "ELCC" -> "elc"; any remaining word "school" dropped;
    white space collapsed.

    Examples
    --------
    >>> canonical_name(pd.Series(["St. Mary's  Primary School", "Saint Marys PS",
    ...                           "The Hillhead High School", "Dunrod School"])).tolist()
    ['st marys primary', 'st marys primary', 'hillhead high', 'dunrod']
    """
    s = names.astype("string").str.lower()
    for pattern, repl in _CANON:
        s = s.str.replace(pattern, repl, regex=True)
    s = s.str.strip()
    return s.mask(s == "")


def slug(values: pd.Series) -> pd.Series:
    """Ids from names: lower-case words joined by ``-`` (``&`` read as "and").

    Examples
    --------
    >>> slug(pd.Series(["Numeracy CLN 2022/23", " Literacy & Language "])).tolist()
    ['numeracy-cln-2022-23', 'literacy-and-language']
    """
    s = values.astype("string").str.lower().str.replace("&", " and ", regex=False)
    s = s.str.replace(r"[^0-9a-z]+", "-", regex=True).str.strip("-")
    return s.mask(s == "")


_SECTOR_PATTERNS: tuple[tuple[str, str], ...] = (
    ("special", r"\b(?:special|asn|additional support)\b"),
    ("all_through", r"\b(?:3 18|all through)\b"),
    ("primary", r"\b(?:primary|ps)\b"),
    ("secondary", r"\b(?:high|academy|secondary|grammar)\b"),
    ("early_years", r"\b(?:nursery|elc|early years|early learning|family learning|pre ?school)\b"),
    ("central", r"\b(?:council|central|education services|education department)\b"),
)


def infer_sector(names: pd.Series) -> pd.Series:
    """The sector a name's words imply, or ``<NA>`` when they imply none.

    Words are looked for in this order (first match wins): special ("Special", "ASN",
    "Additional Support"), all_through ("3-18", "All Through"), primary ("Primary",
    "PS"), secondary ("High", "Academy", "Secondary", "Grammar"), early_years
    ("Nursery", "ELC", "Early Years", "Early Learning", "Family Learning",
    "Pre-school"), central ("Council", "Central", "Education Services/Department").

    Examples
    --------
    >>> infer_sector(pd.Series(["Ashgrove PS", "Elm Nursery", "Cove Academy",
    ...                         "Dunrod School", "Kelvin ASN School"])).tolist()
    ['primary', 'early_years', 'secondary', <NA>, 'special']
    """
    text = canonical_name(names).fillna("")
    out = pd.Series(pd.NA, index=names.index, dtype="string")
    for sector, pattern in _SECTOR_PATTERNS:
        hit = out.isna() & text.str.contains(pattern, regex=True)
        out[hit] = sector
    return out
