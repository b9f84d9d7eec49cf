"""The Ecosystem: four validated tables, selection and notebook display.

An :class:`Ecosystem` holds the establishments register, the practitioners, the
networks and the participation records (plus optional survey ``ties`` and the rows
that were ``rejected`` on reading). It is immutable: :meth:`Ecosystem.select` returns a
new Ecosystem, and the tables it hands out are copies (cheap under pandas'
copy-on-write).
"""

from __future__ import annotations

import html
import os
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from wpnet._parse import reading_dates
from wpnet._reading import Reading
from wpnet.errors import DataError, UsageError, WrongType
from wpnet.schema import TABLES
from wpnet.sessions import session_of
from wpnet.validation import problems_message, read_values

__all__ = ["RECORD_COLUMNS", "Ecosystem", "expect_ecosystem"]

#: Columns of :attr:`Ecosystem.records`, the attributed participation records.
RECORD_COLUMNS = (
    "practitioner_id",
    "network_id",
    "date",
    "session",
    "role",
    "lead",
    "hours",
    "establishment_id",
    "authority",
    "sector",
    "simd_quintile",
    "workstream",
    "level",
)

_ID_TYPE = "string"

#: Columns of the records that are not participation's own (attributed on reading).
_ATTRIBUTED = (
    "lead",
    "establishment_id",
    "authority",
    "sector",
    "simd_quintile",
    "workstream",
    "level",
)


def _empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=_ID_TYPE) for c in TABLES[table].names})


def _coerce(df: pd.DataFrame | None, table: str) -> pd.DataFrame:
    """Give a table its canonical dtypes; add missing optional columns as empty."""
    spec = TABLES[table]
    if df is None:
        return _empty(table)
    out = df.copy()
    out = out.reset_index(drop=True)
    for col in spec.columns:
        if col.name not in out.columns:
            out[col.name] = pd.Series(pd.NA, index=out.index, dtype=_ID_TYPE)
        s = out[col.name]
        if col.kind == "date":
            out[col.name] = pd.to_datetime(s, errors="coerce")
        elif col.kind == "int":
            out[col.name] = pd.to_numeric(s, errors="coerce").astype("Int64")
        elif col.kind == "float":
            out[col.name] = pd.to_numeric(s, errors="coerce").astype("Float64")
        else:
            out[col.name] = s.astype(_ID_TYPE)
    extra = [c for c in out.columns if c not in spec.names]
    return out[spec.names + extra]


def _read_tables(
    tables: dict[str, pd.DataFrame | None], date_order: str
) -> dict[str, pd.DataFrame | None]:
    """The tables' values read as the readers read them (:func:`wpnet.validation.read_values`).

    A value the readers would reject raises one :class:`~wpnet.errors.DataError`
    naming every such cell; control characters removed are said in one warning, and a
    date column read day-first for want of evidence in another.
    """
    out: dict[str, pd.DataFrame | None] = {}
    problems: list[pd.DataFrame] = []
    with reading_dates(date_order):
        for name, frame in tables.items():
            if frame is None:
                out[name] = None
                continue
            if not isinstance(frame, pd.DataFrame):
                raise WrongType(
                    f"Ecosystem: {name} must be a pandas DataFrame, not {type(frame).__name__}"
                )
            out[name], found = read_values(name, frame)
            problems.append(found)
    found = pd.concat(problems, ignore_index=True) if problems else pd.DataFrame()
    if not len(found):
        return out
    errors = found[(found["severity"] == "error").to_numpy(dtype=bool)]
    if len(errors):
        n = len(errors)
        raise DataError(
            problems_message(
                errors,
                {t: f"{t} table" for t in tables},
                f"Ecosystem: {n} value{'s' if n != 1 else ''} the readers would reject "
                "(rows numbered as in a file written from the table: header row 1, "
                "first row 2):",
            ),
            problems=errors[["table", "row", "column", "value", "message"]].reset_index(drop=True),
        )
    controls = found[found["message"].str.startswith("control characters").to_numpy(dtype=bool)]
    if len(controls):
        where = sorted(set(controls["table"] + "." + controls["column"]))
        warnings.warn(
            f"Ecosystem: control characters removed from {', '.join(where)}",
            UserWarning,
            stacklevel=3,
        )
    # what was assumed of a date column (an order that cannot be told), as the readers say
    order = found["message"].str.contains("the date order cannot be told").fillna(False)
    for t, message in zip(found["table"][order], found["message"][order], strict=True):
        warnings.warn(f"Ecosystem: {t} table, {message}", UserWarning, stacklevel=3)
    return out


def _positions(keys: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each key in ``index`` (-1 where absent), hashing each distinct key once."""
    codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    found = index.get_indexer(uniques)
    pos = np.full(len(keys), -1, dtype=np.int64)
    ok = codes >= 0
    pos[ok] = found[codes[ok]]
    return pos


def _isin(column: pd.Series, values: Iterable[Any]) -> np.ndarray:
    """Boolean mask of ``column`` in ``values`` (missing -> False), hashed in Arrow.

    pandas' ``isin`` on Arrow strings loops in Python over the column; this does not.
    """
    if isinstance(values, (pd.Series, pd.Index, np.ndarray, pd.api.extensions.ExtensionArray)):
        # converted in Arrow, not value by value in Python (a million ids on a register)
        as_text = pd.Series(values, copy=False).astype(_ID_TYPE)
        value_set = pc.unique(pa.array(as_text, type=pa.string(), from_pandas=True).drop_null())
    else:
        value_set = pa.array([str(v) for v in values], type=pa.string())
    arr = pa.array(column.astype(_ID_TYPE), type=pa.string(), from_pandas=True)
    mask = pc.fill_null(pc.is_in(arr, value_set=value_set), False)
    return mask.to_numpy(zero_copy_only=False)


def _frozen(value: Any) -> Any:
    """A hashable form of a select() argument (a list becomes a tuple)."""
    if value is None or isinstance(value, str):
        return value
    return tuple(value)


def _take(column: pd.Series, pos: np.ndarray, index: pd.Index) -> pd.Series:
    """``column`` at positions ``pos`` (missing where ``pos`` is -1), on ``index``."""
    ext = pd.concat(
        [column.reset_index(drop=True), pd.Series([pd.NA], dtype=column.dtype)],
        ignore_index=True,
    )
    out = ext.take(np.where(pos < 0, len(column), pos))
    out.index = index
    return out


class Ecosystem:
    """A partnership's establishments, practitioners, networks and participation.

    Build one with :func:`wpnet.read_ecosystem`, :func:`wpnet.from_records`,
    :func:`wpnet.load_example` or directly from DataFrames whose columns follow
    DESIGN.md (missing optional columns are added empty; dtypes are made canonical).

    The constructor reads every value as the readers read a file
    (:func:`wpnet.validation.read_values`), so a table built in code means what the
    same table read from a file means: text is trimmed and blanks or markers such as
    ``"N/A"`` are missing (a record whose ``establishment_id`` is ``""`` names no
    establishment, and is attributed to the practitioner's home establishment), ids
    written as whole numbers become their digits (``102.0`` -> ``"102"``), roles,
    sectors, levels and authorities map through their aliases (``"Network Lead"`` ->
    ``lead``), dates parse with the readers' rules (day-first unless ``date_order``
    says otherwise; a month-first or mixed column is refused). A value the readers
    would reject (an unknown role, a date that is not one, a quintile of 7) raises a
    :class:`~wpnet.errors.DataError` naming table, row, column and value: nothing is
    guessed. The constructor does not check keys or references, and missing required
    values pass: :func:`wpnet.validate` reports them.

    Parameters
    ----------
    establishments, practitioners, networks, participation : DataFrame
        The four tables.
    ties : DataFrame, optional
        Directed practitioner-to-practitioner survey ties.
    rejected : DataFrame, optional
        Rows rejected on reading: original values plus ``table``, ``row``, ``reason``.
    quality : DataFrame, optional
        Validation warnings/errors found on reading (``table, row, column, value,
        message, severity``).
    scope : dict, optional
        The selection this Ecosystem results from (set by :meth:`select`).
    limits : dict, optional
        Findings the data cannot support -> why (see :func:`wpnet.records.data_limits`).
    sources : paths, optional
        Where the tables were read from (folders, workbooks, export files); set by the
        readers, carried by :meth:`select`, and checked by every writer so that no output
        is written over an input (:func:`wpnet.privacy.check_output`).
    reading : Reading, optional
        What reading a flat export counted (rows read, rows excluded by their status):
        set by :func:`wpnet.from_records`, carried by :meth:`select`.
    origin : Reading, optional
        For tables saved from a flat export and read back: what reading that export
        counted (the folder's ``dataset.json``); set by :func:`wpnet.read_ecosystem`,
        carried by :meth:`select`. See :attr:`origin`.
    date_order : {"auto", "dmy", "mdy", "iso"}, default "auto"
        How ``a/b/yyyy`` text dates are read, as in :func:`wpnet.read_ecosystem`.
    canonical : bool, default False
        ``True``: the tables are already as wpnet's readers return them (canonical
        values and dtypes) and are not read again. wpnet's readers, generators and
        selections pass it; a table built by hand should not.

    Raises
    ------
    DataError
        A value the readers would reject; a date column whose order cannot be told.
    WrongType
        A table that is not a DataFrame.

    Examples
    --------
    >>> import pandas as pd, wpnet
    >>> t = wpnet.tiny()
    >>> part = t.participation.drop(columns="session").astype({"role": object})
    >>> part.loc[0, "role"] = " Network Lead"
    >>> wpnet.Ecosystem(t.establishments, t.practitioners, t.networks, part).participation.loc[0, "role"]
    'lead'
    >>> part.loc[1, "role"] = "boss"
    >>> wpnet.Ecosystem(t.establishments, t.practitioners, t.networks, part)
    Traceback (most recent call last):
    ...
    wpnet.errors.DataError: Ecosystem: 1 value the readers would reject (rows numbered as in a file written from the table: header row 1, first row 2):
      participation table, row 3, column role, value 'boss': not a known role; use one of: participant, lead, facilitator, presenter (or a listed alias)
    >>> eco = wpnet.datasets.tiny()
    >>> eco.sessions
    ['2021-22', '2022-23']
    >>> eco.select(session="2022-23").participation.shape[0]
    7
    """

    def __init__(
        self,
        establishments: pd.DataFrame,
        practitioners: pd.DataFrame,
        networks: pd.DataFrame,
        participation: pd.DataFrame,
        ties: pd.DataFrame | None = None,
        *,
        rejected: pd.DataFrame | None = None,
        quality: pd.DataFrame | None = None,
        scope: dict[str, Any] | None = None,
        limits: dict[str, str] | None = None,
        sources: Iterable[str | os.PathLike[str]] = (),
        reading: Reading | None = None,
        origin: Reading | None = None,
        date_order: str = "auto",
        canonical: bool = False,
    ) -> None:
        given = {
            "establishments": establishments,
            "practitioners": practitioners,
            "networks": networks,
            "participation": participation,
            "ties": ties,
        }
        if not canonical:
            given = _read_tables(given, date_order)
        self._establishments = _coerce(given["establishments"], "establishments")
        self._practitioners = _coerce(given["practitioners"], "practitioners")
        self._networks = _coerce(given["networks"], "networks")
        part = _coerce(given["participation"], "participation")
        role = part["role"].fillna("participant")
        part["role"] = role
        part["session"] = session_of(part["date"]).values
        self._participation = part
        self._ties = _coerce(given["ties"], "ties")
        self._rejected = (
            rejected.copy()
            if rejected is not None
            else pd.DataFrame(
                {
                    "table": pd.Series(dtype="string"),
                    "row": pd.Series(dtype="Int64"),
                    "reason": pd.Series(dtype="string"),
                }
            )
        )
        self._quality = quality.copy() if quality is not None else None
        self._scope = dict(scope or {})
        self._limits = dict(limits or {})
        self._validation: Any = None  # the last wpnet.validate(self), for the display
        self._sources = frozenset(Path(p).absolute() for p in sources)
        self._reading = reading
        self._origin = origin if origin is not None else reading
        self._memo: OrderedDict[Any, Any] = OrderedDict()
        self._homes: pd.DataFrame | None = None  # a selection's: its parent's (see homes)

    def remember_validation(self, report: Any) -> None:
        """Keep the last :func:`wpnet.validate` report of this Ecosystem for its display.

        Called by ``validate``; the tables are not changed.
        """
        self._validation = report

    #: How many derived results (selections, projections, capacity rows) an Ecosystem
    #: remembers.
    MEMO_SIZE = 32

    def derived(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` the first time ``key`` is asked for, then the remembered result.

        For wpnet's own stages (public so that no module calls a private method of the
        Ecosystem; users have no need of it). An Ecosystem never changes, so a
        selection, projection or measure derived from it is the same every time; the
        :attr:`MEMO_SIZE` most recently used are kept.

        The remembered value is shared by every caller, so it must never reach a user
        in a form they can change: it is immutable (an Ecosystem, a tuple of plain
        values), read-only (a :class:`~wpnet.graphs.Projection`), or the caller hands
        out a copy (DataFrames, dicts). Mutating a result a user was given never changes
        a later one.

        Examples
        --------
        >>> import wpnet
        >>> eco = wpnet.tiny()
        >>> eco.derived(("answer",), lambda: 42), eco.derived(("answer",), lambda: 0)
        (42, 42)
        """
        if key in self._memo:
            self._memo.move_to_end(key)
            return self._memo[key]
        value = compute()
        self._memo[key] = value
        while len(self._memo) > self.MEMO_SIZE:
            self._memo.popitem(last=False)
        return value

    # ---- tables -----------------------------------------------------------------
    @property
    def establishments(self) -> pd.DataFrame:
        """The establishments register (one row per establishment)."""
        return self._establishments.copy(deep=False)

    @property
    def practitioners(self) -> pd.DataFrame:
        """Practitioners with their home establishment and level."""
        return self._practitioners.copy(deep=False)

    @property
    def homes(self) -> pd.DataFrame:
        """Each practitioner's home establishment and its ``authority``, ``sector`` and
        ``simd_quintile``, indexed by ``practitioner_id`` (first row of a repeated id).

        Read from the register of the Ecosystem the data were read into, and carried by
        :meth:`select`: a selection by authority or sector keeps only that register,
        yet a practitioner from a school elsewhere who took part keeps their home
        authority (MEASURES.md: a practitioner node's attributes are the home
        establishment's).

        Examples
        --------
        >>> import wpnet
        >>> wpnet.tiny().select(authority="Glasgow City").homes.loc["P4", "authority"]
        'Inverclyde'
        """
        if self._homes is None:
            prac = self._practitioners.drop_duplicates("practitioner_id")
            est = self._establishments.drop_duplicates("establishment_id")
            est = est.set_index("establishment_id")
            homes = pd.DataFrame(
                {"establishment_id": prac["establishment_id"].to_numpy()},
                index=pd.Index(prac["practitioner_id"], name="practitioner_id"),
            )
            for c in ("authority", "sector", "simd_quintile"):
                homes[c] = homes["establishment_id"].map(est[c])
            self._homes = homes
        return self._homes.copy(deep=False)

    @property
    def networks(self) -> pd.DataFrame:
        """Networks with their workstream."""
        return self._networks.copy(deep=False)

    @property
    def participation(self) -> pd.DataFrame:
        """Participation records as read, plus the derived ``session`` column."""
        return self._participation.copy(deep=False)

    @property
    def ties(self) -> pd.DataFrame:
        """Directed survey ties between practitioners (may be empty)."""
        return self._ties.copy(deep=False)

    @property
    def rejected(self) -> pd.DataFrame:
        """Rows rejected on reading, with ``table``, ``row`` and ``reason``."""
        return self._rejected.copy(deep=False)

    @property
    def quality(self) -> pd.DataFrame | None:
        """Validation findings recorded on reading, or ``None`` if never validated."""
        return None if self._quality is None else self._quality.copy(deep=False)

    @property
    def limits(self) -> dict[str, str]:
        """Findings the data cannot support, each with the reason (empty when none)."""
        return dict(self._limits)

    @property
    def scope(self) -> dict[str, Any]:
        """The selection this Ecosystem was made with (empty for the whole)."""
        return dict(self._scope)

    @property
    def sources(self) -> frozenset[Path]:
        """Where the tables were read from (empty for an Ecosystem built in code)."""
        return self._sources

    @property
    def reading(self) -> Reading | None:
        """What reading a flat export counted: rows read, rows excluded by their status
        (:class:`wpnet._reading.Reading`); None for tables read or built otherwise."""
        return self._reading

    @property
    def origin(self) -> Reading | None:
        """What reading the flat export these tables were made from counted: the
        export's :attr:`reading`, or, for a folder :func:`wpnet.write_ecosystem` saved
        from such tables, the reading saved in its ``dataset.json``; None otherwise.

        A saved folder is a new source: its rows read are its tables' rows (the rows
        kept) and its :attr:`reading` is None; ``origin`` keeps how many rows the export
        had and which its status column excluded, which ``wpnet validate`` and the
        report say.
        """
        return self._origin

    @property
    def sessions(self) -> list[str]:
        """Sessions that have participation records, in order."""
        return sorted(self._participation["session"].dropna().unique().tolist())

    @cached_property
    def _records(self) -> pd.DataFrame:
        part = self._participation
        prac = self._practitioners.drop_duplicates("practitioner_id").set_index("practitioner_id")
        est = self._establishments.drop_duplicates("establishment_id").set_index("establishment_id")
        net = self._networks.drop_duplicates("network_id").set_index("network_id")
        # one hash pass per key column: factorise, look the distinct keys up, take
        prac_pos = _positions(part["practitioner_id"], prac.index)
        home = _take(prac["establishment_id"], prac_pos, part.index)
        est_id = part["establishment_id"].fillna(home).astype(_ID_TYPE)
        est_pos = _positions(est_id, est.index)
        net_pos = _positions(part["network_id"], net.index)
        hours = part["hours"] if "hours" in part else pd.Series(pd.NA, index=part.index)
        rec = pd.DataFrame(
            {
                "practitioner_id": part["practitioner_id"],
                "network_id": part["network_id"],
                "date": part["date"],
                "session": part["session"],
                "role": part["role"],
                "lead": (part["role"] != "participant").astype(bool),
                "hours": hours,
                "establishment_id": est_id,
                "authority": _take(est["authority"], est_pos, part.index).astype(_ID_TYPE),
                "sector": _take(est["sector"], est_pos, part.index).astype(_ID_TYPE),
                "simd_quintile": _take(est["simd_quintile"], est_pos, part.index).astype("Int64"),
                "workstream": _take(net["workstream"], net_pos, part.index).astype(_ID_TYPE),
                "level": _take(prac["level"], prac_pos, part.index).astype(_ID_TYPE),
            },
            index=part.index,
        )
        return rec

    @property
    def records(self) -> pd.DataFrame:
        """Participation records attributed to establishments (MEASURES.md, "Scope").

        One row per participation row. ``establishment_id`` is the establishment named
        on the record or, where it names none, the practitioner's home establishment;
        ``authority``, ``sector`` and ``simd_quintile`` are that establishment's;
        ``workstream`` is the network's; ``level`` the practitioner's; ``lead`` is true
        for any role other than ``participant``. Columns: :data:`RECORD_COLUMNS`.
        """
        return self._records.copy(deep=False)

    # ---- selection --------------------------------------------------------------
    def select(
        self,
        *,
        session: str | Iterable[str] | None = None,
        authority: str | Iterable[str] | None = None,
        workstream: str | Iterable[str] | None = None,
        network: str | Iterable[str] | None = None,
        sector: str | Iterable[str] | None = None,
    ) -> Ecosystem:
        """A new Ecosystem restricted to the given sessions, authorities, ... .

        Each argument takes a value or a list of values; ``None`` keeps everything.
        Participation records are kept when their session, network, workstream and
        *attributed* establishment's authority and sector match. The establishments
        register is restricted by ``authority`` and ``sector`` (it is the denominator of
        coverage); networks by ``network`` and ``workstream``; practitioners to those
        with a kept home establishment or a kept record; ties to those between kept
        practitioners (and, where they are dated, in the kept sessions).

        Raises
        ------
        UsageError
            When a value is not in the data (naming the argument and what is allowed).
        """
        key = ("select", *(_frozen(v) for v in (session, authority, workstream, network, sector)))
        return self.derived(
            key, lambda: self._select(session, authority, workstream, network, sector)
        )

    def _select(
        self,
        session: str | Iterable[str] | None,
        authority: str | Iterable[str] | None,
        workstream: str | Iterable[str] | None,
        network: str | Iterable[str] | None,
        sector: str | Iterable[str] | None,
    ) -> Ecosystem:
        rec = self._records
        keep = np.ones(len(rec), dtype=bool)
        est = self._establishments
        est_keep = np.ones(len(est), dtype=bool)
        net = self._networks
        net_keep = np.ones(len(net), dtype=bool)
        scope = dict(self._scope)
        for arg, value, allowed, column in (
            ("session", session, self.sessions, "session"),
            ("authority", authority, sorted(est["authority"].dropna().unique()), "authority"),
            ("workstream", workstream, sorted(net["workstream"].dropna().unique()), "workstream"),
            ("network", network, sorted(net["network_id"].dropna().unique()), "network_id"),
            ("sector", sector, sorted(est["sector"].dropna().unique()), "sector"),
        ):
            if value is None:
                continue
            values = [value] if isinstance(value, str) else list(value)
            unknown = [v for v in values if v not in set(allowed)]
            if unknown:
                raise UsageError(
                    f"select({arg}=...): {unknown!r} not in the data; allowed: {allowed!r}"
                )
            scope[arg] = values if len(values) > 1 else values[0]
            keep &= _isin(rec[column], values)
            if arg in ("authority", "sector"):
                est_keep &= _isin(est[arg], values)
            if arg in ("workstream", "network"):
                net_keep &= _isin(net[column], values)
        part = self._participation.loc[keep]
        ests = est.loc[est_keep]
        prac = self._practitioners
        prac = prac.loc[
            _isin(prac["establishment_id"], ests["establishment_id"].dropna())
            | _isin(prac["practitioner_id"], part["practitioner_id"].dropna().unique())
        ]
        ties = self._ties
        if len(ties):
            ids = prac["practitioner_id"].dropna()
            tk = _isin(ties["source"], ids) & _isin(ties["target"], ids)
            if session is not None:
                sessions = [session] if isinstance(session, str) else list(session)
                ts = session_of(ties["date"])
                tk &= (ts.isna() | ts.isin(sessions)).to_numpy(dtype=bool)
            ties = ties.loc[tk]
        if not self._unique_keys:
            # a table built in code may repeat an id: the child attributes its records
            # from its own tables, as the constructor does
            child = Ecosystem(
                ests,
                prac,
                net.loc[net_keep],
                part.drop(columns="session"),
                ties,
                rejected=self._rejected,
                quality=self._quality,
                scope=scope,
                limits=self._limits,
                sources=self._sources,
                reading=self._reading,
                origin=self._origin,
                canonical=True,
            )
            child._homes = self.homes
            return child
        return self._part(
            ests, prac, net.loc[net_keep], part, ties, scope, rec.loc[keep, list(_ATTRIBUTED)]
        )

    @cached_property
    def _unique_keys(self) -> bool:
        """Whether no id repeats in the register, practitioners or networks.

        Then a record's attribution (home establishment, authority, sector, quintile,
        workstream, level) depends on that record alone, and a selection's records are
        the kept rows of these records: every attributed row it keeps is kept by the
        selection too.
        """
        return bool(
            self._establishments["establishment_id"].is_unique
            and self._practitioners["practitioner_id"].is_unique
            and self._networks["network_id"].is_unique
        )

    def _part(
        self,
        establishments: pd.DataFrame,
        practitioners: pd.DataFrame,
        networks: pd.DataFrame,
        participation: pd.DataFrame,
        ties: pd.DataFrame,
        scope: dict[str, Any],
        attributed: pd.DataFrame,
    ) -> Ecosystem:
        """A selection of this Ecosystem from rows of its own (canonical) tables.

        What the constructor would do to these rows is already done: dtypes are
        canonical, roles filled, sessions derived; ``attributed`` holds the kept rows of
        this Ecosystem's records in the :data:`_ATTRIBUTED` columns, and the records
        take their other columns from the kept participation (shared, not copied, as
        :attr:`records` shares them). Only the row labels are renumbered, as the
        constructor renumbers them.
        """
        eco = Ecosystem.__new__(Ecosystem)
        eco._establishments = establishments.reset_index(drop=True)
        eco._practitioners = practitioners.reset_index(drop=True)
        eco._networks = networks.reset_index(drop=True)
        part = participation.reset_index(drop=True)
        attributed = attributed.reset_index(drop=True)
        eco._participation = part
        eco._ties = ties.reset_index(drop=True)
        eco._rejected = self._rejected
        eco._quality = self._quality
        eco._scope = scope
        eco._limits = dict(self._limits)
        eco._validation = None
        eco._sources = self._sources
        eco._reading = self._reading
        eco._origin = self._origin
        eco._memo = OrderedDict()
        eco._homes = self.homes
        eco.__dict__["_records"] = pd.DataFrame(
            {c: attributed[c] if c in _ATTRIBUTED else part[c] for c in RECORD_COLUMNS},
            index=part.index,
        )
        eco.__dict__["_unique_keys"] = True
        return eco

    # ---- display ----------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """Counts by authority and session: records, practitioners, establishments.

        Returns
        -------
        DataFrame
            Index ``authority``; for each session three columns
            ``(session, records|practitioners|establishments)``.
        """
        rec = self._records
        g = rec.groupby(["authority", "session"], observed=True)
        out = pd.DataFrame(
            {
                "records": g.size(),
                "practitioners": g["practitioner_id"].nunique(),
                "establishments": g["establishment_id"].nunique(),
            }
        )
        if out.empty:
            return out
        return out.unstack("session").swaplevel(axis=1).sort_index(axis=1).fillna(0).astype(int)

    def __repr__(self) -> str:
        return (
            f"<Ecosystem: {len(self._establishments)} establishments, "
            f"{len(self._practitioners)} practitioners, {len(self._networks)} networks, "
            f"{len(self._participation)} records, sessions {', '.join(self.sessions) or 'none'}"
            f"{'; scope ' + repr(self._scope) if self._scope else ''}"
            f"{'; ' + str(len(self._rejected)) + ' rejected rows' if len(self._rejected) else ''}>"
        )

    def _repr_html_(self) -> str:
        head = html.escape(repr(self))
        rec = self._records
        table = (
            pd.crosstab(rec["authority"], rec["session"]).to_html(border=0)
            if len(rec)
            else "<p>No participation records.</p>"
        )
        n_warn = 0 if self._quality is None else len(self._quality)
        state = (
            f"{len(self._rejected)} rows rejected on reading; {n_warn} validation findings"
            if self._quality is not None or len(self._rejected)
            else "not validated (run wpnet.validate)"
        )
        if self._reading is not None:  # every row of the export, excluded ones included
            state = f"{self._reading.rows_phrase()}; {state}"
        elif self._origin is not None:  # a saved folder: the export it was made from
            state = f"tables made from {self._origin.rows_phrase()}; {state}"
        if self._validation is not None:
            state = f"validated: {self._validation!r}; " + state.replace(
                "not validated (run wpnet.validate)", "no findings recorded on reading"
            )
        return (
            f"<div><p><b>{head}</b></p><p>Participation records by authority and session</p>"
            f"{table}<p>Data quality: {html.escape(state)}</p></div>"
        )


def expect_ecosystem(value: Any, caller: str, argument: str = "eco") -> None:
    """Raise :class:`~wpnet.errors.WrongType` unless ``value`` is an :class:`Ecosystem`.

    The one check every function taking an Ecosystem makes first, so a DataFrame or a
    path passed by mistake fails with a message saying what is expected, not an
    ``AttributeError`` from deep inside.

    Examples
    --------
    >>> import pandas as pd
    >>> expect_ecosystem(pd.DataFrame(), "reach")
    Traceback (most recent call last):
    ...
    wpnet.errors.WrongType: reach(eco=...): an Ecosystem is expected (wpnet.read_ecosystem, wpnet.from_records or wpnet.load_example make one); got DataFrame
    """
    if not isinstance(value, Ecosystem):
        raise WrongType(
            f"{caller}({argument}=...): an Ecosystem is expected (wpnet.read_ecosystem, "
            f"wpnet.from_records or wpnet.load_example make one); got {type(value).__name__}"
        )
