"""Shipped datasets: the tiny hand-worked ecosystem, the West Partnership example and
the synthetic generator.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from wpnet.ecosystem import Ecosystem
from wpnet.errors import UsageError
from wpnet.sessions import sessions_between

__all__ = [
    "EXAMPLE",
    "example_path",
    "example_readme",
    "example_truth",
    "load_example",
    "synthetic",
    "tiny",
]

#: How the shipped West Partnership example was generated: ``synthetic(**EXAMPLE)``.
EXAMPLE: dict = {
    "establishments": 1061,
    "practitioners": 22_000,
    "networks": 200,
    "records": 45_000,
    "sessions": ("2019-20", "2020-21", "2021-22", "2022-23", "2023-24"),
    "seed": 2019,
}
_TABLES = ("establishments", "practitioners", "networks", "participation", "ties")


def tiny() -> Ecosystem:
    """The tiny hand-worked ecosystem used in docstrings and tests.

    Three authorities, six schools and one central team, seven practitioners, three
    networks and ten records over two sessions. It holds every case the measures must
    get right: a record dated 31 July (2021-22) and one dated 1 August (2022-23), a
    practitioner (P4) who moved from E3 to E4 and is counted at E4 in 2022-23, a central
    team (C1) in a network, an establishment (E5) reached with no co-member, one (E6)
    never reached, and leads and facilitators.

    In 2022-23 the establishment projection has nodes E1, E2, E4, E5, C1 and ties
    E1-E4, E1-C1, E4-C1 (network N1) and E2-E4 (network N2); E5 is an isolate.

    Examples
    --------
    >>> eco = tiny()
    >>> len(eco.establishments), len(eco.practitioners), len(eco.participation)
    (7, 7, 10)
    """
    establishments = pd.DataFrame(
        [
            ("E1", "Ashgrove Primary", "Glasgow City", "primary", 1, 210, 55.86, -4.25),
            ("E2", "Barrhead High", "Glasgow City", "secondary", 3, 900, 55.87, -4.28),
            ("E3", "Cove Primary", "Inverclyde", "primary", 1, 180, 55.94, -4.76),
            ("E4", "Dunrod School", "Inverclyde", "special", 5, 60, 55.93, -4.74),
            ("E5", "Elm Nursery", "Renfrewshire", "early_years", 2, 40, 55.84, -4.43),
            ("E6", "Fernhill Primary", "Renfrewshire", "primary", 4, 300, 55.85, -4.41),
            (
                "C1",
                "Glasgow City central team",
                "Glasgow City",
                "central",
                None,
                None,
                55.86,
                -4.25,
            ),
        ],
        columns=[
            "establishment_id",
            "name",
            "authority",
            "sector",
            "simd_quintile",
            "roll",
            "latitude",
            "longitude",
        ],
    )
    practitioners = pd.DataFrame(
        [
            ("P1", "E1", "practitioner", "Class Teacher"),
            ("P2", "E1", "middle_leader", "PT Numeracy"),
            ("P3", "E2", "headteacher", "Head Teacher"),
            ("P4", "E3", "practitioner", "Class Teacher"),
            ("P5", "E4", "senior_leader", "DHT"),
            ("P6", "E5", "practitioner", "Early Years Practitioner"),
            ("P7", "C1", "central_officer", "QIO"),
        ],
        columns=["practitioner_id", "establishment_id", "level", "role"],
    )
    networks = pd.DataFrame(
        [
            (
                "N1",
                "Numeracy collaborative learning network",
                "Collaborative learning networks",
                "enquiry",
                "Glasgow City",
            ),
            (
                "N2",
                "Mathematics curricular network",
                "Curricular networks",
                "curricular",
                "Inverclyde",
            ),
            ("N3", "Early years forum", "Forums", "forum", "Renfrewshire"),
        ],
        columns=["network_id", "name", "workstream", "kind", "lead_authority"],
    )
    participation = pd.DataFrame(
        [
            ("P1", "N1", "2021-09-10", None, "participant"),
            ("P4", "N1", "2022-07-31", None, "participant"),
            ("P3", "N2", "2021-10-01", None, "lead"),
            ("P1", "N1", "2022-08-01", None, "participant"),
            ("P2", "N1", "2022-09-15", None, "lead"),
            ("P4", "N1", "2022-10-01", "E4", "participant"),
            ("P3", "N2", "2022-11-01", None, "participant"),
            ("P5", "N2", "2023-01-10", None, "participant"),
            ("P7", "N1", "2023-02-01", None, "facilitator"),
            ("P6", "N3", "2023-03-01", None, "participant"),
        ],
        columns=["practitioner_id", "network_id", "date", "establishment_id", "role"],
    )
    participation["date"] = pd.to_datetime(participation["date"])
    ties = pd.DataFrame(
        [
            ("P1", "P4", "advice"),
            ("P4", "P5", "advice"),
            ("P5", "P3", "advice"),
            ("P2", "P1", "advice"),
        ],
        columns=["source", "target", "kind"],
    )
    return Ecosystem(establishments, practitioners, networks, participation, ties)


def synthetic(
    *,
    establishments: int = EXAMPLE["establishments"],
    practitioners: int = EXAMPLE["practitioners"],
    networks: int = EXAMPLE["networks"],
    records: int = EXAMPLE["records"],
    sessions: Sequence[str] | int = EXAMPLE["sessions"],
    seed: int = 0,
    authorities: int | Sequence[str] | None = None,
    truth: bool = False,
) -> Ecosystem | tuple[Ecosystem, dict[str, Any]]:
    """A synthetic partnership of any size, calibrated to the West Partnership, with
    planted structure for wpnet to find.

    The data are invented: no row describes a real school, practitioner or meeting.
    They follow public facts (``CALIBRATION.md``; the example's README has the table):
    establishments per council in proportion to the councils' 2024 school counts, with
    nurseries; each council's 2024 share of pupils in SIMD quintile 1; about 30% of
    schools and nurseries taking part in a session, rising slowly, lower in 2020-21;
    a minority of the register taking part in a session; about a quarter of a session's
    practitioners returning the next (a different rate each session); cohort programmes
    that take a class teacher and a leader from each school; networks of mostly 6-15
    establishments and a few large professional learning programmes; meetings online
    from March 2020 through 2020-21.

    Planted structure (:class:`wpnet._generate.Plan` holds every parameter): local
    networks recruit within a recruitment group (a council's area, or two small
    neighbouring councils) and partnership-wide programmes mix councils on purpose;
    curricular networks are secondary-only and early learning networks nursery-only; a
    few hub establishments (central teams and "teaching schools") join the networks of
    their own and two neighbouring groups every session (the brokers); engagement is
    concentrated on a core of schools, and large programmes fill from that core; one workstream's cross-authority mixing rises in the last two sessions and
    nothing is planted to change between those two. :mod:`wpnet._generate` documents
    every step.

    Parameters
    ----------
    establishments : int
        Schools and nurseries (non-central); one central team per authority is added.
    practitioners : int
        Practitioners in the register (a minority of them take part in any session).
    networks : int
        Networks, apportioned over nine workstreams.
    records : int
        Participation records, exactly.
    sessions : sequence of str or int
        Session labels, or the number of sessions ending with 2023-24.
    seed : int
        Seed of the random generator: the same arguments give the same ecosystem
        (for a given numpy version).
    authorities : int or sequence of str, optional
        The eight West Partnership councils by default; a number takes the largest
        ones and adds invented ones beyond eight; names not in the partnership get
        invented facts (each its own recruitment group).
    truth : bool
        Also return the planted truth.

    Returns
    -------
    Ecosystem, or (Ecosystem, dict) with ``truth=True``
        The truth is a JSON-ready dict: ``brokers`` (establishment ids planted as
        bridges) and ``broker_groups`` (the groups each bridges); ``communities``
        (establishment id -> planted recruitment group) and ``groups`` (group -> its
        authorities); ``within_authority_networks`` (networks recruiting within one
        group in every session), ``cross_authority_networks`` (matched and
        partnership-wide programmes), ``network_groups`` and ``large_networks``;
        ``planted_change`` (``indicator``, ``workstream``, ``networks``, ``sessions``
        (the pair it happens between), ``before``, ``after``, ``direction``; ``None``
        with one session); ``null_sessions`` (pairs of sessions between which nothing
        was planted to change); ``targets`` (reach, practitioners and return rate per
        session); ``parameters`` (the :class:`~wpnet._generate.Plan` and the
        workstreams); ``generator`` (this call's arguments).

    Examples
    --------
    >>> eco = synthetic(establishments=60, practitioners=400, networks=20, records=2000, seed=1)
    >>> len(eco.participation), eco.sessions[0], eco.sessions[-1]
    (2000, '2019-20', '2023-24')
    >>> int((eco.establishments["sector"] == "central").sum())
    8
    >>> eco, truth = synthetic(
    ...     establishments=60, practitioners=400, networks=20, records=2000, seed=1, truth=True
    ... )
    >>> truth["planted_change"]["sessions"], truth["null_sessions"]
    (['2021-22', '2022-23'], [['2022-23', '2023-24']])
    """
    from wpnet._generate import generate

    if isinstance(sessions, int):
        if sessions < 1:
            raise UsageError(f"sessions must be >= 1; got {sessions}")
        last = 2023
        sessions = sessions_between(
            f"{last - sessions + 1}-{(last - sessions + 2) % 100:02d}", "2023-24"
        )
    tables, planted = generate(
        establishments, practitioners, networks, records, list(sessions), seed, authorities
    )
    eco = Ecosystem(**tables, canonical=True)
    if not truth:
        return eco
    planted["generator"] = {
        "call": "wpnet.synthetic",
        "arguments": {
            "establishments": int(establishments),
            "practitioners": int(practitioners),
            "networks": int(networks),
            "records": int(records),
            "sessions": list(sessions),
            "seed": int(seed),
            "authorities": authorities if authorities is None or isinstance(authorities, int)
            else [str(a) for a in authorities],
        },
    }  # fmt: skip
    return eco, planted


def example_path() -> Path:
    """The folder of the packaged West Partnership example (Parquet tables)."""
    return Path(str(resources.files("wpnet") / "data" / "west_partnership"))


def example_readme() -> str:
    """The data dictionary of the West Partnership example (Markdown)."""
    return (example_path() / "README.md").read_text(encoding="utf-8")


def example_truth() -> dict[str, Any]:
    """The planted truth of the West Partnership example (``truth.json``).

    What :func:`synthetic` returns with ``truth=True`` for ``synthetic(**EXAMPLE)``:
    the planted brokers, recruitment groups, within- and cross-authority networks, the
    planted change and the null sessions (see :func:`synthetic`).

    Examples
    --------
    >>> truth = example_truth()
    >>> truth["planted_change"]["workstream"], truth["null_sessions"]
    ('Families and communities', [['2022-23', '2023-24']])
    """
    return json.loads((example_path() / "truth.json").read_text(encoding="utf-8"))


def load_example() -> Ecosystem:
    """The West Partnership example: a synthetic partnership of the real eight councils.

    Synthetic — invented, not real data — and deterministic: it is
    ``synthetic(**EXAMPLE)``, stored with the package so every install gives the same
    numbers whatever its numpy version. The same tables ship as CSV in
    ``datasets/west_partnership/`` with a data dictionary and calibration table
    (:func:`example_readme`) and the planted truth (:func:`example_truth`).
    Eight authorities; 1,061 schools and nurseries plus eight central teams; a register
    of 22,000 practitioners; 200 networks in nine workstreams; 45,000 participation
    records over five sessions, 2019-20 to 2023-24; an advice-tie survey in 2022-23.

    Examples
    --------
    >>> eco = load_example()
    >>> eco.sessions
    ['2019-20', '2020-21', '2021-22', '2022-23', '2023-24']
    >>> eco.establishments["authority"].nunique(), len(eco.participation)
    (8, 45000)
    """
    folder = example_path()
    tables = {t: pd.read_parquet(folder / f"{t}.parquet") for t in _TABLES}
    return Ecosystem(**tables, canonical=True)
