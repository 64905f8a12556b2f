"""Suppliers, their invoices and payments, bank-detail changes, and injected anomalies.

About 1 % of supplier invoices are anomalous, in three kinds a finance team fears:
a duplicate bill (same supplier and amount, new number, days later), an amount far
above the supplier's usual, and a payment sent to an account entered just before it
and changed back just after (the classic fake-supplier-bank-details fraud). Ordinary
suppliers also change bank details sometimes, far from any payment, so the rule has
to look at timing, not just at change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from sandlab.datasets.context import Context, table_of

PAYMENT_TERMS_DAYS = 30
FRAUD_LEAD_DAYS = (1, 7)  # the fraudulent account is entered this many days before payment
FRAUD_REVERT_DAYS = (5, 20)  # and changed back this many days after
LEGIT_CHANGE_SHARE = 0.06
OUTLIER_FACTOR = (6.0, 15.0)


@dataclass(frozen=True)
class FinanceTables:
    suppliers: pa.Table
    supplier_invoices: pa.Table
    supplier_payments: pa.Table
    supplier_bank_changes: pa.Table
    invoice_anomalies: pa.Table


def finance(ctx: Context) -> FinanceTables:
    rng = ctx.rng("suppliers")
    sizes = ctx.profile.sizes
    n_sup = max(12, round(ctx.spec.employees / sizes.employees_per_supplier))
    account = ctx.locale.bank_accounts(rng, n_sup)
    typical = rng.lognormal(7.8, 0.9, n_sup)
    months = np.arange(ctx.start.astype("datetime64[M]"), ctx.end.astype("datetime64[M]") + 1)

    counts = rng.poisson(sizes.supplier_invoices_per_month, (n_sup, len(months)))
    sup = np.repeat(np.repeat(np.arange(n_sup), len(months)), counts.ravel())
    month = np.repeat(np.tile(months, n_sup), counts.ravel())
    issued = month.astype("datetime64[D]") + rng.integers(0, 28, len(sup)).astype("timedelta64[D]")
    amount = np.round(typical[sup] * rng.lognormal(0, 0.25, len(sup)), 2)
    paid_on = issued + (PAYMENT_TERMS_DAYS + rng.integers(-5, 10, len(sup))).astype("timedelta64[D]")
    kind = np.full(len(sup), "", dtype=object)
    related = np.full(len(sup), -1)

    n_anomalies = round(ctx.profile.signals.invoice_anomaly_rate * len(sup))
    per_kind = [n_anomalies // 3 + (1 if i < n_anomalies % 3 else 0) for i in range(3)]
    # Bases must be paid inside the history with room for a revert afterwards.
    eligible = np.flatnonzero(paid_on + np.timedelta64(FRAUD_REVERT_DAYS[1] + 1, "D") <= ctx.end)
    bases = rng.choice(eligible, size=sum(per_kind), replace=False)
    dup_base, outlier_base, fraud_base = np.split(bases, np.cumsum(per_kind)[:-1])

    amount[outlier_base] = np.round(amount[outlier_base] * rng.uniform(*OUTLIER_FACTOR, len(outlier_base)), 2)
    kind[outlier_base] = "amount_outlier"
    kind[fraud_base] = "bank_change_before_payment"

    dup_issued = issued[dup_base] + rng.integers(3, 21, len(dup_base)).astype("timedelta64[D]")
    sup = np.concatenate([sup, sup[dup_base]])
    issued = np.concatenate([issued, dup_issued])
    amount = np.concatenate([amount, amount[dup_base]])
    paid_on = np.concatenate([paid_on, dup_issued + np.timedelta64(PAYMENT_TERMS_DAYS, "D")])
    kind = np.concatenate([kind, np.full(len(dup_base), "duplicate", dtype=object)])
    related = np.concatenate([related, dup_base])

    order = np.lexsort((np.arange(len(sup)), issued))
    new_id = np.empty(len(order), dtype=np.int64)
    new_id[order] = np.arange(1, len(order) + 1)
    sequence = np.zeros(len(order), dtype=np.int64)
    for s in range(n_sup):  # each supplier numbers its own invoices
        mine = order[sup[order] == s]
        sequence[mine] = np.arange(1, len(mine) + 1)
    prefixes = np.array([f"F{s + 1:03d}-" for s in range(n_sup)])
    invoice_number = np.char.add(prefixes[sup], np.char.zfill(sequence.astype(str), 5))

    changes, pay_account = _bank_history(ctx, sup, paid_on, account, fraud_base)
    current = account.copy()
    for supplier, _day, _old, new in sorted(changes, key=lambda c: c[1]):
        current[supplier] = new

    paid = paid_on <= ctx.end
    category = rng.choice(np.array(ctx.locale.supplier_categories), size=n_sup)
    number, _ = ctx.locale.company_numbers(rng, n_sup)
    city = ctx.cities(rng, n_sup)
    names = ctx.pick(rng, ctx.pools.companies, n_sup)
    change_rows = sorted(changes, key=lambda c: (c[1], c[0]))
    anomalous = np.flatnonzero(kind != "")
    return FinanceTables(
        suppliers=table_of({
            "supplier_id": np.arange(1, n_sup + 1),
            "name": names,
            "company_number": number,
            "category": category,
            "bank_account": current,
            "city": ctx.city_names(city),
        }),
        supplier_invoices=table_of({
            "supplier_invoice_id": new_id,
            "supplier_id": sup + 1,
            "invoice_number": invoice_number,
            "issued_on": issued,
            "amount": amount,
        }).sort_by("supplier_invoice_id"),
        supplier_payments=table_of({
            "supplier_payment_id": new_id[paid],
            "supplier_invoice_id": new_id[paid],
            "paid_on": paid_on[paid],
            "amount": amount[paid],
            "bank_account": pay_account[paid],
        }).sort_by("supplier_payment_id"),
        supplier_bank_changes=table_of({
            "change_id": np.arange(1, len(change_rows) + 1),
            "supplier_id": np.array([c[0] + 1 for c in change_rows], dtype=np.int64),
            "changed_on": np.array([c[1] for c in change_rows], dtype="datetime64[D]"),
            "old_bank_account": [c[2] for c in change_rows],
            "new_bank_account": [c[3] for c in change_rows],
        }),
        invoice_anomalies=table_of({
            "supplier_invoice_id": new_id[anomalous],
            "anomaly_type": kind[anomalous].astype(str),
            "related_invoice_id": pa.array(np.where(related[anomalous] >= 0, new_id[related[anomalous]], 0),
                                           mask=related[anomalous] < 0),
        }).sort_by("supplier_invoice_id"),
    )


def _bank_history(ctx: Context, sup: np.ndarray, paid_on: np.ndarray, account: np.ndarray,
                  fraud_base: np.ndarray) -> tuple[list, np.ndarray]:
    """Bank changes (supplier, day, old, new) and the account each payment went to."""
    rng = ctx.rng("bank_changes")
    n_sup = len(account)
    fresh = iter(ctx.locale.bank_accounts(rng, n_sup + 2 * len(fraud_base) + 8))
    changes: list[tuple[int, np.datetime64, str, str]] = []
    pay_account = account[sup].astype(object)

    # Legitimate changes: a new bank for good, never within 10 days before a payment.
    defrauded = set(sup[fraud_base].tolist())
    for s in np.flatnonzero(rng.random(n_sup) < LEGIT_CHANGE_SHARE):
        if int(s) in defrauded:
            continue
        payments = np.sort(paid_on[sup == s])
        for _ in range(20):
            day = ctx.start + np.timedelta64(int(rng.integers(60, (ctx.end - ctx.start).astype(int) - 60)), "D")
            if not np.any((payments >= day) & (payments <= day + np.timedelta64(10, "D"))):
                new = next(fresh)
                changes.append((int(s), day, str(account[s]), new))
                later = (sup == s) & (paid_on >= day)
                pay_account[later] = new
                break

    # Fraud: a new account entered days before one payment, reverted days after.
    for base in fraud_base:
        s = int(sup[base])
        before = paid_on[base] - np.timedelta64(int(rng.integers(*FRAUD_LEAD_DAYS, endpoint=True)), "D")
        after = paid_on[base] + np.timedelta64(int(rng.integers(*FRAUD_REVERT_DAYS, endpoint=True)), "D")
        genuine = str(pay_account[base])
        fake = next(fresh)
        changes += [(s, before, genuine, fake), (s, after, fake, genuine)]
        pay_account[base] = fake
    return changes, pay_account.astype(str)
