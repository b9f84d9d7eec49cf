"""Calibration facts and word lists behind :func:`wpnet.synthetic`.

Everything here is public knowledge, rounded: the eight West Partnership authorities,
their relative numbers of schools, where they are, how deprived their communities are
(SIMD), and the words Scottish schools, job titles and the partnership's networks are
named with. The generator itself is :mod:`wpnet._generate`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AUTHORITY_FACTS",
    "CURRICULAR_SUBJECTS",
    "LEVEL_NAMES",
    "SECTOR_NAMES",
    "URBAN_RURAL",
    "WORKSTREAMS",
    "Authority",
    "Workstream",
]

#: Sector index order used by the generator (central last).
SECTOR_NAMES = ("early_years", "primary", "secondary", "special", "central")
#: Level index order used by the generator.
LEVEL_NAMES = (
    "practitioner",
    "middle_leader",
    "senior_leader",
    "headteacher",
    "central_officer",
    "support_staff",
    "other",
)
#: Scottish Government six-fold urban/rural classification, the four classes found here.
URBAN_RURAL = (
    "Large Urban Areas",
    "Other Urban Areas",
    "Accessible Small Towns",
    "Accessible Rural",
)


@dataclass(frozen=True)
class Authority:
    """Public facts about one local authority, rounded, used to calibrate the generator.

    ``weight`` is the council's number of primary, secondary and special schools
    (Scottish Government school-level summary statistics, 11 Sep 2024); ``hq`` the
    council's education headquarters; ``centre`` and ``spread`` (standard deviations in
    degrees) where its schools are scattered; ``simd`` the share of its establishments in
    each SIMD quintile (1 = most deprived): the quintile-1 share is the share of its pupils
    living in quintile 1 in 2024, the other quintiles a rounded SIMD 2020 shape scaled to
    the rest; ``urban`` its shares of :data:`URBAN_RURAL`; ``towns`` local place names;
    ``partner`` the neighbouring council its networks recruit with (a recruitment group of
    two small neighbours), if any; ``areas`` the number of areas a large council's
    networks recruit within (a modelling choice: councils group their schools into
    areas and learning communities).
    """

    name: str
    code: str
    weight: float
    hq: tuple[float, float]
    centre: tuple[float, float]
    spread: tuple[float, float]
    simd: tuple[float, float, float, float, float]
    urban: tuple[float, float, float, float]
    towns: tuple[str, ...] = ()
    partner: str | None = None
    areas: int = 1


def _simd(q1: float, rest: tuple[float, float, float, float]) -> tuple[float, ...]:
    """Quintile shares with quintile 1 at ``q1`` and the rest in the proportions ``rest``."""
    total = sum(rest)
    return (q1, *(round((1 - q1) * r / total, 4) for r in rest))


# School counts (primary + secondary + special council schools, 11 Sep 2024; 701 in all):
# Glasgow City 192, North Lanarkshire 154, South Lanarkshire 150, Renfrewshire 63,
# East Dunbartonshire 42, West Dunbartonshire 40, East Renfrewshire 32, Inverclyde 28.
# Quintile-1 shares: pupils living in SIMD quintile 1, 2024 (CALIBRATION.md).
AUTHORITY_FACTS: dict[str, Authority] = {
    a.name: a
    for a in (
        Authority(
            "Glasgow City",
            "GLA",
            192,
            (55.8610, -4.2490),
            (55.8600, -4.2600),
            (0.035, 0.080),
            _simd(0.572, (0.20, 0.13, 0.11, 0.12)),
            (1.0, 0.0, 0.0, 0.0),
            (
                "Govan",
                "Partick",
                "Shettleston",
                "Springburn",
                "Pollokshields",
                "Drumchapel",
                "Easterhouse",
                "Knightswood",
                "Cardonald",
                "Dennistoun",
                "Castlemilk",
                "Hillhead",
                "Anniesland",
                "Garthamlock",
                "Royston",
                "Gorbals",
                "Maryhill",
                "Scotstoun",
                "Yoker",
                "Carntyne",
                "Toryglen",
                "Cranhill",
                "Croftfoot",
                "Battlefield",
            ),
            areas=3,
        ),
        Authority(
            "North Lanarkshire",
            "NLK",
            154,
            (55.7890, -3.9920),
            (55.8600, -3.9800),
            (0.060, 0.070),
            _simd(0.321, (0.24, 0.20, 0.15, 0.12)),
            (0.0, 0.70, 0.15, 0.15),
            (
                "Motherwell",
                "Wishaw",
                "Airdrie",
                "Coatbridge",
                "Cumbernauld",
                "Bellshill",
                "Kilsyth",
                "Shotts",
                "Chryston",
                "Viewpark",
                "Newmains",
                "Moodiesburn",
                "Caldercruix",
                "Harthill",
                "Condorrat",
                "Abronhill",
            ),
            areas=2,
        ),
        Authority(
            "South Lanarkshire",
            "SLK",
            150,
            (55.7770, -4.0400),
            (55.7200, -4.0000),
            (0.090, 0.150),
            _simd(0.199, (0.20, 0.22, 0.21, 0.20)),
            (0.15, 0.45, 0.20, 0.20),
            (
                "Hamilton",
                "East Kilbride",
                "Lanark",
                "Carluke",
                "Rutherglen",
                "Cambuslang",
                "Larkhall",
                "Strathaven",
                "Blantyre",
                "Biggar",
                "Uddingston",
                "Bothwell",
                "Lesmahagow",
                "Stonehouse",
                "Forth",
                "Carnwath",
            ),
            areas=2,
        ),
        Authority(
            "Renfrewshire",
            "REN",
            63,
            (55.8450, -4.4250),
            (55.8500, -4.4700),
            (0.030, 0.080),
            _simd(0.256, (0.19, 0.18, 0.19, 0.22)),
            (0.10, 0.60, 0.15, 0.15),
            (
                "Paisley",
                "Renfrew",
                "Johnstone",
                "Erskine",
                "Linwood",
                "Bishopton",
                "Houston",
                "Lochwinnoch",
                "Kilbarchan",
                "Bridge of Weir",
                "Ralston",
                "Foxbar",
            ),
            partner="Inverclyde",
        ),
        Authority(
            "East Dunbartonshire",
            "EDB",
            42,
            (55.9360, -4.1560),
            (55.9300, -4.2200),
            (0.025, 0.060),
            _simd(0.069, (0.07, 0.12, 0.25, 0.52)),
            (0.50, 0.30, 0.10, 0.10),
            (
                "Bearsden",
                "Milngavie",
                "Bishopbriggs",
                "Kirkintilloch",
                "Lenzie",
                "Torrance",
                "Twechar",
                "Lennoxtown",
                "Milton of Campsie",
            ),
            partner="West Dunbartonshire",
        ),
        Authority(
            "West Dunbartonshire",
            "WDB",
            40,
            (55.9440, -4.5650),
            (55.9400, -4.4800),
            (0.020, 0.070),
            _simd(0.458, (0.22, 0.18, 0.12, 0.10)),
            (0.20, 0.65, 0.10, 0.05),
            (
                "Clydebank",
                "Dumbarton",
                "Alexandria",
                "Bonhill",
                "Renton",
                "Duntocher",
                "Balloch",
                "Old Kilpatrick",
                "Dalmuir",
                "Faifley",
            ),
            partner="East Dunbartonshire",
        ),
        Authority(
            "East Renfrewshire",
            "ERF",
            32,
            (55.7990, -4.2960),
            (55.7800, -4.3300),
            (0.030, 0.050),
            _simd(0.054, (0.06, 0.10, 0.20, 0.60)),
            (0.60, 0.20, 0.10, 0.10),
            (
                "Giffnock",
                "Newton Mearns",
                "Clarkston",
                "Barrhead",
                "Busby",
                "Eaglesham",
                "Neilston",
                "Thornliebank",
                "Netherlee",
                "Uplawmoor",
            ),
        ),
        Authority(
            "Inverclyde",
            "INV",
            28,
            (55.9480, -4.7620),
            (55.9350, -4.7200),
            (0.015, 0.060),
            _simd(0.479, (0.17, 0.14, 0.13, 0.14)),
            (0.0, 0.80, 0.10, 0.10),
            (
                "Greenock",
                "Gourock",
                "Port Glasgow",
                "Kilmacolm",
                "Inverkip",
                "Wemyss Bay",
                "Larkfield",
                "Bow Farm",
            ),
            partner="Renfrewshire",
        ),
    )
}

# Name parts for generic place-name stems: "Broom" + "hill" -> "Broomhill".
STEM_FIRST = (
    "Ash", "Auchen", "Bal", "Bank", "Bar", "Birk", "Blair", "Braid", "Broom", "Burn",
    "Cairn", "Castle", "Craig", "Cross", "Dal", "Drum", "Dun", "Elder", "Fern", "Gart",
    "Glen", "Green", "Hazel", "Heather", "Holly", "Inch", "Kil", "Kirk", "Lang", "Lin",
    "Mill", "Moss", "Muir", "Oak", "Rose", "Sandy", "Shaw", "Stane", "Thorn", "Whin",
    "Wood", "Beech", "Rowan", "Hawthorn",
)  # fmt: skip
STEM_SECOND = (
    "bank", "brae", "burn", "croft", "dale", "field", "ford", "gate", "glen", "hall",
    "haugh", "head", "hill", "knowe", "lea", "law", "mount", "muir", "park", "side",
    "ton", "vale", "well", "wood", "mains", "crook", "lands",
)  # fmt: skip
STEM_SUFFIX = (
    "Park", "Road", "View", "Green", "Gardens", "Avenue", "Crescent", "Place", "Grove",
    "Terrace", "Cross", "Court", "Square", "Street", "Drive", "Lane", "Walk", "Way",
    "Row", "Rise",
)  # fmt: skip
STEM_PREFIX = ("North", "South", "East", "West", "Upper", "Lower", "New", "Old")
SAINTS = (
    "St Mungo's", "St Ninian's", "St Columba's", "St Andrew's", "St Bride's",
    "St Margaret's", "St Patrick's", "St Joseph's", "St Brendan's", "St Aidan's",
    "St Kevin's", "St Bernadette's", "St Thomas'", "St Mary's", "St Anne's",
    "St Teresa's", "St Francis'", "St Michael's", "St Monica's", "St Cuthbert's",
    "St Kentigern's", "St Bartholomew's", "St Brigid's", "St Blane's", "St Fillan's",
    "St Benedict's", "St Charles'", "St Conval's", "St Albert's", "St Vincent's",
    "St Ambrose's", "St Maurice's", "St Luke's", "St Mark's", "St John's", "St Paul's",
    "St Peter's", "St Stephen's", "St Catherine's", "St Martha's", "St Serf's",
    "St Timothy's", "St Gabriel's", "St Dominic's", "St Clare's", "St Elizabeth's",
    "St Ignatius'", "St Aloysius'", "St Bridget's", "St Gilbert's", "St Hilary's",
    "St Leonard's", "St Lucy's", "St Matthew's", "St Oswald's", "St Rose of Lima",
    "St Stephen's", "St Edward's", "St Agnes'", "St Helen's", "St Louise's",
    "Our Lady of Lourdes", "Our Lady of the Missions", "Our Lady of the Rosary",
    "Our Lady and St Patrick's", "Holy Cross", "Sacred Heart", "Notre Dame",
    "Holy Family", "Holy Trinity", "St Mirin's", "St Fergus'", "St Charles Borromeo",
)  # fmt: skip

# sector -> (suffixes, probabilities)
SECTOR_SUFFIX = {
    "primary": (("Primary", "Primary School"), (0.85, 0.15)),
    "early_years": (
        ("Nursery School", "Early Learning Centre", "Family Learning Centre", "Nursery"),
        (0.35, 0.35, 0.15, 0.15),
    ),
    "secondary": (("High School", "Academy", "Secondary"), (0.6, 0.35, 0.05)),
    "special": (("School", "Learning Centre"), (0.75, 0.25)),
}

#: Secondary subjects: (name in network names and "Teacher of ...", short name in "PT ...",
#: share of secondary subject teachers).
CURRICULAR_SUBJECTS = (
    ("Mathematics", "Maths", 0.12),
    ("English", "English", 0.12),
    ("Physical Education", "PE", 0.08),
    ("Modern Languages", "Modern Languages", 0.07),
    ("Biology", "Biology", 0.05),
    ("Art and Design", "Art", 0.05),
    ("Technical Education", "Technical", 0.05),
    ("Physics", "Physics", 0.04),
    ("Chemistry", "Chemistry", 0.04),
    ("History", "History", 0.04),
    ("Geography", "Geography", 0.04),
    ("Music", "Music", 0.04),
    ("Business Education", "Business", 0.04),
    ("Home Economics", "Home Economics", 0.04),
    ("Religious and Moral Education", "RME", 0.04),
    ("Modern Studies", "Modern Studies", 0.03),
    ("Drama", "Drama", 0.03),
    ("Computing Science", "Computing", 0.03),
    ("Administration and IT", "Admin", 0.03),
    ("Gaelic", "Gaelic", 0.005),
)

# Job titles as written, per (sector, level): (titles, probabilities). "{subject}" and
# "{short}" are filled from CURRICULAR_SUBJECTS; "" as sector means every other sector.
TITLES: dict[tuple[str, str], tuple[tuple[str, ...], tuple[float, ...]]] = {
    ("early_years", "practitioner"): (
        ("Early Years Practitioner", "Nursery Teacher", "Early Years Officer"),
        (0.75, 0.15, 0.10),
    ),
    ("primary", "practitioner"): (
        ("Class Teacher", "Teacher", "Probationer Teacher"),
        (0.80, 0.10, 0.10),
    ),
    ("secondary", "practitioner"): (
        ("Teacher of {subject}", "Probationer Teacher of {subject}"),
        (0.92, 0.08),
    ),
    ("special", "practitioner"): (("Class Teacher", "Teacher"), (0.7, 0.3)),
    ("early_years", "middle_leader"): (
        ("Senior Early Years Practitioner", "Depute Manager"),
        (0.7, 0.3),
    ),
    ("secondary", "middle_leader"): (("PT {short}", "Faculty Head"), (0.85, 0.15)),
    ("", "middle_leader"): (("Principal Teacher", "PT"), (0.6, 0.4)),
    ("", "senior_leader"): (("DHT", "Depute Head Teacher", "Depute Head"), (0.5, 0.3, 0.2)),
    ("early_years", "headteacher"): (
        ("Head of Centre", "Nursery Manager", "Head Teacher"),
        (0.4, 0.3, 0.3),
    ),
    ("", "headteacher"): (
        ("Head Teacher", "Headteacher", "HT", "Acting Head Teacher"),
        (0.65, 0.2, 0.1, 0.05),
    ),
    ("central", "central_officer"): (
        (
            "QIO",
            "Quality Improvement Officer",
            "Education Officer",
            "Development Officer",
            "Educational Psychologist",
            "Quality Improvement Manager",
            "Education Support Officer",
        ),
        (0.3, 0.2, 0.15, 0.1, 0.15, 0.05, 0.05),
    ),
    ("early_years", "support_staff"): (
        ("Early Years Worker", "Support for Learning Worker"),
        (0.7, 0.3),
    ),
    ("secondary", "support_staff"): (
        ("Pupil Support Assistant", "Technician", "Support for Learning Worker"),
        (0.5, 0.3, 0.2),
    ),
    ("", "support_staff"): (
        ("Pupil Support Assistant", "Classroom Assistant", "Support for Learning Worker"),
        (0.5, 0.25, 0.25),
    ),
    ("", "other"): (("Student Teacher", "Partner", "Volunteer"), (0.6, 0.2, 0.2)),
}

# sector affinities, SECTOR_NAMES order (early years, primary, secondary, special, central)
_ALL = (1.0, 1.0, 1.0, 1.0, 0.5)
_EY_PRI = (1.0, 1.0, 0.0, 0.3, 0.5)
_PRI = (0.0, 1.0, 0.0, 0.3, 0.5)
_PRI_SEC = (0.0, 1.0, 1.0, 0.3, 0.5)
_SEC = (0.0, 0.0, 1.0, 0.3, 0.5)
_EY = (1.0, 0.0, 0.0, 0.0, 0.5)
_SEC_ONLY = (0.0, 0.0, 1.0, 0.0, 0.5)


@dataclass(frozen=True)
class Workstream:
    """A workstream as the partnership names it, and how its networks recruit.

    ``share`` of all networks; ``kind``; ``recruit`` how a network draws member
    establishments: ``within`` its recruitment group (one council, or two neighbouring
    small ones), ``matched`` across councils on purpose (each council equally likely),
    ``open`` partnership-wide (in proportion to the councils' sizes); ``size`` the range
    of member establishments a network has in a session (``large``: the share of its
    networks that are large programmes, of ``large_size`` establishments); ``keep`` the
    share of a network's member establishments that stay from one session to the next
    (cohort programmes low, standing networks high); ``per_est`` the mean number of
    practitioners an establishment sends; ``leaders`` the share of those places taken by
    middle, senior and head leaders; ``events`` meetings a session; ``hours`` typical
    in-person hours and their probabilities; ``topics``: (name, sector affinities in
    SECTOR_NAMES order).
    """

    name: str
    share: float
    kind: str
    recruit: str
    size: tuple[int, int]
    keep: float
    per_est: float
    leaders: float
    events: int
    hours: tuple[tuple[float, ...], tuple[float, ...]]
    topics: tuple[tuple[str, tuple[float, ...]], ...]
    repeat: str = "group"
    large: float = 0.0
    large_size: tuple[int, int] = (40, 150)


WORKSTREAMS: tuple[Workstream, ...] = (
    Workstream(
        "Collaborative learning networks",
        0.12,
        "enquiry",
        "matched",
        (6, 10),
        0.1,
        2.0,
        0.5,
        6,
        ((1.5, 2.0), (0.6, 0.4)),
        tuple(
            (f"{t} collaborative learning network", s)
            for t, s in (
                ("Numeracy", _PRI_SEC),
                ("Literacy", _PRI),
                ("Writing", _PRI),
                ("Reading for pleasure", _PRI),
                ("Play pedagogy", _EY_PRI),
                ("Primary-secondary transition", _PRI_SEC),
                ("Learner participation", _ALL),
                ("Nurturing approaches", _ALL),
                ("Digital literacy", _PRI_SEC),
                ("STEM", _PRI_SEC),
                ("Moderation", _PRI_SEC),
                ("Attendance and engagement", _SEC),
                ("Feedback and assessment", _SEC),
                ("Metacognition", _PRI_SEC),
                ("Mathematical thinking", _PRI),
            )
        ),
        repeat="cohort",
    ),
    Workstream(
        "Curricular networks",
        0.18,
        "curricular",
        "within",
        (6, 12),
        0.75,
        1.5,
        0.3,
        5,
        ((2.0, 3.0), (0.7, 0.3)),
        # one topic per subject, secondary only
        tuple((f"{name} curricular network", _SEC_ONLY) for name, _, _ in CURRICULAR_SUBJECTS),
    ),
    Workstream(
        "Early learning and childcare",
        0.07,
        "enquiry",
        "within",
        (6, 14),
        0.6,
        1.5,
        0.4,
        5,
        ((1.5, 2.0), (0.6, 0.4)),
        tuple(
            (f"{t} early years network", _EY)
            for t in (
                "Play and learning",
                "Early language and communication",
                "Outdoor play",
                "Transitions into P1",
                "Family engagement",
                "Early numeracy",
            )
        ),
    ),
    Workstream(
        "ASL networks",
        0.08,
        "specialist",
        "within",
        (6, 12),
        0.6,
        1.5,
        0.3,
        5,
        ((2.0,), (1.0,)),
        tuple(
            (f"{t} ASL network", (0.3, 0.6, 0.6, 1.0, 0.5))
            for t in (
                "Autism",
                "Dyslexia",
                "Nurture",
                "Speech, language and communication",
                "Social, emotional and behavioural needs",
                "Inclusion and wellbeing",
                "Complex needs",
                "English as an additional language",
                "Care-experienced learners",
                "Trauma-informed practice",
            )
        ),
    ),
    Workstream(
        "Health and wellbeing",
        0.10,
        "enquiry",
        "within",
        (6, 14),
        0.6,
        1.5,
        0.35,
        5,
        ((1.5, 2.0), (0.6, 0.4)),
        tuple(
            (f"{t} network", _ALL)
            for t in (
                "Health and wellbeing",
                "Nurture and relationships",
                "Transitions",
                "Physical activity and sport",
                "Mental health and wellbeing",
                "Equity and poverty",
            )
        ),
    ),
    Workstream(
        "Professional learning (CLPL)",
        0.12,
        "programme",
        "open",
        (6, 15),
        0.2,
        2.5,
        0.15,
        8,
        ((1.5, 3.0, 6.0), (0.5, 0.3, 0.2)),
        tuple(
            (f"{t} (CLPL)", s)
            for t, s in (
                ("Raising attainment in numeracy", _PRI_SEC),
                ("Raising attainment in literacy", _PRI_SEC),
                ("Digital learning and teaching", _ALL),
                ("Moderation and assessment", _PRI_SEC),
                ("Developing the Young Workforce", _SEC),
                ("Learning for sustainability", _ALL),
                ("Effective questioning", _ALL),
                ("Differentiation and inclusion", _ALL),
                ("Early level play", _EY_PRI),
                ("Probationer teacher support", _ALL),
                ("Coaching and mentoring", _ALL),
                ("Practitioner enquiry", _ALL),
                ("Using data for improvement", _ALL),
                ("Improving writing", _PRI),
                ("Mental health and wellbeing", _ALL),
                ("Gaelic medium education", _PRI_SEC),
                ("Pedagogy in the senior phase", _SEC),
                ("Numeracy across learning", _ALL),
            )
        ),
        repeat="cohort",
        large=0.15,
        large_size=(30, 90),
    ),
    Workstream(
        "Leadership programmes",
        0.06,
        "programme",
        "matched",
        (6, 14),
        0.1,
        1.2,
        0.9,
        7,
        ((3.0, 6.0), (0.5, 0.5)),
        tuple(
            (t, _ALL)
            for t in (
                "Aspiring middle leaders programme",
                "Middle leaders' programme",
                "Aspiring depute headteachers programme",
                "Depute headteachers' leadership programme",
                "Into headship",
                "New headteachers' programme",
                "Excellence in headship",
                "Leading collaborative enquiry",
                "Teacher leadership programme",
                "Early years leadership programme",
                "System leadership programme",
            )
        ),
        repeat="cohort",
    ),
    Workstream(
        "Forums",
        0.14,
        "forum",
        "within",
        (6, 15),
        0.8,
        1.0,
        0.9,
        4,
        ((1.5, 2.0), (0.5, 0.5)),
        (
            ("Headteachers' forum", _ALL),
            ("Primary forum", _PRI),
            ("Secondary forum", _SEC),
            ("Early years forum", _EY),
            ("ASN forum", (0.0, 0.2, 0.2, 1.0, 0.5)),
        ),
    ),
    Workstream(
        "Families and communities",
        0.13,
        "enquiry",
        "within",
        (6, 12),
        0.5,
        1.5,
        0.35,
        4,
        ((1.5,), (1.0,)),
        tuple(
            (t, (1.0, 1.0, 0.35, 0.5, 0.5))
            for t in (
                "Family learning network",
                "Parental engagement network",
                "Cost of the school day network",
                "Community partnerships network",
                "Family wellbeing network",
                "Home learning network",
                "Young carers network",
            )
        ),
    ),
)
