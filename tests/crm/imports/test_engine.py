"""The import engine: all or nothing (a bad last row leaves nothing behind), row by row
with an error file, dry runs, the duplicate strategies through the duplicate service
(北京工行 in a file finds 中国工商银行北京分行), parents named in the same file, GB18030 files
with Chinese headers, and every kind written through its own service."""

import csv
import io
from decimal import Decimal

import pytest

from crm.accounts.models import Account, Contact
from crm.accounts.services import aliases_seed_defaults
from crm.catalog.models import PriceBookEntry, PriceBookKind, Product
from crm.imports import services
from crm.imports.models import ImportJob, ImportMapping, ImportStatus
from crm.leads.models import Lead, LeadSource
from tests.crm.accounts.factories import make_account
from tests.crm.catalog.factories import make_book
from tests.crm.imports.helpers import csv_upload, xlsx_upload


@pytest.fixture
def run(tenant_a, in_tenant, django_capture_on_commit_callbacks):
    """Upload a file as ``user`` (alpha's admin by default) and run the import (eager)."""
    def run_import(upload, kind="accounts", user="admin", **options):
        with django_capture_on_commit_callbacks(execute=True):
            job = services.import_request(actor=tenant_a.users[user], kind=kind,
                                          upload=upload, **options)
        job.refresh_from_db()
        return job

    with in_tenant(tenant_a):
        yield run_import


def test_accounts_import_with_parents_named_in_the_same_file(run):
    job = run(csv_upload([["Name", "Parent account (name or external id)", "City", "Tier"],
                          ["Head Office Ltd", "", "Shanghai", "Key account"],
                          ["Branch Ltd", "Head Office Ltd", "Suzhou", "a"]]))
    assert (job.status, job.total_rows, job.processed_rows, job.created) == (
        ImportStatus.DONE, 2, 2, 2)
    branch = Account.objects.get(name="Branch Ltd")
    assert (branch.parent.name, branch.city, branch.tier) == ("Head Office Ltd", "Suzhou", "a")


def test_all_or_nothing_a_bad_last_row_leaves_nothing_behind(run):
    rows = [["Name", "Tier"]] + [[f"Company {n}", "b"] for n in range(30)] + [["Bad Co", "Z"]]
    job = run(csv_upload(rows))
    assert job.status == ImportStatus.FAILED
    assert (job.created, job.failed_rows, job.processed_rows) == (0, 1, 31)
    assert job.errors == [{"row": 32, "column": "Tier", "message": job.errors[0]["message"]}]
    assert "Z" in job.errors[0]["message"]
    assert not Account.objects.filter(name__startswith="Company ").exists()


def test_per_row_commits_the_good_rows_and_returns_an_error_file(run):
    job = run(csv_upload([["Name", "Owner e-mail"], ["Good One Ltd", ""],
                          ["Bad Owner Ltd", "nobody@example.com"], ["Good Two Ltd", ""]]),
              mode="per_row")
    assert (job.status, job.created, job.failed_rows) == (ImportStatus.DONE, 2, 1)
    assert set(Account.objects.filter(name__startswith="Good").values_list("name", flat=True)) \
        == {"Good One Ltd", "Good Two Ltd"}
    with job.error_file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Owner e-mail", "Error"]
    assert rows[1][:2] == ["Bad Owner Ltd", "nobody@example.com"]
    assert "nobody@example.com" in rows[1][2]


def test_a_dry_run_checks_every_row_and_writes_nothing(run):
    job = run(csv_upload([["Name"], ["Dry Run Alpha Ltd"], ["Quartz Mining Co"]]), dry_run=True)
    assert (job.status, job.created) == (ImportStatus.DONE, 2)
    assert "Dry run" in job.message
    assert not Account.objects.filter(name__in=["Dry Run Alpha Ltd", "Quartz Mining Co"]).exists()


@pytest.mark.parametrize(("strategy", "accounts", "city", "counts"), [
    ("skip", 1, "Beijing", (0, 0, 1)),
    ("update", 1, "北京市", (0, 1, 0)),
    ("create", 2, "Beijing", (1, 0, 0)),
])
def test_duplicates_found_by_abbreviation_follow_the_strategy(run, strategy, accounts, city,
                                                            counts):
    aliases_seed_defaults()
    existing = make_account(name="中国工商银行北京分行", city="Beijing")
    job = run(csv_upload([["名称", "城市"], ["北京工行", "北京市"]], encoding="gb18030"),
              duplicates=strategy)
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created, job.updated, job.skipped) == counts
    matching = Account.objects.filter(pk=existing.pk) | Account.objects.filter(name="北京工行")
    assert matching.count() == accounts
    existing.refresh_from_db()
    assert (existing.name, existing.city) == ("中国工商银行北京分行", city)


def test_a_rep_cannot_update_an_account_they_cannot_see(run, tenant_a):
    make_account(name="Hidden Industries", owner=tenant_a.users["rep2"])
    job = run(csv_upload([["Name", "City"], ["Hidden Industries", "Nowhere"]]), user="rep",
              duplicates="update")
    assert job.status == ImportStatus.FAILED
    assert "cannot see" in job.errors[0]["message"]


def test_contacts_and_leads(run, tenant_a):
    make_account(name="Contact Home Ltd", owner=tenant_a.users["admin"])
    job = run(csv_upload([["客户", "姓", "名", "邮箱", "采购角色"],
                          ["Contact Home Ltd", "王", "芳", "Wang.Fang@Example.cn", "决策者"]]),
              kind="contacts")
    assert job.status == ImportStatus.DONE, job.errors
    contact = Contact.objects.get(email="wang.fang@example.cn")
    assert (contact.last_name, contact.first_name, contact.buying_role) == (
        "王", "芳", "decision_maker")
    again = run(csv_upload([["Account (name or external id)", "Last name", "E-mail", "Job title"],
                            ["Contact Home Ltd", "Wang", "wang.fang@example.cn", "CFO"]]),
                kind="contacts", duplicates="update")
    assert (again.updated, Contact.objects.get(pk=contact.pk).title) == (1, "CFO")

    leads = run(csv_upload([["Company", "Last name", "E-mail"], ["Lead Co", "Smith", "a@lead.co"],
                            ["", "", "bad-email"]]), kind="leads", mode="per_row")
    assert (leads.created, leads.failed_rows) == (1, 1)
    assert Lead.objects.get(email="a@lead.co").source == LeadSource.IMPORT


def test_products_and_price_book_entries_from_xlsx(run, tenant_a):
    job = run(xlsx_upload([["SKU", "Name", "List price", "Currency", "Tax rate (%)",
                            "Serialised"],
                           ["PUMP-1", "Pump", 1999.5, "cny", 13, "yes"],
                           ["OIL-1", "Oil", 19.99, "CNY", 13, "no"]]), kind="products")
    assert job.status == ImportStatus.DONE, job.errors
    pump = Product.objects.get(sku="PUMP-1")
    assert (pump.list_price, pump.currency, pump.serialized) == (Decimal("1999.5"), "CNY", True)
    make_book(actor=tenant_a.users["admin"], kind=PriceBookKind.STANDARD, name="Standard CNY",
              currency="CNY")
    entries = run(csv_upload([["价格表", "物料编码", "单价", "起订量"],
                              ["Standard CNY", "pump-1", "1800", "1"],
                              ["Standard CNY", "PUMP-1", "1700", "10"]]),
                  kind="price_book_entries")
    assert entries.status == ImportStatus.DONE, entries.errors
    assert sorted(PriceBookEntry.objects.filter(product=pump)
                  .values_list("min_quantity", "unit_price")) == [
        (Decimal(1), Decimal(1800)), (Decimal(10), Decimal(1700))]


def test_the_mapping_chosen_is_remembered_for_the_next_file(run, tenant_a):
    run(csv_upload([["Firma", "Ort"], ["Mapped GmbH", "Berlin"]]),
        mapping={"Firma": "name", "Ort": "city"})
    assert ImportMapping.objects.get(kind="accounts").columns == {"firma": "name",
                                                                  "ort": "city"}
    inspection = services.inspect_upload(kind=services.kind_for("accounts"),
                                         upload=csv_upload([["Firma", "Ort"], ["X", "Y"]]))
    assert inspection.mapping == {"Firma": "name", "Ort": "city"}


def test_a_missing_required_column_is_refused_at_upload(tenant_a, in_tenant):
    from django.core.exceptions import ValidationError

    with in_tenant(tenant_a), pytest.raises(ValidationError) as error:
        services.import_request(actor=tenant_a.users["admin"], kind="accounts",
                                upload=csv_upload([["City"], ["Paris"]]))
    assert "mapping" in error.value.message_dict
    with in_tenant(tenant_a):
        assert not ImportJob.objects.exists()


def test_a_parent_the_uploader_cannot_see_cannot_be_named(run, tenant_a):
    make_account(name="Someone Else's Head Office", owner=tenant_a.users["rep2"])
    job = run(csv_upload([["Name", "Parent account (name or external id)"],
                          ["Sneaky Branch Ltd", "Someone Else's Head Office"]]), user="rep")
    assert job.status == ImportStatus.FAILED
    assert job.errors[0]["column"] == "Parent account (name or external id)"
    assert "you can see" in job.errors[0]["message"]
    assert not Account.objects.filter(name="Sneaky Branch Ltd").exists()


def test_a_job_whose_uploader_left_does_not_run(run, tenant_a, in_tenant):
    from crm.imports import engine

    job = ImportJob.objects.create(kind="accounts", original_name="x.csv", file="imports/x.csv",
                                   file_format="csv", created_by=None)
    done = engine.run_import(job_id=job.pk)
    assert done.status == ImportStatus.FAILED
    assert "can no longer import" in done.message


def test_assets_import_through_the_asset_service(run, tenant_a):
    from crm.service.models import Asset
    from tests.crm.catalog.factories import make_product

    owner = make_account(name="Asset Import Owner Ltd", owner=tenant_a.users["admin"])
    make_product(actor=tenant_a.users["admin"], sku="PUMP-IMP", name="Pump")
    job = run(csv_upload([["客户", "序列号", "物料编码", "品牌", "型号", "保修结束"],
                          ["Asset Import Owner Ltd", "PI-001", "pump-imp", "", "", "2028-06-30"],
                          ["Asset Import Owner Ltd", "TP-9", "", "Siemens", "S7-1500", ""],
                          ["Asset Import Owner Ltd", "X-1", "", "", "", "31/02/2027"]]),
              kind="assets", mode="per_row")
    assert (job.status, job.created, job.failed_rows) == (ImportStatus.DONE, 2, 1)
    pump = Asset.objects.get(serial_number="PI-001")
    assert (pump.account, pump.product.sku, str(pump.warranty_end)) == (owner, "PUMP-IMP",
                                                                        "2028-06-30")
    assert Asset.objects.get(serial_number="TP-9").model == "S7-1500"
    assert job.errors[0]["row"] == 4
