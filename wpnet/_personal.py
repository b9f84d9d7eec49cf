"""Personal data recognised by header and content (:func:`personal_columns`).

A helper of :mod:`wpnet.privacy`, which re-exports its public names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["PERSONAL_HEADER_WORDS", "personal_columns"]

#: Header words that mark a column as personal data in any table.
PERSONAL_HEADER_WORDS = frozenset(
    {
        "email",
        "mail",
        "forename",
        "forenames",
        "surname",
        "firstname",
        "lastname",
        "fullname",
        "phone",
        "telephone",
        "mobile",
        "person",
        "contact",
        "username",
    }
)
_PERSON_TABLES = ("practitioners", "participation", "ties")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PERSON_NAME = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Miss|Dr)\.? )?[A-Z][a-z\u00c0-\u024f'\u2019-]+"
    r"(?: (?:[A-Z][a-z\u00c0-\u024f'\u2019-]+|[A-Z]\.?|Mc[A-Z][a-z]+|O'[A-Z][a-z]+)){1,3}$"
)
_NOT_A_PERSON = re.compile(
    r"\b(?:primary|secondary|high|academy|school|nursery|college|centre|center|council|"
    r"cluster|network|team|group|forum|hub|partnership|authority|service|services|trust|"
    r"club|project|programme|collaborative|campus|department|unit|city|county|"
    r"literacy|numeracy|maths|science|learning|leadership|early|years|community)\b",
    re.IGNORECASE,
)


def _words(header: str) -> set[str]:
    parts = set(header.split("_"))
    return parts | {"".join(header.split("_"))}


def personal_columns(
    table: str, frame: pd.DataFrame, *, known: Iterable[str] = ()
) -> dict[str, str]:
    """Columns of one table that hold personal data, each with the reason.

    A column is personal when its (snake_case) header has a word of
    :data:`PERSONAL_HEADER_WORDS` (``work_email``, ``contact_phone``), or is ``name``
    (or ``*_name``) in practitioners, participation or ties, or when its values look
    like e-mail addresses (any value), or, in a column outside ``known`` (the schema's
    columns), like people's names (at least half of at least two values are two to
    four capitalised words, none of them a word such as *Primary*, *Network* or
    *Council*).

    Parameters
    ----------
    table : str
        The table's name.
    frame : DataFrame
        Its columns (snake_case names) and cells.
    known : str
        Columns the schema defines for the table: their values are not searched for
        names (an establishment's ``name`` is a school), but still for e-mails.

    Returns
    -------
    dict
        Column -> why it is personal, e.g. ``"values look like e-mail addresses"``.

    Examples
    --------
    >>> f = pd.DataFrame({"practitioner_id": ["P1", "P2"],
    ...                   "work_email": ["a@b.org", None],
    ...                   "mentor": ["Ann Smith", "Sean O'Neill"]})
    >>> personal_columns("practitioners", f, known=["practitioner_id"])
    {'work_email': 'its header names personal data', 'mentor': "values look like people's names"}
    """
    known = set(known)
    out: dict[str, str] = {}
    search: list[int] = []
    dtypes = list(frame.dtypes)
    for j, col in enumerate(frame.columns):
        name = str(col)
        if _words(name) & PERSONAL_HEADER_WORDS or (
            table in _PERSON_TABLES and (name == "name" or name.endswith("_name"))
        ):
            out[name] = "its header names personal data"
            continue
        dt = dtypes[j]
        if dt.kind in "iufbcmM" or isinstance(dt, pd.CategoricalDtype):
            continue
        search.append(j)
    if not search or not len(frame):
        return out
    # every searched cell at once: distinct values are tested once (linear in cells)
    block = frame.iloc[:, search].to_numpy(dtype=object, na_value=None)
    codes, uniques = pd.factorize(block.ravel(), use_na_sentinel=True)
    u = pd.Series(uniques, dtype=object).map(str).str.strip()
    # the patterns only where they can match: an e-mail address has an "@", and names
    # are looked for in the columns outside ``known`` only
    email = np.zeros(len(u), dtype=bool)
    at = u.str.contains("@", regex=False).to_numpy(dtype=bool)
    email[at] = u[at].str.fullmatch(_EMAIL).to_numpy(dtype=bool)
    person = np.zeros(len(u), dtype=bool)
    unknown = [k for k, j in enumerate(search) if str(frame.columns[j]) not in known]
    if unknown:
        in_unknown = codes.reshape(block.shape)[:, unknown].ravel()
        wanted = np.zeros(len(u), dtype=bool)
        wanted[in_unknown[in_unknown >= 0]] = True
        v = u[wanted]
        named = v.str.fullmatch(_PERSON_NAME) & ~v.str.contains(_NOT_A_PERSON)
        person[wanted] = named.to_numpy(dtype=bool)
    blank = (u == "").to_numpy(dtype=bool)
    col = np.tile(np.arange(len(search)), block.shape[0])
    ok = codes >= 0
    ok[ok] = ~blank[codes[ok]]
    pairs = np.unique(col[ok].astype(np.int64) * (len(uniques) + 1) + codes[ok])
    pc, pv = pairs // (len(uniques) + 1), pairs % (len(uniques) + 1)
    n = np.bincount(pc, minlength=len(search))
    n_email = np.bincount(pc, weights=email[pv], minlength=len(search))
    n_person = np.bincount(pc, weights=person[pv], minlength=len(search))
    for k, j in enumerate(search):
        name = str(frame.columns[j])
        if n_email[k] > 0:
            out[name] = "values look like e-mail addresses"
        elif name not in known and n[k] >= 2 and n_person[k] >= 0.5 * n[k]:
            out[name] = "values look like people's names"
    return {c: out[c] for c in map(str, frame.columns) if c in out}
