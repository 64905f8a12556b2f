"""Free texts (tickets, internal e-mails, CVs, contracts) with gold PII spans.

Texts mention people, phones, e-mails, addresses and identifiers the way real ones
do: names in capitals or lower case, phones in every common written form. Each text
is built from the same rows as the tables, so a person in a ticket is the customer in
`customers`, and the anonymizer's consistency can be checked across both.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from sandlab.datasets.context import DAYS_PER_YEAR, Context, table_of
from sandlab.datasets.textbuilder import TextBuilder
from sandlab.identifiers import format_iban, format_nir

TICKET_CATEGORIES = ("delivery", "billing", "defect", "return", "cancellation", "account")
TICKET_CATEGORY_WEIGHTS = (0.3, 0.15, 0.2, 0.12, 0.08, 0.15)


@dataclass(frozen=True)
class Text:
    text_id: str
    corpus: str
    text: str
    spans: list[dict]


class Writer:
    """Renders the personal-data fields of one locale in their everyday variants."""

    def __init__(self, ctx: Context, name: str):
        self.ctx = ctx
        self.random: random.Random = ctx.py_random(name)
        self.t = ctx.texts
        self.cities = ctx.locale.cities

    def person(self, first: str, last: str) -> str:
        r = self.random.random()
        if r < 0.55:
            return f"{first} {last}"
        if r < 0.7:
            return f"{first} {last.upper()}"
        if r < 0.8:
            return f"{last.upper()} {first}"
        if r < 0.9:
            return f"{first.lower()} {last.lower()}"
        return f"{first[0]}. {last}"

    def phone(self, number: str) -> str:
        variants = self.ctx.locale.phone_variants(number)
        return variants[0] if self.random.random() < 0.4 else self.random.choice(variants)

    def email(self, address: str) -> str:
        return address.upper() if self.random.random() < 0.03 else address

    def address(self, street: str, postcode: str, city_name: str) -> str:
        city = next(c for c in self.cities if c.name == city_name)
        return self.ctx.locale.address(street, postcode, city)

    def national_id(self, value: str) -> str:
        if self.ctx.locale.name == "fr_FR" and self.random.random() < 0.5:
            return format_nir(value)
        return value

    def bank_account(self, value: str) -> str:
        if value.startswith("FR") and self.random.random() < 0.6:
            return format_iban(value)
        return value

    def date(self, day: np.datetime64) -> str:
        y, m, d = str(day).split("-")
        return f"{d}/{m}/{y}" if self.ctx.locale.language == "fr" else f"{m}/{d}/{y}"

    def builder(self) -> TextBuilder:
        return TextBuilder(entities=self.ctx.locale.pii_entities)


def _spans(builder: TextBuilder) -> list[dict]:
    return [{"start": s.start, "end": s.end, "entity_type": s.entity_type} for s in builder.spans]


def ticket_metadata(ctx: Context, customers: dict[str, np.ndarray], support_agents: np.ndarray) -> pa.Table:
    """When each customer wrote in, and about what (the texts come later)."""
    rng = ctx.rng("tickets")
    rate = ctx.profile.sizes.tickets_per_customer_year * rng.gamma(1.5, 1 / 1.5, len(customers["customer_id"]))
    first = np.maximum(customers["signup_date"], ctx.start)
    years = (ctx.end - first).astype(np.int64) / DAYS_PER_YEAR
    counts = rng.poisson(rate * years)
    who = np.repeat(np.arange(len(counts)), counts)
    opened = ctx.dates_between(rng, first[who], np.full(len(who), ctx.end))
    order = np.lexsort((who, opened))
    who, opened = who[order], opened[order]
    n = len(who)
    category = rng.choice(np.array(TICKET_CATEGORIES), size=n, p=TICKET_CATEGORY_WEIGHTS)
    unhappy = np.isin(category, ["defect", "cancellation", "delivery"])
    satisfaction = np.clip(np.round(rng.normal(np.where(unhappy, 2.6, 3.9), 1.0)), 1, 5).astype(np.int64)
    ids = np.arange(1, n + 1)
    return table_of({
        "ticket_id": ids,
        "customer_id": who + 1,
        "opened_on": opened,
        "channel": rng.choice(np.array(ctx.locale.ticket_channels), size=n, p=[0.45, 0.25, 0.2, 0.1]),
        "category": category,
        "priority": rng.choice(np.array(["low", "normal", "high"]), size=n, p=[0.25, 0.6, 0.15]),
        "assigned_to": support_agents[rng.integers(0, len(support_agents), n)],
        "satisfaction": pa.array(satisfaction, mask=rng.random(n) < 0.35),
        "text_id": np.char.add("ticket-", np.char.zfill(ids.astype(str), 6)),
    })


def tickets(ctx: Context, meta: pa.Table, customers: dict[str, np.ndarray], orders_by_customer,
            product_names: list[str]) -> Iterator[Text]:
    w = Writer(ctx, "ticket-texts")
    t = w.t
    cols = {k: customers[k] for k in ("first_name", "last_name", "email", "phone", "street", "postal_code",
                                       "city", "bank_account")}
    prefixes = ctx.locale.document_prefixes
    for text_id, cust, category, opened in zip(meta["text_id"].to_pylist(), meta["customer_id"].to_numpy(),
                                               meta["category"].to_pylist(), meta["opened_on"].to_numpy(),
                                               strict=True):
        i = cust - 1
        order_number = orders_by_customer(i, opened) or f"{prefixes['order']}-{str(opened)[:4]}"
        values = {
            "person": w.person(cols["first_name"][i], cols["last_name"][i]),
            "phone": w.phone(cols["phone"][i]),
            "email": w.email(cols["email"][i]),
            "address": w.address(cols["street"][i], cols["postal_code"][i], cols["city"][i]),
            "bank_account": w.bank_account(cols["bank_account"][i]),
            "order": order_number,
            "invoice": order_number.replace(prefixes["order"], prefixes["invoice"]),
            "product": w.random.choice(product_names),
            "date": w.date(opened - np.timedelta64(w.random.randint(2, 15), "D")),
            "amount": f"{w.random.randint(40, 2400)},{w.random.randint(0, 99):02d}"
            if ctx.locale.language == "fr" else f"{w.random.randint(40, 2400)}.{w.random.randint(0, 99):02d}",
        }
        b = w.builder()
        opening = w.random.choice(t.TICKET_OPENINGS)
        if opening:
            b.fill(opening + "\n\n", values)
        b.fill(w.random.choice(t.TICKET_BODIES[category]), values)
        contact = w.random.choice(t.TICKET_CONTACTS)
        if contact:
            b.fill(" " + contact, values)
        b.fill("\n\n" + w.random.choice(t.TICKET_CLOSINGS), values)
        yield Text(text_id, "tickets", b.text(), _spans(b))


def emails(ctx: Context, staff: pa.Table, customers: dict[str, np.ndarray],
           orders_by_customer) -> tuple[pa.Table, list[Text]]:
    """Internal e-mails between colleagues, by the sender's department."""
    rng = ctx.rng("emails")
    w = Writer(ctx, "email-texts")
    n = round(ctx.spec.employees * ctx.profile.sizes.emails_per_employee)
    roles = {d_id + 1: d.role for d_id, d in enumerate(ctx.profile.departments)}
    emp = {k: staff[k].to_numpy(zero_copy_only=False) for k in
           ("employee_id", "first_name", "last_name", "email", "phone", "street", "postal_code", "city",
            "national_id", "department_id")}
    person_fields = ("first_name", "last_name", "email", "phone", "street", "postal_code", "city")
    topics = w.t.EMAIL_TOPICS
    eligible = np.flatnonzero(np.isin(np.vectorize(roles.get)(emp["department_id"]), list(topics)))
    sender = eligible[rng.integers(0, len(eligible), n)]
    recipient = rng.integers(0, len(emp["employee_id"]), n)
    recipient = np.where(recipient == sender, (recipient + 1) % len(emp["employee_id"]), recipient)
    sent = ctx.dates_between(rng, np.full(n, ctx.end - 365), np.full(n, ctx.end))
    order = np.argsort(sent, kind="stable")
    sender, recipient, sent = sender[order], recipient[order], sent[order]
    subjects, texts = [], []
    accounts = ctx.locale.bank_accounts(rng, n)
    company_rows = np.flatnonzero(customers["customer_type"] == "company")
    for k in range(n):
        s, r = sender[k], recipient[k]
        role = roles[emp["department_id"][s]]
        subject_tpl, body_tpl = w.random.choice(topics[role])
        c = int(company_rows[w.random.randrange(len(company_rows))]) if len(company_rows) else 0
        # The person discussed is a colleague (HR, IT) or a customer contact (others).
        if role in ("hr", "it"):
            p = w.random.randrange(len(emp["employee_id"]))
            who = {key: emp[key][p] for key in (*person_fields, "national_id")}
        else:
            who = {key: customers[key][c] for key in person_fields}
            who["national_id"] = ""
        values = {
            "person": w.person(who["first_name"], who["last_name"]),
            "colleague": emp["first_name"][r],
            "sender": f"{emp['first_name'][s]} {emp['last_name'][s]}",
            "phone": w.phone(who["phone"]),
            "email": w.email(who["email"]),
            "address": w.address(who["street"], who["postal_code"], who["city"]),
            "national_id": w.national_id(who["national_id"]) if who["national_id"] else "",
            "bank_account": w.bank_account(str(accounts[k])),
            "company": str(customers["company_name"][c] or ctx.profile.name),
            "siret": str(customers["establishment_number"][c] or ""),
            "siren": str(customers["company_number"][c] or ""),
            "company_number": str(customers["company_number"][c] or ""),
            "date": w.date(sent[k] + np.timedelta64(w.random.randint(1, 30), "D")),
            "amount": str(w.random.randint(50, 9000)),
            "invoice": f"{ctx.locale.document_prefixes['invoice']}-{str(sent[k])[:4]}-{w.random.randint(1, 10**6):07d}",
            "order": orders_by_customer(c, sent[k]) or "",
        }
        subject = TextBuilder(entities={})
        subject.fill(subject_tpl, values)
        subjects.append(subject.text())
        b = w.builder()
        b.fill(body_tpl, values)
        texts.append(Text(f"email-{k + 1:06d}", "emails", b.text(), _spans(b)))
    table = table_of({
        "email_id": np.arange(1, n + 1),
        "sender_id": emp["employee_id"][sender],
        "recipient_id": emp["employee_id"][recipient],
        "sent_on": sent,
        "subject": subjects,
        "text_id": [t.text_id for t in texts],
    })
    return table, texts


def cvs(ctx: Context, people: pa.Table, hidden: dict[str, np.ndarray], job_titles: np.ndarray) -> Iterator[Text]:
    """One CV per candidate; its skills follow merit, its dates reveal age, its grammar gender."""
    w = Writer(ctx, "cv-texts")
    t = w.t
    cols = {k: people[k].to_numpy(zero_copy_only=False) for k in people.column_names}
    rng = ctx.rng("cv-addresses")
    address = ctx.addresses(rng, hidden["city"])
    for i in range(people.num_rows):
        birth = cols["birth_date"][i]
        values = {
            "person": w.person(cols["first_name"][i], cols["last_name"][i]),
            "phone": w.phone(cols["phone"][i]),
            "email": w.email(cols["email"][i]),
            "address": w.address(address["street"][i], address["postal_code"][i], address["city"][i]),
            "birth_date": w.date(birth),
            "job_title": str(job_titles[i % len(job_titles)]),
        }
        b = w.builder()
        b.fill(t.CV_HEADER, values)
        b.fill(t.CV_BIRTH[cols["gender"][i] == "F"] + "\n", values)
        b.fill(t.CV_TITLE, values)
        b.add(t.CV_EXPERIENCE)
        year = int(str(hidden["applied_on"][i])[:4])
        remaining = int(cols["years_experience"][i])
        while remaining > 0:
            length = min(remaining, w.random.randint(2, 7))
            b.fill(t.CV_JOB_LINE, {"start": str(year - length), "end": str(year),
                                   "title": str(w.random.choice(job_titles)),
                                   "company": str(w.random.choice(ctx.pools.companies))})
            year -= length
            remaining -= length
        grad = int(str(birth)[:4]) + 18 + w.random.randint(2, 6)
        b.fill(t.CV_EDUCATION, {"graduation_year": str(grad), "education": str(cols["education"][i])})
        skills = w.random.sample(t.CV_SKILLS_POOL, 2 + round(hidden["merit"][i] * 6))
        b.fill(t.CV_SKILLS, {"skills": ", ".join(skills)})
        yield Text(str(cols["cv_text_id"][i]), "cvs", b.text(), _spans(b))


def contracts(ctx: Context, customers: dict[str, np.ndarray]) -> tuple[pa.Table, pa.Table, list[Text]]:
    """Contracts with a share of company customers; risky clauses recorded as answers."""
    rng = ctx.rng("contracts")
    w = Writer(ctx, "contract-texts")
    t = w.t
    company_rows = np.flatnonzero(customers["customer_type"] == "company")
    rows = company_rows[rng.random(len(company_rows)) < ctx.profile.sizes.contract_share]
    n = len(rows)
    signed = np.maximum(customers["signup_date"][rows], ctx.start) + rng.integers(0, 60, n).astype("timedelta64[D]")
    signed = np.minimum(signed, ctx.end)
    duration = rng.choice([12, 24, 36, 48], size=n)
    renewal = rng.random(n) < 0.6
    notice = rng.choice([30, 60, 90, 180], size=n, p=[0.3, 0.3, 0.25, 0.15])
    penalty = rng.choice([0.5, 1.0, 2.0, 5.0], size=n, p=[0.35, 0.35, 0.2, 0.1])
    capped = rng.random(n) < 0.7
    dpa = rng.random(n) < 0.8
    liability = rng.random(n) < 0.85
    prefix = ctx.locale.document_prefixes["contract"]
    numbers = [f"{prefix}-{str(signed[k])[:4]}-{k + 1:05d}" for k in range(n)]
    reasons, texts = [], []
    for k, row in enumerate(rows):
        why = []
        if renewal[k] and notice[k] >= 180:
            why.append("long_notice_with_tacit_renewal")
        if penalty[k] >= 2 and not capped[k]:
            why.append("uncapped_penalties")
        if not dpa[k]:
            why.append("no_gdpr_processor_clause")
        if not liability[k]:
            why.append("unlimited_liability")
        reasons.append(";".join(why))
        values = {
            "contract_number": numbers[k],
            "our_company": f"{ctx.profile.name} {ctx.profile.legal_form}".strip(),
            "company": str(customers["company_name"][row]),
            "siret": str(customers["establishment_number"][row] or ""),
            "company_number": str(customers["company_number"][row] or ""),
            "address": w.address(customers["street"][row], customers["postal_code"][row], customers["city"][row]),
            "person": w.person(customers["first_name"][row], customers["last_name"][row]),
            "email": w.email(customers["email"][row]),
            "phone": w.phone(customers["phone"][row]),
            "duration_months": str(duration[k]),
            "start_date": w.date(signed[k]),
            "renewal": t.CONTRACT_RENEWAL[0 if renewal[k] else 1],
            "notice_days": str(notice[k]),
            "penalty": f"{penalty[k]:g}".replace(".", ",") if ctx.locale.language == "fr" else f"{penalty[k]:g}",
            "penalty_cap": t.CONTRACT_PENALTY_CAP[0 if capped[k] else 1],
            "data_processing": t.CONTRACT_DATA_PROCESSING[0 if dpa[k] else 1],
            "liability": t.CONTRACT_LIABILITY[0 if liability[k] else 1],
            "city": ctx.locale.cities[0].name,
        }
        b = w.builder()
        b.fill(t.CONTRACT_TEMPLATE, values)
        texts.append(Text(f"contract-{k + 1:06d}", "contracts", b.text(), _spans(b)))
    ids = np.arange(1, n + 1)
    public = table_of({
        "contract_id": ids,
        "contract_number": numbers,
        "customer_id": customers["customer_id"][rows],
        "signed_on": signed,
        "text_id": [x.text_id for x in texts],
    })
    clauses = table_of({
        "contract_id": ids,
        "duration_months": duration.astype(np.int64),
        "auto_renewal": renewal,
        "notice_days": notice.astype(np.int64),
        "penalty_percent_per_week": penalty,
        "penalty_capped": capped,
        "data_processing_compliant": dpa,
        "liability_capped": liability,
        "risky": np.array([bool(r) for r in reasons]),
        "risk_reasons": reasons,
    })
    return public, clauses, texts
