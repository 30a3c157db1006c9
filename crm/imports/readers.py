"""Streaming readers for uploaded CSV and XLSX files: rows come one at a time, so a file of
100,000 rows is never held in memory. CSV goes through the standard library's ``csv``
module over a decoding stream (the encoding detected from the first bytes: UTF-8 with or
without BOM, GB18030 — what Chinese Excel writes — or charset-normalizer's best guess);
XLSX through openpyxl in read-only mode."""

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

SAMPLE_BYTES = 64 * 1024
CJK = re.compile("[\u4e00-\u9fff]")
CHINESE_ENCODINGS = {"gb2312", "gbk", "gb18030", "hz", "big5", "big5hkscs", "cp936", "cp950"}


class UnreadableFileError(ValueError):
    """The file is not a CSV or XLSX file we can read (the message says why)."""


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    encoding: str  # "" for XLSX


def detect_encoding(sample: bytes) -> str:
    """The encoding of a CSV file from its first bytes."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # The sample may end inside a multi-byte character: let the incremental decoder
        # hold back an incomplete tail instead of failing on it.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Chinese Excel saves CSV as GB18030 (GBK): if the bytes decode as such and what they
        # say is Chinese, that is the answer (charset detection is unreliable on short files).
        text = codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        if CJK.search(text):
            return "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample).best()
    guess = (best.encoding if best is not None else "").lower()
    if not guess or guess.replace("_", "") in CHINESE_ENCODINGS or guess.startswith("gb"):
        # GB18030 is a superset of GB2312 and GBK: the safe choice for any Chinese guess.
        return "gb18030"
    return guess


def file_format(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        return "xlsx"
    if lowered.endswith((".csv", ".txt")):
        return "csv"
    raise UnreadableFileError(_("Upload a .csv or .xlsx file."))


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person typed (numbers without float noise)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return str(Decimal(repr(value)))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _csv_stream(binary: IO[bytes], encoding: str) -> Iterator[list[str]]:
    binary.seek(0)
    sample = binary.read(SAMPLE_BYTES)
    binary.seek(0)
    text_sample = sample.decode(encoding, errors="ignore")
    # Only the delimiter is guessed (from the header line); quoting is Excel's, which is
    # what spreadsheets and our own exports write.
    try:
        delimiter = csv.Sniffer().sniff(text_sample.split("\n", 1)[0] or ",",
                                        delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    stream = io.TextIOWrapper(binary, encoding=encoding, newline="", errors="strict")
    try:
        yield from csv.reader(stream, csv.excel, delimiter=delimiter)
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(_("The file is not valid %(encoding)s text.")
                             % {"encoding": encoding}) from exc
    except csv.Error as exc:
        raise UnreadableFileError(_("The CSV file is malformed: %(error)s")
                                  % {"error": exc}) from exc
    finally:
        stream.detach()


def _xlsx_stream(binary: IO[bytes]) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    binary.seek(0)
    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException...
        raise UnreadableFileError(_("The file is not a readable Excel (.xlsx) workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [cell_text(value) for value in row]
    finally:
        workbook.close()


def open_rows(binary: IO[bytes], *, fmt: str, encoding: str = ""
              ) -> tuple[Sheet, Iterator[tuple[int, list[str]]]]:
    """The header and an iterator of (spreadsheet row number, cells) for the data rows.
    Blank rows are skipped; row numbers are what a spreadsheet shows (the header is 1)."""
    if fmt == "csv":
        if not encoding:
            binary.seek(0)
            encoding = detect_encoding(binary.read(SAMPLE_BYTES))
        rows: Iterator[list[str]] = _csv_stream(binary, encoding)
    else:
        encoding = ""
        rows = _xlsx_stream(binary)
    header: list[str] | None = None
    number = 0
    for cells in rows:
        number += 1
        if any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            break
    if header is None:
        raise UnreadableFileError(_("The file is empty: it needs a header row."))
    if len({h for h in header if h}) != len([h for h in header if h]):
        raise UnreadableFileError(_("Two columns have the same header."))

    def data() -> Iterator[tuple[int, list[str]]]:
        row_number = number
        for cells in rows:
            row_number += 1
            if any(c.strip() for c in cells):
                yield row_number, [c.strip() for c in cells]

    return Sheet(header=header, encoding=encoding), data()


def count_rows(binary: IO[bytes], *, fmt: str, encoding: str = "") -> int:
    """How many data rows the file holds (one streaming pass)."""
    _sheet, rows = open_rows(binary, fmt=fmt, encoding=encoding)
    return sum(1 for _ in rows)
