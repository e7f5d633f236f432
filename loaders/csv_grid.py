"""Read a CSV file into a grid of text cells with Arrow's CSV reader, keeping odd rows.

A row with fewer fields than the header would otherwise read as blank trailing cells (an
ongoing posting, no line manager); one with more fields has lost its quoting. Arrow hands
such rows to a callback: they are padded (or cut) to the header's width and put back in
their place, so row numbers stay those a spreadsheet shows, and reported as problems.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from coi.loaders.problems import InputError, Problem

__all__ = ["CsvDialect", "OddRow", "field_count_reason", "read_csv_grid", "sniff_delimiter"]

MAX_TYPED_COLUMNS = 10_000  # columns read as text without type inference (more are cast)


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written: delimiter, encoding (None: UTF-8) and title lines above the header."""

    delimiter: str = ","
    encoding: str | None = None
    skip_lines: int = 0


@dataclass(frozen=True)
class OddRow:
    """A row whose field count differs from the header's. ``row`` counts as a spreadsheet does."""

    row: int
    fields: int
    text: str


def field_count_reason(odd: OddRow, width: int) -> str:
    """Why an odd row is refused, in the user's terms.

    >>> field_count_reason(OddRow(3, 3, "O4,NRA,2017-01-01"), 7)
    'row has 3 field(s) but the header has 7: a row must have every field, blank ones as empty'
    """
    if odd.fields < width:
        reason = f"row has {odd.fields} field(s) but the header has {width}: a row must have every field, blank ones as empty"
        return reason + (" (an unclosed quote?)" if odd.text.count('"') % 2 else "")
    return f"row has {odd.fields} fields but the header has {width} (an unquoted comma in a value?)"


@cache
def _text_types() -> dict[str, pa.DataType]:
    return {f"f{i}": pa.string() for i in range(MAX_TYPED_COLUMNS)}


ENCODING_HINT = 'save the export as UTF-8, or declare its encoding in the mapping (encoding = "cp1252")'


def _utf8_error(path: Path) -> Problem:
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return Problem(path.name, f"not UTF-8 text (byte {offset + exc.start}); {ENCODING_HINT}")
            offset += len(chunk)
    return Problem(path.name, f"not UTF-8 text; {ENCODING_HINT}")


def sniff_delimiter(path: Path, dialect: CsvDialect) -> str:
    """The header line's delimiter: ``,`` unless it has no comma but ``;`` or tabs split it.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.csv"; _ = f.write_text("a;b;c\\n1;2;3\\n")
    >>> sniff_delimiter(f, CsvDialect())
    ';'
    """
    with open(path, "rb") as handle:
        for _ in range(dialect.skip_lines):
            handle.readline()
        line = handle.readline(1 << 16).decode(dialect.encoding or "utf-8", errors="replace")
    for candidate in (",", ";", "\t"):
        if len(next(csv.reader([line], delimiter=candidate), [])) > 1:
            return candidate
    return ","


def _fields(text: str, delimiter: str) -> list[str]:
    return next(csv.reader([text], delimiter=delimiter), [])


def _arrow_read(path: Path, dialect: CsvDialect, on_invalid, block_size: int) -> pa.Table:
    if not dialect.skip_lines:
        return _arrow_parse(path, dialect, on_invalid, block_size)
    with open(path, "rb") as handle:  # Arrow reads on from where the title lines end
        for _ in range(dialect.skip_lines):
            handle.readline()
        return _arrow_parse(handle, dialect, on_invalid, block_size)


def _arrow_parse(source, dialect: CsvDialect, on_invalid, block_size: int) -> pa.Table:
    read = pacsv.ReadOptions(
        autogenerate_column_names=True, use_threads=False, block_size=block_size, encoding=dialect.encoding or "utf8"
    )
    return pacsv.read_csv(
        source,
        read_options=read,
        parse_options=pacsv.ParseOptions(
            delimiter=dialect.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=_text_types(), strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )


def _read_table(path: Path, dialect: CsvDialect, odd: list[tuple[int, int, str]]) -> pa.Table:
    def keep(row: pacsv.InvalidRow) -> str:
        odd.append((row.number, row.actual_columns, row.text))
        return "skip"

    try:
        try:
            return _arrow_read(path, dialect, keep, 1 << 24)
        except pa.ArrowInvalid as exc:
            if "straddling" not in str(exc):
                raise
            odd.clear()  # a value bigger than a block: read the file as one block
            return _arrow_read(path, dialect, keep, path.stat().st_size + 1)
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            raise InputError([Problem(path.name, "empty file: no header row")]) from None
        if "UTF8" in str(exc) and dialect.encoding is None:
            raise InputError([_utf8_error(path)]) from None
        raise InputError([Problem(path.name, f"malformed CSV: {str(exc).strip()}")]) from None
    except UnicodeDecodeError as exc:
        reason = f"not {dialect.encoding} text (byte {exc.start} of a block): check the encoding in the mapping"
        raise InputError([Problem(path.name, reason)]) from None


def read_csv_grid(path: Path, dialect: CsvDialect = CsvDialect()) -> tuple[pd.DataFrame, list[OddRow]]:
    """Header row first, every cell a string; and the rows whose field count is not the header's.

    Odd rows' numbers count every line of the file, title lines included.
    """
    odd: list[tuple[int, int, str]] = []
    table = _read_table(path, dialect, odd)
    table = table.cast(pa.schema([(name, pa.string()) for name in table.column_names]))
    width = table.num_columns
    odd.sort()
    if odd:
        table = _put_back(path, table, odd, width, dialect.delimiter)
    text = pd.StringDtype("pyarrow", na_value=np.nan)
    grid = pd.DataFrame({i: pd.Series(pc.utf8_trim_whitespace(table.column(i)), dtype=text) for i in range(width)})
    skip = dialect.skip_lines
    return grid, [OddRow(number + skip, fields, text) for number, fields, text in odd]


def _put_back(path: Path, table: pa.Table, odd: list[tuple[int, int, str]], width: int, delimiter: str) -> pa.Table:
    """Insert the odd rows (padded or cut to ``width``) where they were in the file."""
    numbers = np.array([number or 0 for number, _, _ in odd])
    if numbers.min() < 2 or numbers.max() > table.num_rows + len(odd):
        raise InputError([Problem(path.name, "malformed CSV: rows with the wrong number of fields")])
    cells = [(_fields(text, delimiter) + [""] * width)[:width] for _, _, text in odd]
    extra = pa.table({name: [row[i] for row in cells] for i, name in enumerate(table.column_names)})
    total = table.num_rows + len(odd)
    is_odd = np.zeros(total, dtype=bool)
    is_odd[numbers - 1] = True  # record 1 (the header) is grid row 0
    order = np.empty(total, dtype=np.int64)
    order[~is_odd] = np.arange(table.num_rows)
    order[is_odd] = table.num_rows + np.arange(len(odd))  # odd rows arrive in file order
    return pa.concat_tables([table, extra]).take(pa.array(order))
