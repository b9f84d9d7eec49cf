"""Table specifications and vocabularies.

The four tables (and the optional ``ties``) are described here once: their columns,
which are required, their types, and the controlled vocabularies with the aliases that
real spreadsheets use. Validation (``wpnet/validation.py``) and the readers use these
specs; nothing else defines a column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

__all__ = [
    "AUTHORITIES",
    "LEVELS",
    "ROLES",
    "SECTORS",
    "TABLES",
    "Column",
    "TableSpec",
    "normalise_authority",
    "normalise_level",
    "normalise_role",
    "normalise_sector",
    "normalise_text",
]


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, kind and whether it is required.

    ``kind`` is one of ``id``, ``text``, ``date``, ``int``, ``float`` or a vocabulary
    name (``sector``, ``level``, ``role``, ``authority``).
    """

    name: str
    kind: str
    required: bool = False
    min: float | None = None
    max: float | None = None
    references: str | None = None  # "table.column" this id must resolve to


@dataclass(frozen=True)
class TableSpec:
    """A table: its name, its columns and its primary key (if any)."""

    name: str
    columns: tuple[Column, ...]
    key: str | None = None
    optional: bool = False
    aliases: dict[str, str] = field(default_factory=dict)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


TABLES: dict[str, TableSpec] = {
    "establishments": TableSpec(
        "establishments",
        (
            Column("establishment_id", "id", required=True),
            Column("name", "text", required=True),
            Column("authority", "authority", required=True),
            Column("sector", "sector", required=True),
            Column("simd_quintile", "int", min=1, max=5),
            Column("roll", "int", min=0),
            Column("urban_rural", "text"),
            Column("latitude", "float", min=-90, max=90),
            Column("longitude", "float", min=-180, max=180),
        ),
        key="establishment_id",
        aliases={
            "id": "establishment_id",
            "seed_code": "establishment_id",
            "seedcode": "establishment_id",
            "school_id": "establishment_id",
            "establishment": "name",
            "school": "name",
            "school_name": "name",
            "establishment_name": "name",
            "local_authority": "authority",
            "la": "authority",
            "council": "authority",
            "simd": "simd_quintile",
            "lat": "latitude",
            "lon": "longitude",
            "lng": "longitude",
            "long": "longitude",
        },
    ),
    "practitioners": TableSpec(
        "practitioners",
        (
            Column("practitioner_id", "id", required=True),
            Column(
                "establishment_id",
                "id",
                required=True,
                references="establishments.establishment_id",
            ),
            Column("level", "level", required=True),
            Column("role", "text"),
        ),
        key="practitioner_id",
        aliases={"id": "practitioner_id", "job_title": "role", "post": "role", "position": "role"},
    ),
    "networks": TableSpec(
        "networks",
        (
            Column("network_id", "id", required=True),
            Column("name", "text", required=True),
            Column("workstream", "text", required=True),
            Column("kind", "text"),
            Column("lead_authority", "authority"),
        ),
        key="network_id",
        aliases={"id": "network_id", "network": "name", "network_name": "name"},
    ),
    "participation": TableSpec(
        "participation",
        (
            Column(
                "practitioner_id", "id", required=True, references="practitioners.practitioner_id"
            ),
            Column("network_id", "id", required=True, references="networks.network_id"),
            Column("date", "date", required=True),
            Column("establishment_id", "id", references="establishments.establishment_id"),
            Column("role", "role"),
            Column("hours", "float", min=0),
            Column("event_id", "text"),
        ),
        aliases={"attendance_date": "date", "event_date": "date"},
    ),
    "ties": TableSpec(
        "ties",
        (
            Column("source", "id", required=True, references="practitioners.practitioner_id"),
            Column("target", "id", required=True, references="practitioners.practitioner_id"),
            Column("kind", "text"),
            Column("weight", "float", min=0),
            Column("date", "date"),
        ),
        optional=True,
    ),
}

SECTORS = ("early_years", "primary", "secondary", "special", "all_through", "central")
LEVELS = (
    "practitioner",
    "middle_leader",
    "senior_leader",
    "headteacher",
    "central_officer",
    "support_staff",
    "other",
)
ROLES = ("participant", "lead", "facilitator", "presenter")
AUTHORITIES = (
    "East Dunbartonshire",
    "East Renfrewshire",
    "Glasgow City",
    "Inverclyde",
    "North Lanarkshire",
    "Renfrewshire",
    "South Lanarkshire",
    "West Dunbartonshire",
)

_SPACE = re.compile(r"[\s\u00a0\u2007\u202f]+")


def normalise_text(value: object) -> str:
    """Trim, fold every kind of white space to one space and lower-case.

    Examples
    --------
    >>> normalise_text("  Glasgow\\u00a0City  Council ")
    'glasgow city council'
    """
    return _SPACE.sub(" ", str(value)).strip().lower()


def _table(pairs: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, aliases in pairs.items():
        out[normalise_text(canonical)] = canonical
        out[normalise_text(canonical.replace("_", " "))] = canonical
        for a in aliases:
            out[normalise_text(a)] = canonical
    return out


_SECTOR_ALIASES = _table(
    {
        "early_years": (
            "ELC",
            "Nursery",
            "Nursery School",
            "Nursery Class",
            "Early Years",
            "Early Learning and Childcare",
            "Early Learning Centre",
            "EY",
            "Pre-school",
            "Family Learning Centre",
        ),
        "primary": ("Primary School", "Primary", "PS", "Prim"),
        "secondary": ("Secondary School", "Secondary", "High School", "Academy", "SS", "Sec"),
        "special": (
            "ASN",
            "ASL",
            "Special School",
            "Special",
            "Additional Support Needs",
            "ASN School",
            "Special Needs",
            "Specialist",
        ),
        "all_through": ("All Through", "All-through", "3-18", "Through school", "Combined"),
        "central": (
            "Central",
            "Central Team",
            "Central Office",
            "Education Services",
            "Education Department",
            "Local Authority",
            "Authority",
            "HQ",
        ),
    }
)

_ROLE_ALIASES = _table(
    {
        "participant": ("Participant", "Attendee", "Delegate", "Member", "Learner", "Attended"),
        "lead": ("Lead", "Leader", "Network Lead", "Chair", "Co-lead", "Organiser", "Convener"),
        "facilitator": ("Facilitator", "Tutor", "Coach", "Mentor", "Trainer"),
        "presenter": ("Presenter", "Speaker", "Contributor", "Keynote"),
    }
)

_AUTHORITY_ALIASES = _table(
    {
        a: (a, f"{a} Council", f"{a} Council Education", f"{a} Education Services")
        for a in AUTHORITIES
    }
    | {
        "Glasgow City": (
            "Glasgow",
            "Glasgow City Council",
            "GCC",
            "Glasgow Council",
            "City of Glasgow",
        ),
        "East Dunbartonshire": (
            "E Dunbartonshire",
            "East Dunbartonshire Council",
            "EDC",
            "E. Dunbartonshire",
        ),
        "East Renfrewshire": (
            "E Renfrewshire",
            "East Renfrewshire Council",
            "ERC",
            "E. Renfrewshire",
        ),
        "Inverclyde": ("Inverclyde Council",),
        "North Lanarkshire": (
            "N Lanarkshire",
            "North Lanarkshire Council",
            "NLC",
            "N. Lanarkshire",
        ),
        "Renfrewshire": ("Renfrewshire Council",),
        "South Lanarkshire": (
            "S Lanarkshire",
            "South Lanarkshire Council",
            "SLC",
            "S. Lanarkshire",
        ),
        "West Dunbartonshire": (
            "W Dunbartonshire",
            "West Dunbartonshire Council",
            "WDC",
            "W. Dunbartonshire",
        ),
    }
)

_LEVEL_ALIASES = _table(
    {
        "practitioner": (
            "Class Teacher",
            "Teacher",
            "Practitioner",
            "Probationer",
            "Probationer Teacher",
            "NQT",
            "Early Years Practitioner",
            "EYP",
            "Nursery Teacher",
            "Supply Teacher",
            "Early Years Officer",
            "Lecturer",
        ),
        "middle_leader": (
            "PT",
            "Principal Teacher",
            "Faculty Head",
            "Head of Department",
            "HoD",
            "Middle Leader",
            "PTC",
            "Principal Teacher Curriculum",
            "Faculty Head Teacher",
            "Curriculum Leader",
            "Principal Teacher Pupil Support",
            "PT Pupil Support",
            "Senior Early Years Practitioner",
            "Lead Practitioner",
            "Team Leader",
            "Head of Faculty",
            "Depute Manager",
        ),
        "senior_leader": (
            "DHT",
            "Depute Head",
            "Depute Head Teacher",
            "Deputy Head",
            "Deputy Head Teacher",
            "Depute",
            "Senior Leader",
            "Acting DHT",
            "Business Manager",
            "Depute Headteacher",
        ),
        "headteacher": (
            "HT",
            "Head Teacher",
            "Headteacher",
            "Head",
            "Acting Head Teacher",
            "Acting HT",
            "Executive Headteacher",
            "Head of Centre",
            "Head of Establishment",
            "Nursery Manager",
            "Centre Manager",
            "Rector",
        ),
        "central_officer": (
            "QIO",
            "Quality Improvement Officer",
            "Education Officer",
            "Central Officer",
            "Development Officer",
            "Education Support Officer",
            "Quality Improvement Manager",
            "Head of Education",
            "Education Manager",
            "Attainment Advisor",
            "Attainment Adviser",
            "Regional Improvement Lead",
            "Psychologist",
            "Educational Psychologist",
            "Research Officer",
            "Officer",
        ),
        "support_staff": (
            "Support Staff",
            "Classroom Assistant",
            "PSA",
            "Pupil Support Assistant",
            "Support for Learning Worker",
            "Additional Support Needs Assistant",
            "Clerical",
            "Administrator",
            "Technician",
            "Learning Assistant",
            "Assistant",
        ),
        "other": (
            "Other",
            "Partner",
            "Volunteer",
            "Parent",
            "Student",
            "Student Teacher",
            "Consultant",
        ),
    }
)

# Job titles as written: ordered patterns, first match wins. More senior and more
# specific patterns come first ("Depute Head" before "Head", "Head of Department"
# before "Head").
_LEVEL_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), lvl)
    for p, lvl in (
        (
            r"\b(qio|qim|quality improvement|education (support )?officer|development officer|"
            r"central officer|attainment advis|psychologist|regional improvement|head of education|"
            r"education manager|research officer)\b",
            "central_officer",
        ),
        (r"\b(dht|depute|deputy|business manager)\b", "senior_leader"),
        (
            r"\b(pt|ptc|principal teacher|faculty head|head of (department|faculty|subject)|hod|"
            r"middle leader|curriculum leader|team leader|lead practitioner|senior (early years|eyp))\b",
            "middle_leader",
        ),
        (
            r"\b(ht|head ?teacher|head of (centre|establishment|school)|rector|nursery manager|"
            r"centre manager|executive head)\b",
            "headteacher",
        ),
        (
            r"\b(assistant|psa|support (for learning )?worker|clerical|administrator|technician|"
            r"support staff|classroom assistant|early years worker)\b",
            "support_staff",
        ),
        (
            r"\b(teacher|practitioner|probationer|nqt|lecturer|eyp|early years officer)\b",
            "practitioner",
        ),
        (r"\bteaching\b", "practitioner"),
        (r"\b(officer)\b", "central_officer"),
        (r"\b(head)\b", "headteacher"),
    )
)


def _lookup(value: object, table: dict[str, str]) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return table.get(normalise_text(value))


def normalise_sector(value: object) -> str | None:
    """Map a sector word to the vocabulary; ``None`` when it cannot be mapped.

    Examples
    --------
    >>> [normalise_sector(v) for v in ["ELC", " nursery ", "ASN", "Primary School", "Zoo"]]
    ['early_years', 'early_years', 'special', 'primary', None]
    """
    return _lookup(value, _SECTOR_ALIASES)


def normalise_role(value: object) -> str | None:
    """Map a participation role to ``participant``, ``lead``, ``facilitator`` or ``presenter``.

    Examples
    --------
    >>> normalise_role("Network Lead"), normalise_role("attendee")
    ('lead', 'participant')
    """
    return _lookup(value, _ROLE_ALIASES)


def normalise_authority(value: object) -> str | None:
    """Map an authority spelling to one of the eight West Partnership authorities.

    Returns ``None`` for a name outside the vocabulary (the readers keep such a name as
    written, trimmed, and warn: wpnet serves other partnerships too).

    Examples
    --------
    >>> normalise_authority("Glasgow"), normalise_authority("glasgow city council")
    ('Glasgow City', 'Glasgow City')
    """
    return _lookup(value, _AUTHORITY_ALIASES)


def normalise_level(value: object) -> str | None:
    """Map a job title or level word to the level vocabulary.

    Exact aliases are tried first, then ordered patterns over the title as written
    ("PT Maths" -> middle_leader, "Teacher of Maths" -> practitioner).

    Examples
    --------
    >>> [normalise_level(v) for v in ["Class Teacher", "PT Maths", "DHT", "Head Teacher", "QIO"]]
    ['practitioner', 'middle_leader', 'senior_leader', 'headteacher', 'central_officer']
    >>> normalise_level("Teacher of Maths"), normalise_level("Astronaut")
    ('practitioner', None)
    """
    exact = _lookup(value, _LEVEL_ALIASES)
    if exact is not None or value is None or (not isinstance(value, str) and pd.isna(value)):
        return exact
    text = normalise_text(value)
    for pattern, level in _LEVEL_PATTERNS:
        if pattern.search(text):
            return level
    return None


VOCABULARIES = {
    "sector": normalise_sector,
    "level": normalise_level,
    "role": normalise_role,
    "authority": normalise_authority,
}
