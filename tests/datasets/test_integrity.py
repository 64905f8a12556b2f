"""A generated pack holds together: keys, formats, places, organisation, money, texts."""

from __future__ import annotations

import json
import re

import numpy as np
import pyarrow.csv as pa_csv
import pytest
from stdnum import iban
from stdnum.fr import nir, siren, siret
from stdnum.us import ein, rtn, ssn

from sandlab.datasets.schema import TABLES

# ZIP code prefixes of the states used (USPS), an independent check of the city table.
STATE_ZIP_PREFIXES = {
    "NY": (100, 149), "CA": (900, 961), "IL": (600, 629), "TX": (750, 799), "AZ": (850, 865),
    "PA": (150, 196), "FL": (320, 349), "OH": (430, 459), "NC": (270, 289), "IN": (460, 479),
    "WA": (980, 994), "CO": (800, 816), "MA": (10, 27), "TN": (370, 385), "OR": (970, 979),
    "NV": (889, 898), "MI": (480, 499), "MD": (206, 219), "GA": (300, 319), "WI": (530, 549),
    "NM": (870, 884), "MN": (550, 567), "MO": (630, 658), "UT": (840, 847), "NJ": (70, 89),
    "ID": (832, 838), "RI": (28, 29), "CT": (60, 69), "AK": (995, 999), "VT": (50, 59),
}
ILE_DE_FRANCE = {"75", "77", "78", "91", "92", "93", "94", "95"}


def test_sqlite_declares_and_satisfies_every_foreign_key(pack):
    db = pack.sqlite()
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    declared = {(t, row[3], row[2]) for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                for row in db.execute(f'PRAGMA foreign_key_list("{t}")')}
    expected = {(t.name, c.name, c.references.split(".")[0]) for t in TABLES
                if t.visibility == "public" for c in t.columns if c.references}
    assert declared == expected


def test_every_foreign_key_resolves_in_parquet_too(pack):
    for spec in TABLES:
        data = pack.table(spec.name, spec.visibility)
        for column in spec.columns:
            if not column.references:
                continue
            ref_table, ref_column = column.references.split(".")
            values = data[column.name].drop_null().to_numpy(zero_copy_only=False)
            keys = pack.column(ref_table, ref_column)
            assert np.isin(values, keys).all(), f"{spec.name}.{column.name} -> {column.references}"


def test_parquet_csv_and_sqlite_agree(pack):
    db = pack.sqlite()
    for spec in TABLES:
        folder = pack.root / spec.visibility / "tables"
        parquet = pack.table(spec.name, spec.visibility)
        csv = pa_csv.read_csv(folder / f"{spec.name}.csv",
                              parse_options=pa_csv.ParseOptions(newlines_in_values=True))
        assert csv.num_rows == parquet.num_rows and csv.column_names == parquet.column_names
        if spec.visibility == "public":
            assert db.execute(f'SELECT COUNT(*) FROM "{spec.name}"').fetchone()[0] == parquet.num_rows


def test_identifiers_pass_real_validators(pack):
    employees_ids = pack.column("employees", "national_id")
    customers = pack.table("customers")
    numbers = customers["company_number"].drop_null().to_numpy(zero_copy_only=False)
    accounts = np.concatenate([pack.column("customers", "bank_account"), pack.column("suppliers", "bank_account"),
                               pack.column("supplier_payments", "bank_account")])
    if pack.spec.locale == "fr_FR":
        assert all(nir.is_valid(v) for v in employees_ids)
        assert all(siren.is_valid(v) for v in numbers)
        establishments = customers["establishment_number"].drop_null().to_numpy(zero_copy_only=False)
        assert all(siret.is_valid(v) for v in establishments)
        rows = customers.filter(customers["customer_type"].to_numpy(zero_copy_only=False) == "company")
        assert all(e[:9] == s for e, s in zip(rows["establishment_number"].to_pylist(),
                                              rows["company_number"].to_pylist(), strict=True))
        assert all(iban.is_valid(v) for v in accounts)
    else:
        assert all(ssn.is_valid(v) for v in employees_ids)
        assert all(ein.is_valid(v) for v in numbers)
        assert all(rtn.is_valid(v.split(" ")[0]) for v in accounts)


def test_postal_codes_match_cities_regions(pack):
    for name in ("employees", "customers"):
        data = pack.table(name)
        postal = data["postal_code"].to_pylist()
        region = data["region"].to_pylist()
        for code, where in zip(postal, region, strict=True):
            if code is None:
                continue  # an injected missing value
            if pack.spec.locale == "fr_FR":
                assert code[:2] == where, (code, where)
            else:
                low, high = STATE_ZIP_PREFIXES[where]
                assert low <= int(code[:3]) <= high, (code, where)


def test_french_landlines_follow_the_region(fr_pack):
    data = fr_pack.table("employees")
    for phone, region in zip(data["phone"].to_pylist(), data["region"].to_pylist(), strict=True):
        assert re.fullmatch(r"0[1-79]( \d\d){4}", phone)
        if phone[1] in "12345":
            assert (phone[1] == "1") == (region in ILE_DE_FRANCE)


def test_organisation_is_a_tree_with_realistic_spans(pack):
    staff = pack.table("employees")
    ids = staff["employee_id"].to_numpy()
    manager = staff["manager_id"].to_numpy(zero_copy_only=False)
    level = staff["job_level"].to_numpy()
    assert np.isnan(manager.astype(float)).sum() == 1 and level[np.isnan(manager.astype(float))][0] == 6
    boss = dict(zip(ids, manager, strict=True))
    for employee in ids:  # every chain of managers reaches the chief executive, no cycle
        seen, current = set(), employee
        while not np.isnan(float(boss[current])):
            assert current not in seen
            seen.add(current)
            current = int(boss[current])
    _, reports = np.unique(manager[~np.isnan(manager.astype(float))].astype(int), return_counts=True)
    assert 4 <= np.median(reports) <= 12
    assert level[np.isin(ids, manager[~np.isnan(manager.astype(float))].astype(int))].min() >= 4


def test_salary_rises_with_level_and_ages_follow_seniority(pack):
    staff = pack.table("employees")
    level = staff["job_level"].to_numpy()
    salary = staff["salary"].to_numpy()
    age = (np.datetime64(pack.spec.profile.history_end) - staff["birth_date"].to_numpy()).astype(int) / 365.25
    medians = [np.median(salary[level == k]) for k in range(1, 6)]
    assert all(a < b for a, b in zip(medians[1:], medians[2:], strict=False)), medians
    assert np.median(age[level >= 4]) > np.median(age[level <= 2]) + 5
    assert age.min() >= 18 and age.max() <= 67
    hire = staff["hire_date"].to_numpy()
    assert ((hire - staff["birth_date"].to_numpy()).astype(int) / 365.25 >= 18).all()
    assert len(set(staff["email"].to_pylist())) == staff.num_rows


def test_money_adds_up(pack):
    lines = pack.table("order_lines")
    assert np.allclose(lines["line_total"].to_numpy(),
                       lines["quantity"].to_numpy() * lines["unit_price"].to_numpy(), atol=0.011)
    invoices = pack.table("invoices")
    totals = np.bincount(lines["order_id"].to_numpy(), weights=lines["line_total"].to_numpy())
    assert np.allclose(invoices["amount_excl_tax"].to_numpy(), totals[invoices["order_id"].to_numpy()], atol=0.05)
    payments = pack.table("payments")
    invoice_by_id = dict(zip(invoices["invoice_id"].to_pylist(), invoices["issued_on"].to_pylist(), strict=True))
    assert all(paid >= invoice_by_id[i] for i, paid in zip(payments["invoice_id"].to_pylist(),
                                                           payments["paid_on"].to_pylist(), strict=True))
    payroll = pack.table("payroll")
    salary = dict(zip(pack.column("employees", "employee_id"), pack.column("employees", "salary"), strict=True))
    expected = np.array([salary[e] / 12 for e in payroll["employee_id"].to_pylist()])
    assert np.allclose(payroll["gross_salary"].to_numpy(), expected, atol=0.01)


def test_orders_fall_in_the_history_after_signup(pack):
    orders = pack.table("orders")
    signup = dict(zip(pack.column("customers", "customer_id"), pack.column("customers", "signup_date"), strict=True))
    start, end = (np.datetime64(pack.spec.profile.history_start), np.datetime64(pack.spec.profile.history_end))
    dates = orders["order_date"].to_numpy()
    assert dates.min() >= start and dates.max() <= end
    assert all(d >= signup[c] for c, d in zip(orders["customer_id"].to_pylist(), dates, strict=True))
    assert pack.table("order_lines").num_rows > 10 * pack.spec.employees


def test_texts_are_linked_and_their_gold_spans_are_exact(pack):
    text_ids = set(pack.column("texts", "text_id"))
    for table, column in (("tickets", "text_id"), ("emails", "text_id"), ("contracts", "text_id"),
                          ("candidates", "cv_text_id")):
        assert set(pack.column(table, column)) <= text_ids
    texts = {}
    for path in (pack.root / "public" / "texts").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts[record["id"]] = record["text"]
    assert set(texts) == text_ids
    gold = [json.loads(line) for line in (pack.root / "answers" / "pii_spans.jsonl").read_text().splitlines()]
    assert {g["id"] for g in gold} == text_ids
    names = {n.lower() for n in np.concatenate([pack.column(t, c) for t in ("employees", "customers", "candidates")
                                                  for c in ("first_name", "last_name")]) if n}
    checks = {"FR_NIR": nir.is_valid, "IBAN_CODE": iban.is_valid, "FR_SIRET": siret.is_valid,
              "FR_SIREN": siren.is_valid, "US_SSN": ssn.is_valid, "US_EIN": ein.is_valid,
              "US_BANK_NUMBER": lambda v: rtn.is_valid(v.split(" ")[0]),
              "EMAIL_ADDRESS": lambda v: re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", v) is not None,
              "PHONE_NUMBER": lambda v: len(re.sub(r"\D", "", v)) in (10, 11, 12)}
    seen = set()
    for record in gold:
        text, previous_end = texts[record["id"]], 0
        assert record["spans"], record["id"]
        for span in sorted(record["spans"], key=lambda s: s["start"]):
            value = text[span["start"]:span["end"]]
            assert value and span["start"] >= previous_end
            previous_end = span["end"]
            seen.add(span["entity_type"])
            if span["entity_type"] in checks:
                assert checks[span["entity_type"]](value.replace(" ", "") if "NIR" in span["entity_type"]
                                                   or "IBAN" in span["entity_type"] else value), (span, value)
            if span["entity_type"] == "PERSON":
                words = re.sub(r"^\w\. ", "", value).lower().split()
                assert any(" ".join(words[:i]) in names and (i == len(words) or " ".join(words[i:]) in names)
                           for i in range(1, len(words) + 1)), value
    assert {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "STREET_ADDRESS"} <= seen


def test_public_holds_no_answers(pack):
    public = pack.root / "public"
    answers = {t.name for t in TABLES if t.visibility == "answers"}
    assert not any(p.stem in answers for p in public.rglob("*") if p.is_file())
    tables = {row[0] for row in pack.sqlite().execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert not tables & answers
    card = json.loads((public / "datacard.json").read_text())
    assert "stated" not in json.dumps(card["signals"]) and "profile" not in card
    assert set(card["tables"]) == {t.name for t in TABLES if t.visibility == "public"}
    full = json.loads((pack.root / "datacard.json").read_text())
    assert full["signals"]["screening_bias"]["stated"]["gender_selection_ratio"] == \
        pack.spec.profile.signals.screening_bias.gender_selection_ratio


@pytest.mark.parametrize("card", ["datacard.json", "public/datacard.json"])
def test_datacard_says_what_it_is(pack, card):
    data = json.loads((pack.root / card).read_text())
    assert data["synthetic"] is True and "CC0" in data["licence"]
    assert data["seed"] == pack.spec.seed and data["generator"]["name"] == "sandlab"
    for name, spec in data["tables"].items():
        assert spec["rows"] == pack.table(name, spec["visibility"]).num_rows
