"""Tests of wpnet.privacy: pseudonyms against hmac directly, suppression against an
independent rank test, output-safety helpers against the attacks they stop."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wpnet.errors import WpnetError
from wpnet.privacy import (
    KeyMissing,
    atomic_path,
    atomic_write,
    json_for_html,
    neutralise,
    pseudonymise,
    safe_cell,
    suppress,
    to_builtin,
)

KEY = "a test key of 16+ bytes"


def oracle(key: str, text: str) -> str:
    return "pn_" + hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()[:16]


# ---- pseudonymise ----------------------------------------------------------------


def test_pseudonym_is_hmac_sha256_of_normalised_value():
    s = pd.Series(["Ann.Smith@School.ORG", "  ann.smith@school.org\t", "bob@x.org", None])
    out = pseudonymise(s, key=KEY)
    want = oracle(KEY, "ann.smith@school.org")
    assert out.tolist()[:3] == [want, want, oracle(KEY, "bob@x.org")]
    assert pd.isna(out.iloc[3])
    assert out.index.equals(s.index)


def test_pseudonym_folds_inner_white_space_and_keeps_prefix():
    assert pseudonymise("Ann  \u00a0Smith", key=KEY, prefix="X") == "X" + oracle(
        KEY, "ann smith"
    ).removeprefix("pn_")


def test_pseudonym_of_list_is_array_and_key_may_be_bytes():
    out = pseudonymise(["a@b.c", "A@B.C"], key=KEY.encode())
    assert isinstance(out, np.ndarray)
    assert out.tolist() == [oracle(KEY, "a@b.c")] * 2


def test_different_keys_give_different_pseudonyms():
    assert pseudonymise("a@b.c", key=KEY + "1") != pseudonymise("a@b.c", key=KEY + "2")


def test_key_from_environment(monkeypatch):
    monkeypatch.setenv("WPNET_KEY", "from-env-0123456789")
    assert pseudonymise("a@b.c") == oracle("from-env-0123456789", "a@b.c")


@pytest.mark.parametrize("key", [None, ""])
def test_missing_key_refuses_and_says_how(monkeypatch, key):
    monkeypatch.delenv("WPNET_KEY", raising=False)
    with pytest.raises(KeyMissing, match="WPNET_KEY") as err:
        pseudonymise(["a@b.c"], key=key)
    assert "same key" in str(err.value).lower()
    assert isinstance(err.value, WpnetError)


# ---- suppress --------------------------------------------------------------------


def test_hand_worked_suppression_with_total_row_and_column():
    # Body: Glasgow 12, 3 | Inverclyde 8, 9 | Renfrewshire 20, 30; totals computed.
    # 3 is primary and recoverable (15 - 12). No single extra cell protects it; the
    # smallest body cell in its row or column, 9, is hidden first; then 9 is
    # recoverable from its row (17 - 8) and 12 is hidden; then 12 from its column, and 8
    # is hidden. {12, 3, 8, 9} is a rectangle: nothing is recoverable, totals stay.
    t = pd.DataFrame(
        {"primary": [12, 8, 20, 40], "secondary": [3, 9, 30, 42], "Total": [15, 17, 50, 82]},
        index=["Glasgow City", "Inverclyde", "Renfrewshire", "Total"],
    )
    s = suppress(t)
    assert s["primary"].tolist() == ["*", "*", 20, 40]
    assert s["secondary"].tolist() == ["<5", "*", 30, 42]
    assert s["Total"].tolist() == [15, 17, 50, 82]
    assert s.attrs["primary"]["secondary"].tolist() == [True, False, False, False]
    assert int(s.attrs["suppressed"].to_numpy().sum()) == 4
    assert all(isinstance(v, int) for v in s["primary"].tolist()[2:])


def test_two_small_cells_protect_each_other_and_small_total_is_hidden():
    t = pd.DataFrame({"n": [2, 1, 10, 13]}, index=["A", "B", "C", "Total"])
    s = suppress(t, totals="none")
    assert s["n"].tolist() == ["<5", "<5", 10, 13]  # 13 - 10 = 3 is only their sum
    t = pd.DataFrame({"n": [2, 1, 0, 3]}, index=["A", "B", "C", "total"])
    assert suppress(t, totals="none")["n"].tolist() == ["<5", "<5", 0, "<5"]


def test_single_column_without_total_row_keeps_other_cells():
    # Column total published elsewhere ("both"): 4 alone would be recoverable, so the
    # next-smallest, 6, is hidden; the row "totals" of a one-column table are the cells
    # themselves and are not treated as separate totals.
    t = pd.DataFrame({"practitioners": [4, 6, 30]}, index=["A", "B", "C"])
    s = suppress(t)
    assert s["practitioners"].tolist() == ["<5", "*", 30]


def test_no_totals_means_primary_only():
    t = pd.DataFrame({"x": [4, 6], "y": [7, 8]})
    s = suppress(t, totals="none")
    assert s["x"].tolist() == ["<5", 6]
    assert s["y"].dtype.kind == "i"


def test_bridge_between_two_rectangles_is_caught():
    # Hidden pattern where every row and column has two hidden cells, but the cell
    # joining two 2x2 blocks is recoverable: rows 0-1 x cols 0-1 and rows 2-3 x cols
    # 2-3 are small, plus (0, 2). The row/column rule of thumb is satisfied, yet
    # x02 = (R0 + R1 - C0 - C1) - known cells. suppress must hide more.
    body = np.full((4, 4), 50)
    body[0:2, 0:2] = 2
    body[2:4, 2:4] = 3
    body[0, 2] = 1
    t = pd.DataFrame(body, columns=list("abcd"))
    s = suppress(t, totals="both")
    hidden = s.attrs["suppressed"].to_numpy()
    assert hidden[0:2, 0:2].all() and hidden[2:4, 2:4].all() and hidden[0, 2]
    assert hidden.sum() > 9
    assert not recoverable(body, hidden, has_total_row=False, has_total_col=False).any()


def test_non_count_columns_pass_through():
    t = pd.DataFrame({"authority": ["A", "B"], "n": [3, 50], "m": [6, 7]})
    s = suppress(t, totals="none")
    assert s["authority"].tolist() == ["A", "B"]
    assert list(s.attrs["suppressed"].columns) == ["n", "m"]


@pytest.mark.parametrize("bad", [-1, 1.5, np.nan])
def test_suppress_refuses_bad_counts(bad):
    t = pd.DataFrame({"n": [3, bad, 10]})
    with pytest.raises(ValueError, match="whole, non-negative"):
        suppress(t)


def test_suppress_refuses_bad_totals_argument():
    with pytest.raises(ValueError, match="totals must be one of"):
        suppress(pd.DataFrame({"n": [1]}), totals="margins")


def recoverable(
    values: np.ndarray, hidden: np.ndarray, *, has_total_row: bool, has_total_col: bool
) -> np.ndarray:
    """Oracle, written independently of wpnet: a hidden cell is recoverable iff its unit
    vector lies in the row space of the sum equations restricted to hidden cells (adding
    it does not raise the rank). Row and column sums are all known (totals in the table
    when has_total_*, else published elsewhere)."""
    r, c = values.shape
    idx = {k: n for n, k in enumerate(zip(*np.nonzero(hidden), strict=True))}
    out = np.zeros_like(hidden, dtype=bool)
    if not idx:
        return out
    rows = []
    body_r = range(r - 1) if has_total_row else range(r)
    body_c = range(c - 1) if has_total_col else range(c)
    for i in range(r):  # row i: body cells minus total cell (known totals drop out)
        if not has_total_col and (c == 1 or (has_total_row and i == r - 1)):
            continue
        eq = np.zeros(len(idx))
        for j in body_c:
            if (i, j) in idx:
                eq[idx[(i, j)]] += 1
        if has_total_col and (i, c - 1) in idx:
            eq[idx[(i, c - 1)]] -= 1
        rows.append(eq)
    for j in range(c):
        if not has_total_row and (r == 1 or (has_total_col and j == c - 1)):
            continue
        eq = np.zeros(len(idx))
        for i in body_r:
            if (i, j) in idx:
                eq[idx[(i, j)]] += 1
        if has_total_row and (r - 1, j) in idx:
            eq[idx[(r - 1, j)]] -= 1
        rows.append(eq)
    a = np.array(rows).reshape(-1, len(idx))
    base = np.linalg.matrix_rank(a) if a.size else 0
    for (i, j), n in idx.items():
        e = np.zeros(len(idx))
        e[n] = 1
        out[i, j] = np.linalg.matrix_rank(np.vstack([a, e])) == base
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda r: st.integers(1, 5).flatmap(
            lambda c: st.lists(
                st.lists(st.integers(0, 12), min_size=c, max_size=c), min_size=r, max_size=r
            )
        )
    ),
    st.booleans(),
)
def test_no_suppressed_cell_is_recoverable_from_totals(rows, with_margins):
    body = np.array(rows)
    if with_margins:
        full = np.vstack([body, body.sum(axis=0)])
        full = np.hstack([full, full.sum(axis=1, keepdims=True)])
        cols = [f"c{j}" for j in range(body.shape[1])] + ["Total"]
        index = [f"r{i}" for i in range(body.shape[0])] + ["Total"]
    else:
        full = body
        cols = [f"c{j}" for j in range(body.shape[1])]
        index = [f"r{i}" for i in range(body.shape[0])]
    t = pd.DataFrame(full, columns=cols, index=index)
    s = suppress(t, min_cell=5, totals="both")
    hidden = s.attrs["suppressed"].to_numpy()
    small = (full > 0) & (full < 5)
    assert (hidden[small]).all()
    shown = s[cols].to_numpy(dtype=object)
    assert ((shown == "<5") == small).all()
    exposed = recoverable(full, hidden, has_total_row=with_margins, has_total_col=with_margins)
    # a zero is never hidden: a reader knows "*" is 0 or at least 5, so hiding a zero
    # beside a small cell would not protect it (row [0, 1] with its total 1 published:
    # "*" and "<5" adding up to 1 are 0 and 1). Only such cells may stay exposed: every
    # cell in their row and column is hidden or zero
    for i, j in zip(*np.nonzero(exposed), strict=True):
        line = np.r_[full[i, :][~hidden[i, :]], full[:, j][~hidden[:, j]]]
        assert (line == 0).all(), (i, j)
    # every cell still shown equals the input
    keep = ~hidden
    assert (shown[keep].astype(int) == full[keep]).all()


# ---- output safety ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-3.5", "-3.5"),
        ("+12", "+12"),
        ("1e5", "1e5"),
        ("Ann = teacher", "Ann = teacher"),
        (-3, -3),
        (None, None),
    ],
)
def test_safe_cell(value, want):
    assert safe_cell(value) == want


def test_neutralise_cells_labels_and_leaves_numbers():
    df = pd.DataFrame(
        {"=evil": ["=1+1", "ok", None, "-7"], "n": [-1, 2, 3, 4]},
        index=pd.Index(["@a", "b", "c", "d"]),
    )
    df["s"] = pd.Series(["+x", "y", pd.NA, "z"], dtype="string", index=df.index)
    out = neutralise(df)
    assert out["'=evil"].tolist()[:2] == ["'=1+1", "ok"]
    assert out["'=evil"].tolist()[3] == "-7"
    assert out["n"].tolist() == [-1, 2, 3, 4]
    assert out["s"].tolist()[:2] == ["'+x", "y"]
    assert out.index.tolist()[0] == "'@a"
    assert df.loc["@a", "=evil"] == "=1+1"  # input untouched


def test_json_for_html_cannot_close_script_and_round_trips():
    obj = {
        "name": "</script><script>alert(1)</script>",
        "amp": "a & b <!--",
        "sep": "x\u2028y\u2029z",
        "n": np.int64(3),
        "f": np.float64(0.5),
        "nan": float("nan"),
        "na": pd.NA,
        "arr": np.array([1, 2]),
        "when": pd.Timestamp("2023-02-01"),
    }
    text = json_for_html(obj)
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    back = json.loads(text)
    assert back["name"] == obj["name"]
    assert back["sep"] == obj["sep"]
    assert back["n"] == 3 and back["f"] == 0.5
    assert back["nan"] is None and back["na"] is None
    assert back["arr"] == [1, 2]
    assert back["when"] == "2023-02-01T00:00:00"


def test_to_builtin():
    assert type(to_builtin(np.int64(3))) is int
    assert type(to_builtin(np.bool_(True))) is bool
    assert to_builtin(pd.NaT) is None
    assert to_builtin("x") == "x"
    assert to_builtin(pd.Timestamp("2023-01-02")).isoformat() == "2023-01-02T00:00:00"


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path: Path):
    p = tmp_path / "out.csv"
    p.write_text("old")
    atomic_write(p, "new,é")
    assert p.read_text(encoding="utf-8") == "new,é"
    atomic_write(p, b"\x00\x01")
    assert p.read_bytes() == b"\x00\x01"
    assert sorted(os.listdir(tmp_path)) == ["out.csv"]


def test_atomic_path_keeps_old_file_on_failure(tmp_path: Path):
    p = tmp_path / "fig.png"
    p.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(p) as tmp:
        assert tmp.suffix == ".png" and tmp.parent == tmp_path
        tmp.write_text("half")
        raise RuntimeError("crash")
    assert p.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["fig.png"]


def test_atomic_path_requires_a_write(tmp_path: Path):
    with pytest.raises(WpnetError, match="nothing was written"), atomic_path(tmp_path / "a.txt"):
        pass


def test_output_onto_an_input_is_refused(tmp_path: Path):
    src = tmp_path / "export.csv"
    src.write_text("data")
    with pytest.raises(WpnetError, match="one of the inputs"):
        atomic_write(tmp_path / "." / "export.csv", "x", protect=[src])
    assert src.read_text() == "data"


# ---- hardening round two (issue 14) ----------------------------------------------


@pytest.mark.parametrize("key", [" ", "\n", "k", "short-key", "a" * 15])
def test_short_keys_are_refused(key):
    from wpnet.errors import UsageError

    with pytest.raises(UsageError, match="pseudonymisation key"):
        pseudonymise("a@b.c", key=key)


@pytest.mark.parametrize("key", [KEY + "\n", " " + KEY, KEY + " ", "\t" + KEY])
def test_keys_with_surrounding_white_space_are_refused(key, monkeypatch):
    from wpnet.errors import UsageError

    with pytest.raises(UsageError, match="white space"):
        pseudonymise("a@b.c", key=key)
    monkeypatch.setenv("WPNET_KEY", key)  # e.g. `export WPNET_KEY=$(cat keyfile)` + newline
    with pytest.raises(UsageError, match="white space"):
        pseudonymise("a@b.c")


def test_keys_are_normalised_to_nfc():
    import unicodedata

    composed = "clé-de-la-partnership"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert pseudonymise("a@b.c", key=decomposed) == pseudonymise("a@b.c", key=composed)
    assert pseudonymise("a@b.c", key=composed) == oracle(composed, "a@b.c")


@pytest.mark.parametrize(
    "message, values",
    [
        ("no establishment matches 'Seán O'Neill Macallister' (school 'St Mary's')", ()),
        ('name "O\'Neill \\"Mac\\" Macallister" is not unique', ()),
        ("name: 'x' vs \"Seán O'Neill Macallister\"", ()),
        ("practitioner Seán O'Neill Macallister has no school", ["Seán O'Neill Macallister"]),
    ],
)
def test_scrub_removes_whole_values(message, values):
    from wpnet.privacy import scrub
    from wpnet.report.tables import generalise

    for out in (scrub(message, values), generalise(message, values)):
        for part in ("Seán", "Neill", "Macallister", "Mac", "Mary"):
            assert part not in out, out


def test_printable_escapes_terminal_controls():
    from wpnet.privacy import printable

    text = printable("a\x1b[2Jb\x1b]0;title\x07c\x9bd\u202eE\rF\nG\tH")
    assert not any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F for c in text)
    assert "\u202e" not in text
    assert text.split("\n")[1] == "G\tH"
    assert "\\x1b[2J" in text and "\\u202e" in text


def test_personal_columns_by_header_and_content():
    from wpnet.privacy import personal_columns

    f = pd.DataFrame(
        {
            "practitioner_id": ["P1", "P2", "P3"],
            "work_email": ["x", "y", "z"],  # header
            "notes": ["see ann@x.org", None, "ok"],  # not an e-mail address as a whole
            "contact": ["a", "b", "c"],  # header
            "buddy": ["Ann Smith", "Seán O'Neill", "Mary Brown"],  # names by content
            "cluster": ["Eastwood Cluster", "Barrhead High", "Cove Primary"],  # not people
            "alias": ["ann@x.org", "P2", None],  # an e-mail among other values
        }
    )
    found = personal_columns("practitioners", f, known=["practitioner_id"])
    assert set(found) == {"work_email", "contact", "buddy", "alias"}
    assert found["buddy"] == "values look like people's names"
    est = pd.DataFrame(
        {"name": ["Ann Smith Primary", "Elm Nursery"], "head": ["Ann Smith", "Bo Li"]}
    )
    assert personal_columns("establishments", est, known=["name"]) == {
        "head": "values look like people's names"
    }
    # a value in a known column and in another: still a name in the other
    est = pd.DataFrame({"name": ["Ann Smith", "Bo Li"], "head": ["Ann Smith", "Bo Li"]})
    assert personal_columns("establishments", est, known=["name"]) == {
        "head": "values look like people's names"
    }
    assert personal_columns("establishments", est, known=["name", "head"]) == {}
    # an e-mail address is found in a known column too, and "@" alone is not one
    est = pd.DataFrame({"name": ["a@b.org", "Elm"], "note": ["@", "x@y"]})
    assert personal_columns("establishments", est, known=["name", "note"]) == {
        "name": "values look like e-mail addresses"
    }


@pytest.mark.parametrize(
    "names",
    [
        ["Smith, Ann", "O'Neill, Seán", "Smith-Jones, Ann M."],
        ["SMITH Ann", "O'NEILL Seán", "MACDONALD Ewan"],
        ["Ann SMITH", "Seán O’NEILL", "Ewan MACDONALD"],
        ["A. Smith", "S. O'Neill", "E.J. MacDonald"],
        ["Smith, A.", "O'Neill, S.", "Dr A. Smith"],
        ["Ann  Smith", "Seán\xa0O’Neill", "Ewan MacDonald"],  # spaces as exports have them
    ],
)
def test_personal_columns_names_in_common_formats(names):
    from wpnet.privacy import personal_columns

    f = pd.DataFrame({"mentor": pd.array(names, dtype="string")})
    assert personal_columns("networks", f) == {"mentor": "values look like people's names"}


def test_personal_columns_leaves_schools_places_posts_and_topics():
    from wpnet.privacy import personal_columns

    ordinary = {
        "school": ["St. Mary's Primary", "St Mary's", "Our Lady's High"],
        "topic": ["Maths, Numeracy", "Literacy, Numeracy", "Health, Wellbeing"],
        "council": ["East Dunbartonshire", "E. Dunbartonshire", "South Lanarkshire"],
        "area": ["Other Urban Areas", "Accessible Small Towns", "Remote Rural Areas"],
        "post": ["Principal Teacher", "PT Maths", "Depute Headteacher"],
        "focus": ["ASN Support", "SIMD Quintile", "PEF Planning"],
        "mode": ["In Person", "Online", "Glasgow, Scotland"],
    }
    f = pd.DataFrame({c: pd.array(v, dtype="string") for c, v in ordinary.items()})
    assert personal_columns("networks", f) == {}


def test_personal_columns_no_false_positives_on_the_shipped_data():
    # every text column of the example and of synthetic partnerships, searched for names
    # as if no column were the schema's: none is personal
    import wpnet
    from wpnet.privacy import personal_columns

    root = Path(__file__).resolve().parents[1] / "datasets" / "west_partnership"
    frames = {p.stem: pd.read_csv(p, dtype="string") for p in sorted(root.glob("*.csv"))}
    for seed in (0, 1):
        eco = wpnet.synthetic(seed=seed, establishments=300, practitioners=2000, records=4000)
        for t in ("establishments", "practitioners", "networks", "participation"):
            frames[f"{t}{seed}"] = getattr(eco, t).astype("string")
    assert len(frames) == 13
    for name, frame in frames.items():
        assert personal_columns("networks", frame) == {}, name
    # and the names in the flat export are found
    flat = pd.read_csv(
        root.parent / "flat_export" / "registrations.csv", dtype="string", encoding="cp1252"
    )
    assert set(personal_columns("networks", flat[["Full Name", "School", "Event"]])) == {
        "Full Name"
    }


def test_suppress_hides_a_third_cell_when_bounds_pin_two():
    # two small cells (1 and 1) in a column whose total is known: 2 = 1 + 1 pins both
    t = pd.DataFrame({"n": [1, 1, 40, 50]}, index=list("abcd"))
    s = suppress(t, 5, totals="columns")
    assert s["n"].tolist()[:2] == ["<5", "<5"]
    assert s.attrs["suppressed"]["n"].sum() == 3
    # lower bounds published elsewhere (4 and 3 establishments) pin 4 + 3 = 7 too
    t = pd.DataFrame({"n": [4, 3, 40, 50]}, index=list("abcd"))
    assert suppress(t, 5, totals="columns").attrs["suppressed"]["n"].sum() == 2
    s = suppress(t, 5, totals="columns", lower=[4, 3, 1, 1])
    assert s.attrs["suppressed"]["n"].sum() == 3
