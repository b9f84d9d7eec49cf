"""What reading a flat export counted before its rows became tables: :class:`Reading`.

:func:`wpnet.from_records` makes one: the rows read, the status column and the rows
it excluded by their status, value by value. :func:`wpnet.validate`, ``wpnet report``
and the Ecosystem's display say these counts in the same words, so that "rows read"
is every row of the file, the rows excluded by status included (an audit read "in 0
rows read" for an export of 40 rows every one of which was "Not Attending").
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Reading", "no_records"]

#: Status values named one by one in a message; the others are counted.
SHOWN_VALUES = 5


@dataclass(frozen=True)
class Reading:
    """The counts of reading one export (or several read as one).

    Attributes
    ----------
    source : str
        The export's name (its file name, or the names of several joined by ", ").
    rows : int
        Data rows read (the header not counted), the rows excluded by their status and
        the exact copies of earlier rows included.
    status_column : str or None
        The header of the status column used, if any.
    excluded : tuple of (str, int)
        Each status value that excluded rows, with its number of rows, in the order of
        the value's first row. Values that differ only in case, spaces or punctuation
        ('DNA', 'dna', 'D.N.A.') are one value, as written most often (trimmed), their
        rows summed; each row's finding in ``eco.quality`` keeps its own spelling.
    register_rows : int or None
        Rows of the establishments register given, if one was.
    spellings : tuple of (str, int)
        The values of ``excluded`` written more than one way, with their number of
        spellings (those written one way are not listed).

    Examples
    --------
    >>> r = Reading("bookings.csv", 40, "Attendee Status", (("Not Attending", 30), ("DNA", 10)))
    >>> r.rows_phrase()
    "40 rows read from bookings.csv (40 excluded by their status in column 'Attendee Status': 30 'Not Attending', 10 'DNA'; nothing left to analyse)"
    >>> print(r.nothing_left(kept=0))
    no attendance is left to analyse: every one of the 40 rows read is excluded by its status in column 'Attendee Status' (30 'Not Attending', 10 'DNA'). If some of these rows are attendances, say which status values are not with exclude_status= (on the command line --exclude-status)
    >>> Reading("bookings.csv", 36).rows_phrase()
    '36 rows read from bookings.csv'
    """

    source: str
    rows: int
    status_column: str | None = None
    excluded: tuple[tuple[str, int], ...] = ()
    register_rows: int | None = None
    spellings: tuple[tuple[str, int], ...] = ()

    @property
    def n_excluded(self) -> int:
        """Rows excluded by their status."""
        return sum(n for _, n in self.excluded)

    def values_phrase(self) -> str:
        """The excluded values with their counts: ``30 'Not Attending', 10 'DNA'``, and
        ``13 'DNA' (2 spellings)`` for a value written more than one way.

        Examples
        --------
        >>> Reading("b.csv", 16, "Status", (("DNA", 13), ("Absent", 3)), spellings=(("DNA", 2),)).values_phrase()
        "13 'DNA' (2 spellings), 3 'Absent'"
        """
        ways = dict(self.spellings)
        shown = [
            f"{n} {value!r}" + (f" ({ways[value]} spellings)" if ways.get(value, 1) > 1 else "")
            for value, n in self.excluded[:SHOWN_VALUES]
        ]
        more = self.excluded[SHOWN_VALUES:]
        if more:
            rest = sum(n for _, n in more)
            shown.append(f"{rest} of {len(more)} other value{'s' if len(more) != 1 else ''}")
        return ", ".join(shown)

    def excluded_phrase(self) -> str:
        """How many rows were excluded, by which column and values; "" when none."""
        n = self.n_excluded
        if not n:
            return ""
        text = (
            f"{n} excluded by their status in column {self.status_column!r}: {self.values_phrase()}"
        )
        return text + ("; nothing left to analyse" if n == self.rows else "")

    def rows_phrase(self) -> str:
        """``40 rows read from X (30 excluded by their status ...)``, and the register's
        rows when one was given."""
        text = f"{self.rows} row{'s' if self.rows != 1 else ''} read from {self.source}"
        if self.n_excluded:
            text += f" ({self.excluded_phrase()})"
        if self.register_rows is not None:
            text += f" and {self.register_rows} from the register"
        return text

    def nothing_left(self, *, kept: int) -> str | None:
        """Why no attendance is left to analyse when ``kept`` rows are; None when some are.

        When rows were excluded by their status, names the column and the values (the
        caller names the export: :attr:`source`).
        """
        if kept:
            return None
        where = "no attendance is left to analyse: "
        n = self.n_excluded
        if self.rows == 0:
            return "the export has no rows under its header: nothing to analyse"
        if n == self.rows:
            every = "the one row read" if n == 1 else f"every one of the {n} rows read"
            return (
                f"{where}{every} is excluded by its status in column "
                f"{self.status_column!r} ({self.values_phrase()}). If some of these rows "
                "are attendances, say which status values are not with exclude_status= "
                "(on the command line --exclude-status)"
            )
        others = self.rows - n
        if not n:
            return (
                f"{where}every one of the {self.rows} rows read was left out (rejected, or "
                "an exact copy of an earlier row), each with its reason"
            )
        return (
            f"{where}of the {self.rows} rows read, {n} are excluded by their status in "
            f"column {self.status_column!r} ({self.values_phrase()}) and the other "
            f"{others} were left out (rejected, or an exact copy of an earlier row), each "
            "with its reason"
        )

    def refusal(self, *, kept: int) -> str | None:
        """:meth:`nothing_left` naming the export: why no report can be made of it.

        Examples
        --------
        >>> Reading("empty.csv", 0).refusal(kept=0)
        'empty.csv: the export has no rows under its header: nothing to analyse'
        """
        why = self.nothing_left(kept=kept)
        return None if why is None else f"{self.source}: {why}"


def no_records(reading: Reading | None, *, selected: bool, kept: int, then: str) -> str:
    """Why an Ecosystem holds no participation records, for the error that stops: the
    export's :meth:`Reading.refusal` when it was read from one and is not a selection
    (a selection's rows were selected out, not excluded or rejected), else a plain
    sentence ending ``then``.

    Examples
    --------
    >>> no_records(None, selected=True, kept=0, then=", so there is nothing to report")
    'the selection holds no participation records, so there is nothing to report'
    >>> no_records(Reading("empty.csv", 0), selected=False, kept=0, then="")
    'empty.csv: the export has no rows under its header: nothing to analyse'
    """
    why = reading.refusal(kept=kept) if reading is not None and not selected else None
    return (
        why
        or f"the {'selection holds' if selected else 'data hold'} no participation records{then}"
    )
