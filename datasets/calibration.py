"""Print the West Partnership example's values for the calibration table of its README.

Run from the repository root::

    python datasets/calibration.py

Each line is a quantity of ``datasets/west_partnership/README.md``'s calibration table
and the example's value, computed with wpnet's public API from ``wpnet.load_example()``.
"""

from __future__ import annotations

import pandas as pd

import wpnet

LEADERS = ("middle_leader", "senior_leader", "headteacher")


def rows(eco: wpnet.Ecosystem) -> list[tuple[str, str]]:
    """(quantity, the example's value) in the README table's order."""
    est = eco.establishments
    sector = est["sector"]
    schools = est[sector.isin(["primary", "secondary", "special"])]
    per_council = schools.groupby("authority").size().sort_values(ascending=False)
    q1 = (est.loc[sector != "central", "simd_quintile"] == 1).groupby(est["authority"]).mean()
    r = eco.records
    s = eco.sessions
    reach = [wpnet.reach(eco.select(session=x))["coverage"].iloc[0] for x in s]
    people = {k: set(v) for k, v in r.groupby("session")["practitioner_id"]}
    back = [len(people[a] & people[b]) / len(people[a]) for a, b in zip(s, s[1:], strict=False)]
    per_session = r.groupby("session")
    member = r.drop_duplicates(["practitioner_id", "network_id"])
    lead = member["level"].isin(LEADERS).groupby(member["workstream"]).mean()
    size = r.groupby(["network_id", "session"])["establishment_id"].nunique()
    mode = eco.participation.groupby("session")["mode"].apply(lambda m: (m == "online").mean())
    heads = (eco.practitioners["level"] == "headteacher").mean()

    def pct(x: float) -> str:
        return f"{100 * x:.0f}%"

    def by_session(values) -> str:
        return ", ".join(f"{x}" for x in values)

    return [
        (
            "council schools (primary / secondary / special)",
            f"{len(schools)} ({(sector == 'primary').sum()} / {(sector == 'secondary').sum()}"
            f" / {(sector == 'special').sum()})",
        ),
        ("schools per council", ", ".join(f"{a} {n}" for a, n in per_council.items())),
        ("nurseries", f"{(sector == 'early_years').sum()}"),
        ("schools and nurseries", f"{(sector != 'central').sum()} (+ 8 central teams)"),
        (
            "SIMD quintile 1 share (of establishments)",
            ", ".join(f"{a} {pct(v)}" for a, v in q1.sort_values(ascending=False).items()),
        ),
        ("schools and nurseries reached per session", by_session(pct(x) for x in reach)),
        (
            "practitioners taking part per session (register)",
            by_session(per_session["practitioner_id"].nunique().tolist())
            + f" (register {len(eco.practitioners):,})",
        ),
        ("records per session", by_session(per_session.size().tolist())),
        ("practitioners returning the next session", by_session(pct(x) for x in back)),
        (
            "leaders among participants, by workstream",
            ", ".join(f"{w} {pct(v)}" for w, v in lead.sort_values(ascending=False).items()),
        ),
        ("headteachers in the register", pct(heads)),
        (
            "establishments per network per session",
            f"{pct(size.between(6, 15).mean())} of network-sessions have 6-15; median "
            f"{size.median():.0f}; largest {size.max()}",
        ),
        (
            "2020-21: records and online share",
            f"records {per_session.size()['2020-21']} (2019-20: "
            f"{per_session.size()['2019-20']}); online {pct(mode['2020-21'])} "
            f"(2019-20 {pct(mode['2019-20'])}, 2023-24 {pct(mode['2023-24'])})",
        ),
        (
            "networks and workstreams",
            f"{len(eco.networks)} in {eco.networks['workstream'].nunique()}",
        ),
    ]


def main() -> None:
    pd.set_option("display.width", 200)
    for quantity, value in rows(wpnet.load_example()):
        print(f"{quantity}: {value}")


if __name__ == "__main__":
    main()
