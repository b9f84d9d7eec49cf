"""Personal data recognised by header and content (:func:`personal_columns`).

A helper of :mod:`wpnet.privacy`, which re-exports its public names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["PERSONAL_HEADER_WORDS", "looks_like_names", "personal_columns", "personal_in_rejected"]

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
# people's names as registration systems write them; ``_W`` a capitalised word
# (``Smith``, ``O'Neill``, ``Seán``), ``_U`` a word in capitals (``SMITH``, ``O'NEILL``),
# ``_I`` an initial (``A.``, or ``A`` before a space)
_W = (
    r"(?:Ma?c|O['\u2019]|D['\u2019])?[A-Z][a-z\u00c0-\u024f'\u2019]+"
    r"(?:-[A-Z]?[a-z\u00c0-\u024f'\u2019]+)?"
)
_U = r"[A-Z\u00c0-\u00de][A-Z\u00c0-\u00de'\u2019-]+"
_TITLE = r"(?:(?:Mr|Mrs|Ms|Miss|Dr)\.? )?"
_GIVEN = rf"{_W}(?: (?:{_W}|[A-Z]\.?))*"  # Ann, Ann Marie, Ann M.
_PERSON_NAME = re.compile(
    "^(?:"
    # Ann Smith, Dr Ann Marie O'Neill, Ann McDonald, Ann M. Smith
    rf"{_TITLE}{_W}(?: (?:{_W}|[A-Z]\.?)){{1,3}}"
    # Smith, Ann; SMITH, Ann; Smith-Jones, Ann M.; Smith, A.; Smith, A. B.
    rf"|(?:{_W}|{_U})(?:[- ](?:{_W}|{_U}))?, (?:{_GIVEN}|(?:[A-Z]\. ?){{1,3}})"
    # SMITH Ann; VAN DYKE Ann Marie
    rf"|{_U}(?: {_U})? {_GIVEN}"
    # Ann SMITH; Ann Marie VAN DYKE
    rf"|{_TITLE}{_GIVEN} {_U}(?: {_U})?"
    # A. Smith; A.B. Smith; A B Smith; Dr A. SMITH
    rf"|{_TITLE}(?:(?:[A-Z]\. ?){{1,3}}|(?:[A-Z] ){{1,3}})(?:{_W}|{_U})"
    ")$"
)
_NOT_A_PERSON = re.compile(
    r"\b(?:primary|secondary|high|academy|school|nursery|college|centre|center|council|"
    r"cluster|network|team|group|forum|hub|partnership|authority|service|services|trust|"
    r"club|project|programme|collaborative|campus|department|unit|city|county|"
    r"literacy|numeracy|maths|science|learning|leadership|early|years|community|"
    # places: council areas, and the urban-rural classes
    r"lanarkshire|dunbartonshire|renfrewshire|aberdeenshire|clackmannanshire|ayrshire|"
    r"lothian|borders|islands|urban|rural|areas?|towns?|"
    # posts (a job title is no person)
    r"teachers?|headteacher|manager|officer|practitioners?|assistant|worker|lecturer|"
    r"leaders?|lead|depute|deputy|principal|rector|probationer|psychologist|technician|"
    r"administrator|adviser|advisor|coordinator|co-ordinator|director|executive|"
    # what education networks are about, and how they meet
    r"support|planning|quintile|level|stage|class|curriculum|assessment|pupils?|equity|"
    r"wellbeing|health|digital|training|teaching|attainment|improvement|moderation|"
    r"transition|nurture|inclusion|outdoor|play|parents?|staff|person|online|virtual|"
    r"hybrid|meeting|session|event|course|workshop|conference|term|reading|writing|st|saint|"
    r"faculty|scotland|england|wales|ireland|glasgow|edinburgh)\b",
    re.IGNORECASE,
)
#: Capitals that are education's abbreviations, not surnames ("ASN Support", "PT Maths").
_ABBREVIATIONS = re.compile(
    r"\b(?:ASN|ASL|ELC|PEF|SAC|SIMD|STEM|SQA|BGE|CLPL|CPD|EAL|ICT|RME|PE|RE|GTCS|HMIE|"
    r"HMI|QIO|DHT|HT|PT|PTC|PSA|EYP|NQT|SEN|SfL|SLT|ADHD|ASD|GIRFEC|CFE|SCQF|SSSC|RIC|"
    r"SEIC|LA|UK|FE|HE|IT|CLN|WP|SCEL|PLA)\b"
)


def looks_like_names(values: pd.Series) -> np.ndarray:
    """Which values (trimmed strings) look like people's names.

    Two to four words written as registration systems write names: ``Ann Smith``,
    ``Smith, Ann``, ``SMITH Ann``, ``Ann SMITH``, ``A. Smith`` (a title such as *Dr*
    may come first), with no word that names a school, place, post or subject
    (*Primary*, *Lanarkshire*, *Teacher*, *Numeracy*) and no abbreviation such as
    *ASN* or *PT*.

    Examples
    --------
    >>> v = pd.Series(["Smith, Ann", "SMITH Ann", "Ann SMITH", "A. Smith", "Ann Smith",
    ...                "Maths, Numeracy", "St. Mary's Primary", "East Dunbartonshire",
    ...                "Principal Teacher", "ASN Support", "Other Urban Areas"])
    >>> looks_like_names(v).tolist()
    [True, True, True, True, True, False, False, False, False, False, False]
    """
    values = values.astype("string").str.strip()
    odd = values.str.contains(r"[^\S ]|  ", regex=True).fillna(False).to_numpy(dtype=bool)
    if odd.any():  # white space as exports have it: "Ann  Smith", "Ann\xa0Smith"
        values[odd] = values[odd].str.replace(r"\s+", " ", regex=True)
    named = values.str.fullmatch(_PERSON_NAME).fillna(False)
    cand = named.to_numpy(dtype=bool)
    if cand.any():
        v = values[cand]
        cand[cand] = ~(v.str.contains(_NOT_A_PERSON) | v.str.contains(_ABBREVIATIONS)).to_numpy(
            dtype=bool
        )
    return cand


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
    columns), like people's names (at least half of at least two distinct values look
    like names by :func:`looks_like_names`: ``Ann Smith``, ``Smith, Ann``, ``SMITH
    Ann``, ``Ann SMITH``, ``A. Smith``, with no word such as *Primary*, *Network*,
    *Lanarkshire* or *Teacher*).

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
        person[wanted] = looks_like_names(v)
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


def personal_in_rejected(
    table: str, rejected: pd.DataFrame, *, known: Iterable[str] = ()
) -> dict[str, str]:
    """:func:`personal_columns` of the rejected rows of one table.

    ``rejected`` holds the rejected rows of every table (a ``table`` column names each
    row's table; ``row`` and ``reason`` are the reader's): the rows of ``table`` are
    searched in the columns that hold a value in them, so a column that is personal
    only in rows that were all rejected is still found (and kept out of the
    rejected-rows file).

    Examples
    --------
    >>> rej = pd.DataFrame({"table": ["participation"] * 2 + ["networks"], "row": [2, 3, 5],
    ...                     "reason": ["role: ..."] * 2 + ["name: ..."],
    ...                     "mentor": ["Smith, Ann", "O'NEILL Sean", pd.NA],
    ...                     "name": [pd.NA, pd.NA, "Maths"]})
    >>> personal_in_rejected("participation", rej), personal_in_rejected("networks", rej)
    ({'mentor': "values look like people's names"}, {})
    """
    if rejected.empty or "table" not in rejected:
        return {}
    rows = rejected[(rejected["table"] == table).fillna(False).to_numpy(dtype=bool)]
    rows = rows.drop(columns=[c for c in ("table", "row", "reason") if c in rows])
    rows = rows.loc[:, rows.notna().any().to_numpy(dtype=bool)]
    return personal_columns(table, rows.astype("string"), known=known) if len(rows) else {}
