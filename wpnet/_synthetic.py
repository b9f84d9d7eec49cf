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

    ``weight`` is the authority's share of the partnership's primary, secondary and
    special schools; ``hq`` the council's education headquarters; ``centre`` and
    ``spread`` (standard deviations in degrees) where its schools are scattered; ``simd``
    the share of its pupils living in each SIMD quintile (1 = most deprived);
    ``urban`` its shares of :data:`URBAN_RURAL`; ``towns`` local place names.
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


# School counts (primary + secondary + special, council schools, early 2020s, rounded):
# Glasgow City ~193, North Lanarkshire ~151, South Lanarkshire ~150, Renfrewshire ~63,
# East Dunbartonshire ~44, West Dunbartonshire ~39, East Renfrewshire ~32, Inverclyde ~28.
# SIMD shares: approximate shares of data zones per quintile in SIMD 2020.
AUTHORITY_FACTS: dict[str, Authority] = {
    a.name: a
    for a in (
        Authority(
            "Glasgow City",
            "GLA",
            193,
            (55.8610, -4.2490),
            (55.8600, -4.2600),
            (0.035, 0.080),
            (0.44, 0.20, 0.13, 0.11, 0.12),
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
        ),
        Authority(
            "North Lanarkshire",
            "NLK",
            151,
            (55.7890, -3.9920),
            (55.8600, -3.9800),
            (0.060, 0.070),
            (0.29, 0.24, 0.20, 0.15, 0.12),
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
        ),
        Authority(
            "South Lanarkshire",
            "SLK",
            150,
            (55.7770, -4.0400),
            (55.7200, -4.0000),
            (0.090, 0.150),
            (0.17, 0.20, 0.22, 0.21, 0.20),
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
        ),
        Authority(
            "Renfrewshire",
            "REN",
            63,
            (55.8450, -4.4250),
            (55.8500, -4.4700),
            (0.030, 0.080),
            (0.22, 0.19, 0.18, 0.19, 0.22),
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
        ),
        Authority(
            "East Dunbartonshire",
            "EDB",
            44,
            (55.9360, -4.1560),
            (55.9300, -4.2200),
            (0.025, 0.060),
            (0.04, 0.07, 0.12, 0.25, 0.52),
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
        ),
        Authority(
            "West Dunbartonshire",
            "WDB",
            39,
            (55.9440, -4.5650),
            (55.9400, -4.4800),
            (0.020, 0.070),
            (0.38, 0.22, 0.18, 0.12, 0.10),
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
        ),
        Authority(
            "East Renfrewshire",
            "ERF",
            32,
            (55.7990, -4.2960),
            (55.7800, -4.3300),
            (0.030, 0.050),
            (0.04, 0.06, 0.10, 0.20, 0.60),
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
            (0.42, 0.17, 0.14, 0.13, 0.14),
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

_ALL = (1.0, 1.0, 1.0, 1.0, 1.0)
_EY_PRI = (1.0, 1.0, 0.25, 0.3, 0.6)
_PRI = (0.3, 1.0, 0.25, 0.3, 0.6)
_PRI_SEC = (0.1, 1.0, 1.0, 0.3, 0.6)
_SEC = (0.02, 0.15, 1.0, 0.3, 0.6)


@dataclass(frozen=True)
class Workstream:
    """A workstream as the partnership names it, and how its networks draw members.

    ``share`` of all networks; ``kind``; ``cross`` the weight a member of another
    authority than the lead gives the network (1 = partnership-wide); ``popularity``
    multiplier; ``events`` meetings a session; ``hours`` typical in-person hours and
    their probabilities; ``levels`` level affinities (LEVEL_NAMES order); ``topics``:
    (name, sector affinities in SECTOR_NAMES order, level affinities or None).
    """

    name: str
    share: float
    kind: str
    cross: float
    popularity: float
    events: int
    hours: tuple[tuple[float, ...], tuple[float, ...]]
    levels: tuple[float, ...]
    topics: tuple[tuple[str, tuple[float, ...], tuple[float, ...] | None], ...]
    repeat: str = "group"


_FORUM_LEVELS = (0.15, 0.6, 1.0, 1.5, 1.0, 0.05, 0.05)

WORKSTREAMS: tuple[Workstream, ...] = (
    Workstream(
        "Collaborative learning networks",
        0.30,
        "enquiry",
        0.06,
        1.0,
        6,
        ((1.5, 2.0), (0.6, 0.4)),
        (1.0, 1.0, 0.5, 0.4, 1.0, 0.3, 0.3),
        tuple(
            (f"{t} collaborative learning network", s, None)
            for t, s in (
                ("Numeracy", _PRI_SEC),
                ("Literacy", _PRI),
                ("Writing", _PRI),
                ("Reading for pleasure", _PRI),
                ("Play pedagogy", _EY_PRI),
                ("Early level transitions", _EY_PRI),
                ("Closing the vocabulary gap", _EY_PRI),
                ("Primary-secondary transition", _PRI_SEC),
                ("Learner participation", _ALL),
                ("Nurturing approaches", _ALL),
                ("Outdoor learning", _EY_PRI),
                ("Digital literacy", _PRI_SEC),
                ("STEM", _PRI_SEC),
                ("Moderation", _PRI_SEC),
                ("Health and wellbeing", _ALL),
                ("Attendance and engagement", _SEC),
                ("Senior phase pathways", _SEC),
                ("Feedback and assessment", _SEC),
                ("Metacognition", _PRI_SEC),
                ("Mathematical thinking", _PRI),
            )
        ),
        repeat="cohort",
    ),
    Workstream(
        "Curricular networks",
        0.20,
        "curricular",
        0.12,
        1.0,
        5,
        ((2.0, 3.0), (0.7, 0.3)),
        (1.0, 1.6, 0.2, 0.05, 1.0, 0.1, 0.2),
        # one topic per subject; sector affinities set for secondary (see generator)
        tuple(
            (f"{name} curricular network", (0.003, 0.01, 1.0, 0.1, 0.3), None)
            for name, _, _ in CURRICULAR_SUBJECTS
        ),
    ),
    Workstream(
        "ASL networks",
        0.10,
        "specialist",
        0.06,
        0.8,
        5,
        ((2.0,), (1.0,)),
        (1.0, 1.0, 0.6, 0.4, 1.0, 1.0, 0.3),
        tuple(
            (f"{t} ASL network", (0.15, 0.3, 0.3, 1.0, 0.5), None)
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
                "Sensory impairment",
                "Augmentative and alternative communication",
                "Trauma-informed practice",
            )
        ),
    ),
    Workstream(
        "Professional learning (CLPL)",
        0.17,
        "programme",
        1.0,
        2.5,
        8,
        ((1.5, 3.0, 6.0), (0.5, 0.3, 0.2)),
        (1.0, 0.9, 0.5, 0.3, 1.0, 0.6, 0.6),
        tuple(
            (f"{t} (CLPL)", s, None)
            for t, s in (
                ("Raising attainment in numeracy", _PRI_SEC),
                ("Raising attainment in literacy", _PRI_SEC),
                ("Moderation and assessment", _PRI_SEC),
                ("Digital learning and teaching", _ALL),
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
    ),
    Workstream(
        "Leadership programmes",
        0.08,
        "programme",
        1.0,
        1.2,
        7,
        ((3.0, 6.0), (0.5, 0.5)),
        (1.0, 1.0, 1.0, 1.0, 0.2, 0.05, 0.05),
        tuple(
            (t, (0.6, 1.0, 1.0, 0.7, 0.2), lv)
            for t, lv in (
                ("Aspiring middle leaders programme", (1.0, 0.3, 0.02, 0.01, 0.05, 0.02, 0.02)),
                ("Middle leaders' programme", (0.2, 1.0, 0.1, 0.01, 0.05, 0.02, 0.02)),
                ("Aspiring depute headteachers programme", (0.1, 1.0, 0.3, 0.01, 0.05, 0.01, 0.01)),
                (
                    "Depute headteachers' leadership programme",
                    (0.01, 0.2, 1.0, 0.1, 0.05, 0.0, 0.0),
                ),
                ("Into headship", (0.01, 0.1, 1.0, 0.3, 0.05, 0.0, 0.0)),
                ("New headteachers' programme", (0.0, 0.02, 0.3, 1.0, 0.1, 0.0, 0.0)),
                ("Excellence in headship", (0.0, 0.01, 0.1, 1.0, 0.2, 0.0, 0.0)),
                ("Leading collaborative enquiry", (0.3, 1.0, 1.0, 0.5, 0.5, 0.0, 0.0)),
                ("Teacher leadership programme", (1.0, 0.4, 0.05, 0.01, 0.1, 0.05, 0.05)),
                ("Early years leadership programme", (0.5, 1.0, 1.0, 1.0, 0.2, 0.0, 0.0)),
                ("System leadership programme", (0.0, 0.1, 0.6, 1.0, 1.0, 0.0, 0.0)),
            )
        ),
    ),
    Workstream(
        "Forums",
        0.08,
        "forum",
        0.04,
        1.5,
        4,
        ((1.5, 2.0), (0.5, 0.5)),
        _FORUM_LEVELS,
        (
            ("Early years forum", (1.0, 0.02, 0.005, 0.02, 0.5), None),
            ("Primary forum", (0.05, 1.0, 0.01, 0.02, 0.5), None),
            ("Secondary forum", (0.005, 0.01, 1.0, 0.02, 0.5), None),
            ("ASN forum", (0.02, 0.05, 0.05, 1.0, 0.5), None),
        ),
    ),
    Workstream(
        "Families and communities",
        0.07,
        "enquiry",
        0.05,
        0.7,
        4,
        ((1.5,), (1.0,)),
        (1.0, 0.8, 0.8, 0.8, 1.0, 1.0, 1.0),
        tuple(
            (t, (1.0, 1.0, 0.35, 0.5, 0.5), None)
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
