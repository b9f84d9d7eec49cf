"""Shipped datasets: the tiny hand-worked ecosystem, the West Partnership example and
the synthetic generator.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import pandas as pd

from wpnet.ecosystem import Ecosystem
from wpnet.errors import UsageError
from wpnet.sessions import sessions_between

__all__ = ["EXAMPLE", "example_path", "example_readme", "load_example", "synthetic", "tiny"]

#: How the shipped West Partnership example was generated: ``synthetic(**EXAMPLE)``.
EXAMPLE: dict = {
    "establishments": 1060,
    "practitioners": 22_000,
    "networks": 130,
    "records": 120_000,
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
) -> Ecosystem:
    """A synthetic partnership of any size, calibrated to the West Partnership.

    The data are invented: no row describes a real school, practitioner or meeting.
    They follow how such partnerships work, so that the measures have something to
    find: establishments per authority in proportion to the councils' school numbers,
    SIMD quintiles skewed as in reality (Glasgow City, Inverclyde and West
    Dunbartonshire most deprived; East Dunbartonshire and East Renfrewshire least);
    curricular networks draw secondary staff of their subject, forums their sector, most
    networks mainly their lead authority, professional learning and leadership
    programmes all eight; a minority of outward-looking establishments join other
    authorities' networks; participation grows, dips and moves online in 2020-21;
    about half of each session's practitioners return the next; volunteer leads; some
    practitioners move school; participation is lower in some SIMD quintile 1 schools
    and higher in others. :mod:`wpnet._generate` documents every step.

    Parameters
    ----------
    establishments : int
        Schools and nurseries (non-central); one central team per authority is added.
    practitioners : int
        Practitioners in the register; each is active in at least one session unless
        ``records`` is smaller than the number of practitioner-sessions.
    networks : int
        Networks, apportioned over seven workstreams.
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
        invented facts.

    Returns
    -------
    Ecosystem

    Examples
    --------
    >>> eco = synthetic(establishments=60, practitioners=400, networks=20, records=2000, seed=1)
    >>> len(eco.participation), eco.sessions[0], eco.sessions[-1]
    (2000, '2019-20', '2023-24')
    >>> int((eco.establishments["sector"] == "central").sum())
    8
    """
    from wpnet._generate import generate

    if isinstance(sessions, int):
        if sessions < 1:
            raise UsageError(f"sessions must be >= 1; got {sessions}")
        last = 2023
        sessions = sessions_between(
            f"{last - sessions + 1}-{(last - sessions + 2) % 100:02d}", "2023-24"
        )
    tables = generate(
        establishments, practitioners, networks, records, list(sessions), seed, authorities
    )
    return Ecosystem(**tables)


def example_path() -> Path:
    """The folder of the packaged West Partnership example (Parquet tables)."""
    return Path(str(resources.files("wpnet") / "data" / "west_partnership"))


def example_readme() -> str:
    """The data dictionary of the West Partnership example (Markdown)."""
    return (example_path() / "README.md").read_text(encoding="utf-8")


def load_example() -> Ecosystem:
    """The West Partnership example: a synthetic partnership of the real eight councils.

    Synthetic — invented, not real data — and deterministic: it is
    ``synthetic(**EXAMPLE)``, stored with the package so every install gives the same
    numbers whatever its numpy version. The same tables ship as CSV in
    ``datasets/west_partnership/`` with a data dictionary (:func:`example_readme`).
    Eight authorities; 1,060 schools and nurseries plus eight central teams; 22,000
    practitioners; 130 networks in seven workstreams; 120,000 participation records
    over five sessions, 2019-20 to 2023-24; an advice-tie survey in 2022-23.

    Examples
    --------
    >>> eco = load_example()
    >>> eco.sessions
    ['2019-20', '2020-21', '2021-22', '2022-23', '2023-24']
    >>> eco.establishments["authority"].nunique(), len(eco.participation)
    (8, 120000)
    """
    folder = example_path()
    tables = {t: pd.read_parquet(folder / f"{t}.parquet") for t in _TABLES}
    return Ecosystem(**tables)
