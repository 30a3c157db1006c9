"""A 100,000-row file streams: reading, mapping and checking every row keeps the memory it
needs bounded (the peak is measured here with tracemalloc; the write path's throughput
and peak for 100,000 accounts is in `make bench`)."""

import csv
import tracemalloc

from crm.imports.kinds import PRODUCTS, Context
from crm.imports.mapping import suggest_mapping
from crm.imports.readers import count_rows, open_rows

ROWS = 100_000


def test_a_100k_row_file_is_read_and_checked_in_bounded_memory(tmp_path, tenant_a,
                                                               in_tenant):
    path = tmp_path / "products.csv"
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["物料编码", "名称", "标准价", "币种", "税率(%)", "描述"])
        for n in range(ROWS):
            writer.writerow([f"SKU-{n:06d}", f"工业传感器 {n}", f"{n % 5000}.{n % 100:02d}",
                             "CNY", "13", "耐高温 防尘防水 " * 3])
    size = path.stat().st_size
    assert size > 5_000_000
    ctx = Context(actor=None)
    tracemalloc.start()
    try:
        with path.open("rb") as handle:
            assert count_rows(handle, fmt="csv") == ROWS
        with path.open("rb") as handle:
            sheet, rows = open_rows(handle, fmt="csv")
            with in_tenant(tenant_a):
                mapping = suggest_mapping(PRODUCTS, sheet.header)
            keys = [mapping[name] for name in sheet.header]
            checked = 0
            for _number, cells in rows:
                PRODUCTS.clean(dict(zip(keys, cells, strict=True)), ctx)
                checked += 1
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert checked == ROWS
    assert mapping == {"物料编码": "sku", "名称": "name", "标准价": "list_price",
                       "币种": "currency", "税率(%)": "tax_rate", "描述": "description"}
    # The file is over 5 MB; streaming keeps the peak a small fraction of it.
    assert peak < 2_000_000, f"peak {peak} bytes for a {size}-byte file"
