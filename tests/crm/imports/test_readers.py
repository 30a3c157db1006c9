"""Reading what people upload: UTF-8 with or without BOM, GB18030 from Chinese Excel,
semicolons, XLSX numbers without float noise; clear errors for what cannot be read."""

import io

import pytest

from crm.imports.readers import UnreadableFileError, detect_encoding, open_rows
from tests.crm.imports.helpers import csv_upload, xlsx_upload

HEADER = ["名称", "城市"]
ROW = ["中国工商银行北京分行", "北京"]


@pytest.mark.parametrize(("encoding", "expected"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")])
def test_the_encoding_is_detected_and_the_text_read_back(encoding, expected):
    upload = csv_upload([HEADER, ROW] * 20, encoding=encoding)
    assert detect_encoding(upload.read()) == expected
    sheet, rows = open_rows(upload, fmt="csv")
    assert sheet.header == HEADER
    assert next(rows) == (2, ROW)


def test_semicolons_and_blank_rows(db):
    upload = csv_upload([["Name", "City"], ["Acme; Ltd", "Paris"], [], ["Beta", "Lyon"]],
                        delimiter=";")
    sheet, rows = open_rows(upload, fmt="csv")
    assert sheet.header == ["Name", "City"]
    assert list(rows) == [(2, ["Acme; Ltd", "Paris"]), (4, ["Beta", "Lyon"])]


def test_xlsx_numbers_read_as_typed():
    upload = xlsx_upload([["SKU", "Price", "Qty"], ["A-1", 19.99, 3.0], ["A-2", 0.3, 5]])
    _sheet, rows = open_rows(upload, fmt="xlsx")
    assert list(rows) == [(2, ["A-1", "19.99", "3"]), (3, ["A-2", "0.3", "5"])]


@pytest.mark.parametrize(("content", "fmt"), [
    (b"", "csv"), (b"not a zip", "xlsx"), (b"a,a\n1,2\n", "csv")])
def test_unreadable_files_say_why(content, fmt):
    with pytest.raises(UnreadableFileError):
        open_rows(io.BytesIO(content), fmt=fmt)
