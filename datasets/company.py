"""Build a whole company, table by table, into a dataset pack.

The one place that knows the order: people before the texts that mention them,
tickets before the churn they drive, defects after the truth is recorded. Large
tables stream to disk; the pack appears only when complete (``sandlab.pack``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from sandlab.datasets import datacard
from sandlab.datasets.context import Context, GenerationSpec
from sandlab.datasets.providers import crm, finance, hr, quality, sales, texts
from sandlab.datasets.schema import SQLITE_TYPES, TABLES, Table, table
from sandlab.pack import SQLITE_NAME, TableSink, staged_folder, write_json, write_manifest
from sandlab.progress import NoProgress, Progress

TEXT_FLUSH = 20_000


@dataclass
class PackResult:
    out: Path
    rows: dict[str, int] = field(default_factory=dict)
    texts: dict[str, int] = field(default_factory=dict)
    signals: dict = field(default_factory=dict)


def sqlite_ddl(spec: Table) -> str:
    columns = []
    for column in spec.columns:
        text = f'"{column.name}" {SQLITE_TYPES[column.type]}'
        if column.name == spec.primary_key:
            text += " PRIMARY KEY"
        elif not column.nullable:
            text += " NOT NULL"
        if column.references:
            ref_table, ref_column = column.references.split(".")
            text += f' REFERENCES "{ref_table}"("{ref_column}")'
        columns.append(text)
    return f'CREATE TABLE "{spec.name}" (\n  ' + ",\n  ".join(columns) + "\n)"


class PackBuilder:
    """Owns the open sinks of one pack being written."""

    def __init__(self, root: Path, progress: Progress):
        self.root, self.progress = root, progress
        (root / "public").mkdir(parents=True)
        self.db = sqlite3.connect(root / "public" / SQLITE_NAME)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        for spec in TABLES:
            if spec.visibility == "public" and spec.stored_in_sqlite:
                self.db.execute(sqlite_ddl(spec))
        self.sinks: dict[str, TableSink] = {}
        self.rows: dict[str, int] = {}
        self.current: str | None = None

    def sink(self, name: str) -> TableSink:
        if name not in self.sinks:
            spec = table(name)
            folder = self.root / spec.visibility / "tables"
            db = self.db if spec.visibility == "public" and spec.stored_in_sqlite else None
            self.sinks[name] = TableSink(folder, name, spec.arrow_schema(), db)
        return self.sinks[name]

    def write(self, name: str, data: pa.Table | dict, *, quiet: bool = False) -> pa.Table:
        """Append rows to a table; a table written in one go gets its own progress bar."""
        data = data if isinstance(data, pa.Table) else pa.table(data)
        if not quiet and name != self.current:
            self.progress.start(name, data.num_rows)
            self.current = name
        self.sink(name).write(data)
        if not quiet:
            self.progress.advance(data.num_rows)
        return data

    def write_all(self, name: str, parts: Iterable[pa.Table], total: int | None = None) -> None:
        self.progress.start(name, total)
        self.current = name
        for part in parts:
            self.write(name, part)

    def close(self) -> dict[str, int]:
        for name, sink in self.sinks.items():
            sink.close()
            self.rows[name] = sink.rows
        self.db.commit()
        self.db.close()
        return self.rows


class TextSink:
    """Streams texts to public JSONL per corpus, the `texts` table, and gold spans."""

    def __init__(self, pack: PackBuilder, language: str):
        self.pack, self.language = pack, language
        self.buffer: list[texts.Text] = []
        self.counts: dict[str, int] = {}
        self.entity_counts: dict[str, int] = {}
        (pack.root / "public" / "texts").mkdir(parents=True, exist_ok=True)
        (pack.root / "answers").mkdir(parents=True, exist_ok=True)
        self.spans = open(pack.root / "answers" / "pii_spans.jsonl", "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self.corpus_files: dict = {}

    def add_all(self, corpus: str, items: Iterable[texts.Text], total: int) -> None:
        self.pack.progress.start(f"texts: {corpus}", total)
        self.pack.current = None
        handle = open(self.pack.root / "public" / "texts" / f"{corpus}.jsonl", "w", encoding="utf-8",  # noqa: SIM115
                      newline="\n")
        self.corpus_files[corpus] = handle
        for item in items:
            handle.write(json.dumps({"id": item.text_id, "language": self.language, "text": item.text},
                                    ensure_ascii=False) + "\n")
            self.spans.write(json.dumps({"id": item.text_id, "corpus": corpus, "spans": item.spans},
                                        ensure_ascii=False) + "\n")
            for span in item.spans:
                self.entity_counts[span["entity_type"]] = self.entity_counts.get(span["entity_type"], 0) + 1
            self.buffer.append(item)
            self.counts[corpus] = self.counts.get(corpus, 0) + 1
            self.pack.progress.advance(1)
            if len(self.buffer) >= TEXT_FLUSH:
                self.flush()
        self.flush()
        handle.close()

    def flush(self) -> None:
        if not self.buffer:
            return
        self.pack.write("texts", quiet=True, data={
            "text_id": [t.text_id for t in self.buffer],
            "corpus": [t.corpus for t in self.buffer],
            "language": [self.language] * len(self.buffer),
            "text": [t.text for t in self.buffer],
        })
        self.buffer = []

    def close(self) -> None:
        self.flush()
        self.spans.close()


class OrderLookup:
    """The latest order of a customer before a date (tickets quote real order numbers)."""

    def __init__(self, who: np.ndarray, dates: np.ndarray, prefix: str):
        self.order = np.lexsort((dates, who))
        self.who, self.dates, self.prefix = who[self.order], dates[self.order], prefix
        self.first = np.searchsorted(self.who, np.arange(who.max(initial=0) + 2))

    def __call__(self, customer: int, day: np.datetime64) -> str | None:
        """The customer's last order before ``day``, else their first order, else None."""
        lo, hi = self.first[customer], self.first[customer + 1]
        if lo == hi:
            return None
        k = max(lo + np.searchsorted(self.dates[lo:hi], day, side="left") - 1, lo)
        order_id = self.order[k] + 1
        return f"{self.prefix}-{str(self.dates[k])[:4]}-{order_id:07d}"


def _ids_of_role(ctx: Context, staff: pa.Table, role: str) -> np.ndarray:
    department_ids = [i + 1 for i, d in enumerate(ctx.profile.departments) if d.role == role]
    mask = np.isin(staff["department_id"].to_numpy(), department_ids)
    return staff["employee_id"].to_numpy()[mask]


def build(spec: GenerationSpec, root: Path, progress: Progress) -> PackResult:
    ctx = Context(spec)
    pack = PackBuilder(root, progress)
    text_sink = TextSink(pack, ctx.locale.language)
    signals: dict = {}

    pack.write("departments", hr.departments(ctx))
    staff = pack.write("employees", hr.employees(ctx))
    pack.write_all("payroll", hr.payroll(ctx, staff), total=spec.employees * 12)

    people, hidden = hr.candidates(ctx)
    pack.write("candidates", people)
    applications, screening = hr.applications(ctx, people, hidden)
    pack.write("applications", applications)
    pack.write("screening_truth", screening)
    signals["screening_bias"] = datacard.screening_stats(ctx, people, applications, screening)
    job_titles = np.array([title for d in ctx.profile.departments for title in d.titles[:3]])
    text_sink.add_all("cvs", texts.cvs(ctx, people, hidden, job_titles), people.num_rows)

    products = pack.write("products", crm.products(ctx))

    customers = crm.customers(ctx)
    who, dates = sales.order_dates(ctx, customers)
    meta = texts.ticket_metadata(ctx, customers, _ids_of_role(ctx, staff, "support"))
    last_year = meta["opened_on"].to_numpy() > ctx.end - np.timedelta64(365, "D")
    tickets_last_year = np.bincount(meta["customer_id"].to_numpy()[last_year] - 1,
                                    minlength=len(customers["customer_id"]))
    churn_truth = crm.churn(ctx, customers, tickets_last_year)
    pack.write("churn_truth", churn_truth)
    signals["churn"] = datacard.churn_stats(ctx, customers)
    published, defects = quality.inject_defects(ctx, {k: v for k, v in customers.items() if not k.startswith("_")})
    pack.write("customers", published)
    pack.write("quality_defects", defects)
    signals["data_quality"] = datacard.quality_stats(ctx, defects, len(customers["customer_id"]))

    pack.write("tickets", meta)
    lookup = OrderLookup(who, dates, ctx.locale.document_prefixes["order"])
    product_names = sorted(set(products["name"].to_pylist()))
    text_sink.add_all("tickets", texts.tickets(ctx, meta, customers, lookup, product_names), meta.num_rows)

    reps = _ids_of_role(ctx, staff, "sales")
    progress.start("orders and lines", sales.expected_order_lines(ctx, len(customers["customer_id"])))
    pack.current = "order_lines"
    for chunk in sales.sales(ctx, customers, products, reps, who, dates):
        for name in ("orders", "invoices", "payments"):
            pack.write(name, getattr(chunk, name), quiet=True)
        pack.write("order_lines", chunk.order_lines)
    signals["sales"] = datacard.sales_stats(ctx, who, dates, customers)

    money = finance.finance(ctx)
    for name in ("suppliers", "supplier_invoices", "supplier_payments", "supplier_bank_changes",
                 "invoice_anomalies"):
        pack.write(name, getattr(money, name))
    signals["invoice_anomalies"] = datacard.anomaly_stats(ctx, money)

    mails, mail_texts = texts.emails(ctx, staff, customers, lookup)
    pack.write("emails", mails)
    text_sink.add_all("emails", iter(mail_texts), len(mail_texts))
    agreements, clauses, contract_texts = texts.contracts(ctx, customers)
    pack.write("contracts", agreements)
    pack.write("contract_clauses", clauses)
    text_sink.add_all("contracts", iter(contract_texts), len(contract_texts))
    text_sink.close()
    signals["pii_spans"] = {"entity_counts": dict(sorted(text_sink.entity_counts.items()))}

    rows = pack.close()
    return PackResult(out=root, rows=dict(sorted(rows.items())), texts=dict(text_sink.counts), signals=signals)


def generate_pack(spec: GenerationSpec, out: Path, *, force: bool = False,
                  progress: Progress | None = None) -> PackResult:
    """Generate the pack described by ``spec`` into ``out``, atomically."""
    progress = progress or NoProgress()
    with staged_folder(Path(out), force=force) as root:
        result = build(spec, root, progress)
        for audience, folder in (("trainer", root), ("learner", root / "public")):
            card = datacard.card(spec, result, audience)
            write_json(folder / "datacard.json", card)
            (folder / "datacard.md").write_text(datacard.markdown(card), encoding="utf-8")
        write_manifest(root)
    result.out = Path(out)
    return result
