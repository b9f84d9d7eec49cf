"""Shipped datasets: the tiny hand-worked ecosystem, the West Partnership example and
the synthetic generator.
"""

from __future__ import annotations

import pandas as pd

from wpnet.ecosystem import Ecosystem

__all__ = ["tiny"]


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
