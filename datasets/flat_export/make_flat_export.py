"""Make the messy flat registration export in this folder (registrations.csv).

Everything in it is invented: the people are random pairings of common first names and
surnames with ``.example`` e-mail addresses (RFC 2606), the events are made up, and
the schools are taken from an establishments register (by default the synthetic West
Partnership example, ``datasets/west_partnership/establishments.csv``). The mistakes
listed in README.md are put in on purpose, at fixed places, so that tests can check
that :func:`wpnet.from_records` finds each of them.

Run from the repository root::

    python datasets/flat_export/make_flat_export.py [--register PATH] [--out PATH] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
HEADER = ["Full Name", "E-mail address", "School", "Local Authority", "Event", "Job Title", "Date"]

FIRST = [
    "Ann",
    "Bob",
    "Cara",
    "Dev",
    "Ewan",
    "Fiona",
    "Greg",
    "Hana",
    "Iain",
    "Jade",
    "Kirsty",
    "Liam",
    "Morag",
    "Niall",
    "Orla",
    "Paul",
    "Rhona",
    "Sean",
    "Tara",
    "Umar",
    "Vicky",
    "Will",
    "Yasmin",
    "Zoë",
    "Siobhán",
    "Ròisín",
    "Aidan",
    "Beth",
    "Calum",
    "Dana",
]
LAST = [
    "Smith",
    "Brown",
    "Wilson",
    "Campbell",
    "Stewart",
    "Thomson",
    "Robertson",
    "Anderson",
    "MacDonald",
    "Scott",
    "Reid",
    "Murray",
    "Taylor",
    "Clark",
    "Ross",
    "Watson",
    "Morrison",
    "Paterson",
    "Young",
    "Mitchell",
    "O’Neill",
    "McLaughlin",
    "Fraser",
    "Hamilton",
    "Graham",
    "Kerr",
    "Boyle",
    "Docherty",
]

#: How each authority is written in the export besides its own name.
AUTHORITY_SPELLINGS = {
    "Glasgow City": ["Glasgow", "Glasgow City Council", "glasgow city", "GCC"],
    "North Lanarkshire": ["N Lanarkshire", "North Lanarkshire Council"],
    "South Lanarkshire": ["SLC", "South Lanarkshire Council"],
    "East Dunbartonshire": ["E Dunbartonshire", "East Dunbartonshire Council"],
    "East Renfrewshire": ["East Renfrewshire Council", "ERC"],
    "Renfrewshire": ["Renfrewshire Council"],
    "Inverclyde": ["Inverclyde Council"],
    "West Dunbartonshire": ["WDC", "West Dunbartonshire Council"],
}

#: Events (the networks) and how some of them are also written.
EVENTS = {
    "Numeracy CLN": ["numeracy  cln", "Numeracy CLN "],
    "Literacy CLN": ["Literacy cln"],
    "Early Years Forum": ["early years forum"],
    "Middle Leaders Programme": ["Middle Leaders programme"],
    "Headteacher Forum": [],
    "Digital Learning Network": ["Digital learning network"],
    "ASN Practitioner Network": [],
    "Writing Moderation Group": [],
}

TITLES = {
    "primary": [
        "Class Teacher",
        "Class Teacher",
        "Teacher",
        "PT",
        "DHT",
        "Head Teacher",
        "Probationer",
    ],
    "secondary": [
        "Teacher of English",
        "PT Maths",
        "Teacher of Maths",
        "DHT",
        "Faculty Head",
        "HT",
    ],
    "early_years": [
        "EYP",
        "Early Years Practitioner",
        "Senior EYP",
        "Nursery Teacher",
        "Head of Centre",
    ],
    "special": ["Class Teacher", "PSA", "DHT", "Head Teacher"],
    "central": ["QIO", "Education Officer"],
}
UNKNOWN_TITLES = ["Wellbeing Champion", "Digital Ambassador"]

#: Schools that are in no register: their rows must be rejected.
UNKNOWN_SCHOOLS = ["Quixote Community Campus", "Zephyr Learning Hub"]


def _misspell(name: str, rng: random.Random) -> str | None:
    """Drop one inner letter of the longest word of 9+ letters (a typo fuzzy matching
    should forgive), or None when the name has no such word."""
    words = name.split()
    longest = max(words, key=len)
    if len(longest) < 9 or not longest.isalpha():
        return None
    i = rng.randrange(2, len(longest) - 2)
    return name.replace(longest, longest[:i] + longest[i + 1 :], 1)


def _date_text(day: pd.Timestamp, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.70:
        return day.strftime("%d/%m/%Y")
    if r < 0.80:
        return f"{day.day}/{day.month}/{day.strftime('%y')}"
    if r < 0.90:
        return str((day - pd.Timestamp("1899-12-30")).days)  # Excel serial
    return day.strftime("%Y-%m-%d")


def _messy(text: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.08:
        return f"  {text} "
    if r < 0.12:
        return text.replace(" ", "\u00a0", 1)
    if r < 0.15:
        return text.replace(" ", "  ", 1)
    return text


def make(register: pd.DataFrame, seed: int = 7, people: int = 130) -> pd.DataFrame:
    """The export as a DataFrame of text (see README.md for what is wrong in it)."""
    rng = random.Random(seed)
    reg = register.sort_values("establishment_id").reset_index(drop=True)
    schools = reg.iloc[sorted(rng.sample(range(len(reg)), min(45, len(reg))))]
    schools = schools.reset_index(drop=True)
    events = list(EVENTS)
    dates = pd.date_range("2022-08-22", "2024-06-21", freq="W-WED")
    rows: list[list[str]] = []
    used: set[str] = set()
    for _ in range(people):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        local = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower())
        while local in used:
            local += str(rng.randrange(10))
        used.add(local)
        school = schools.iloc[rng.randrange(len(schools))]
        auth = str(school["authority"])
        domain = re.sub(r"[^a-z]+", "-", auth.lower()) + ".example"
        email = f"{local}@{domain}"
        title = rng.choice(TITLES.get(str(school["sector"]), TITLES["primary"]))
        for _ in range(rng.randint(1, 6)):
            event = rng.choice(events)
            day = dates[rng.randrange(len(dates))]
            rows.append(
                [
                    _messy(f"{first} {last}", rng),
                    email.upper() if rng.random() < 0.1 else email,
                    _messy(str(school["name"]), rng),
                    rng.choice([auth, auth, *AUTHORITY_SPELLINGS.get(auth, [])]),
                    rng.choice([event, event, event, *EVENTS[event]]),
                    title,
                    _date_text(day, rng),
                ]
            )
    # deliberate problems, at fixed positions
    n = len(rows)
    typo_schools = [s for s in schools["name"] if _misspell(str(s), random.Random(1))][:4]
    for k, school in enumerate(typo_schools):  # misspelt school names (fuzzy matched)
        for r in rows:
            if (
                r[2].strip().replace("\u00a0", " ").replace("  ", " ") == school
                and rng.random() < 0.5
            ):
                r[2] = _misspell(school, random.Random(k)) or r[2]
    for k, school in enumerate(UNKNOWN_SCHOOLS):  # schools in no register (rejected)
        rows[(k + 1) * n // 5][2] = school
    rows[n // 3][6] = "31/02/2023"  # impossible dates (rejected)
    rows[n // 2][6] = "30/13/2023"
    rows[2 * n // 3][6] = ""  # no date (rejected)
    rows[n // 4][1] = ""  # no e-mail: identified by name + school
    rows[3 * n // 4][5] = UNKNOWN_TITLES[0]  # job titles wpnet does not know (level other)
    rows[3 * n // 4 + 1][5] = UNKNOWN_TITLES[1]
    rows[n // 6][5] = '=HYPERLINK("http://example.invalid","PT")'  # formula injection
    rows[n // 7][4] = ""  # no event (rejected)
    for k in range(10):  # ten exact duplicate rows (rejected)
        rows.append(list(rows[5 + k * (n // 10)]))
    order = list(range(len(rows)))
    rng.shuffle(order)
    return pd.DataFrame([rows[i] for i in order], columns=HEADER)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--register", default=ROOT / "datasets/west_partnership/establishments.csv")
    ap.add_argument("--out", default=HERE / "registrations.csv")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    register = pd.read_csv(args.register, dtype=str)
    df = make(register, seed=args.seed)
    with open(args.out, "w", encoding="cp1252", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(HEADER)
        w.writerows(df.itertuples(index=False))
    print(f"{args.out}: {len(df)} rows")


if __name__ == "__main__":
    main()
