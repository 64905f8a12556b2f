"""Each teaching signal can be recovered from the data at the magnitude the card states.

Tolerances are statistical (3.5 standard errors, computed from the data), so a test
fails when a signal is missing, mis-sized or inverted, not when the sample is unlucky.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

Z = 3.5


def logistic_fit(features: np.ndarray, outcome: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood logistic regression (Newton-Raphson): coefficients and standard errors."""
    x = np.column_stack([np.ones(len(outcome)), features])
    beta = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ beta))
        hessian = x.T @ (x * (p * (1 - p))[:, None])
        step = np.linalg.solve(hessian, x.T @ (outcome - p))
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return beta, np.sqrt(np.diag(np.linalg.inv(hessian)))


def ratio_within(p_group, p_other, stated):
    """log(rate ratio) within Z standard errors of log(stated), and clearly below 1."""
    n1, n0 = len(p_group), len(p_other)
    r1, r0 = p_group.mean(), p_other.mean()
    se = np.sqrt((1 - r1) / (n1 * r1) + (1 - r0) / (n0 * r0))
    estimate = np.log(r1 / r0)
    assert abs(estimate - np.log(stated)) < Z * se, (np.exp(estimate), stated, se)
    if stated < 0.9:
        assert estimate + Z * se < 0, "the bias must be detectable"


def clean_customer_count(pack) -> int:
    defects = pack.table("quality_defects", "answers")
    return pack.table("customers").num_rows - int((defects["defect"].to_numpy(zero_copy_only=False)
                                                   == "duplicate").sum())


def test_screening_bias_is_measurable_from_public_data(pack):
    bias = pack.spec.profile.signals.screening_bias
    apps = pack.table("applications")
    candidate = apps["candidate_id"].to_numpy() - 1
    gender = pack.column("candidates", "gender")[candidate]
    birth = pack.column("candidates", "birth_date")[candidate]
    age = ((apps["applied_on"].to_numpy() - birth).astype(int) / 365.25).astype(int)
    advanced = apps["decision"].to_numpy(zero_copy_only=False) == "advanced"
    women = gender == bias.disadvantaged_gender
    older = age >= bias.age_threshold
    ratio_within(advanced[women], advanced[~women], bias.gender_selection_ratio)
    ratio_within(advanced[older], advanced[~older], bias.age_selection_ratio)
    qualified = pack.column("screening_truth", "qualified", "answers")
    ratio_within(advanced[women & qualified], advanced[~women & qualified], bias.gender_selection_ratio)
    # Merit is independent of the groups: the disparity is bias, not a difference in candidates.
    merit = pack.column("screening_truth", "merit", "answers")
    assert abs(merit[women].mean() - merit[~women].mean()) < 0.03


def test_invoice_anomalies_are_few_and_each_is_detectable(pack):
    invoices = pack.table("supplier_invoices")
    truth = pack.table("invoice_anomalies", "answers")
    kinds = dict(zip(truth["supplier_invoice_id"].to_pylist(), truth["anomaly_type"].to_pylist(), strict=True))
    duplicates = sum(1 for k in kinds.values() if k == "duplicate")
    original = invoices.num_rows - duplicates
    assert len(kinds) == round(pack.spec.profile.signals.invoice_anomaly_rate * original)
    assert set(kinds.values()) == {"duplicate", "amount_outlier", "bank_change_before_payment"}

    ids = invoices["supplier_invoice_id"].to_numpy()
    supplier = invoices["supplier_id"].to_numpy()
    amount = invoices["amount"].to_numpy()
    issued = invoices["issued_on"].to_numpy()
    flagged_dup, flagged_outlier = set(), set()
    for s in np.unique(supplier):
        mine = np.flatnonzero(supplier == s)
        median = np.median(amount[mine])
        flagged_outlier |= set(ids[mine[amount[mine] > 4 * median]].tolist())
        for a in mine:
            earlier = mine[(issued[mine] < issued[a]) & (issued[a] - issued[mine] <= np.timedelta64(25, "D"))]
            if np.any(amount[earlier] == amount[a]):
                flagged_dup.add(int(ids[a]))
    assert flagged_dup == {i for i, k in kinds.items() if k == "duplicate"}
    assert flagged_outlier == {i for i, k in kinds.items() if k == "amount_outlier"}

    changes = pack.table("supplier_bank_changes").to_pylist()
    payments = pack.table("supplier_payments")
    supplier_of = dict(zip(ids.tolist(), supplier.tolist(), strict=True))
    flagged_fraud = set()
    paid = list(zip(payments["supplier_invoice_id"].to_pylist(), payments["paid_on"].to_pylist(),
                    payments["bank_account"].to_pylist(), strict=True))
    uses: dict[str, int] = {}
    for _invoice, _day, account in paid:
        uses[account] = uses.get(account, 0) + 1
    for invoice, paid_on, account in paid:
        # An account used for this one payment only, entered a few days before it.
        if uses[account] == 1 and any(c["supplier_id"] == supplier_of[invoice] and c["new_bank_account"] == account
                                      and 0 <= (paid_on - c["changed_on"]).days <= 10 for c in changes):
            flagged_fraud.add(invoice)
    assert flagged_fraud == {i for i, k in kinds.items() if k == "bank_change_before_payment"}


def test_churn_follows_tickets_tenure_and_price(pack):
    model = pack.spec.profile.signals.churn
    n = clean_customer_count(pack)
    customers = pack.table("customers").slice(0, n)
    end = np.datetime64(pack.spec.profile.history_end)
    tickets = pack.table("tickets")
    recent = tickets["opened_on"].to_numpy() > end - np.timedelta64(365, "D")
    counts = np.bincount(tickets["customer_id"].to_numpy()[recent] - 1, minlength=n)[:n]
    tenure = (end - customers["signup_date"].to_numpy()).astype(int) / 365.25
    price = customers["price_index"].to_numpy()
    churned = customers["churned"].to_numpy(zero_copy_only=False).astype(float)
    beta, se = logistic_fit(np.column_stack([counts, tenure, price]), churned)
    for estimate, error, stated in zip(beta[1:], se[1:], (model.per_ticket, model.per_tenure_year,
                                                          model.per_price_point), strict=True):
        assert abs(estimate - stated) < Z * error, (estimate, stated, error)
    assert beta[1] - Z * se[1] > 0, "tickets must visibly drive churn"
    churned_on = customers["churned_on"].to_numpy()
    assert (churned_on[churned == 1] > end).all() and np.isnat(churned_on[churned == 0]).all()


def test_sales_show_the_stated_trend_and_season(pack):
    sales = pack.spec.profile.signals.sales
    n = clean_customer_count(pack)
    signup = pack.column("customers", "signup_date")[:n]
    dates = pack.column("orders", "order_date")
    start = np.datetime64(pack.spec.profile.history_start, "M")
    months = np.arange(start, np.datetime64(pack.spec.profile.history_end, "M") + 1)
    orders = np.bincount((dates.astype("datetime64[M]") - start).astype(int), minlength=len(months))
    exposure = []
    for m in months:  # customer-days active in the month
        first, last = m.astype("datetime64[D]"), (m + 1).astype("datetime64[D]")
        exposure.append(np.clip((last - np.maximum(signup, first)).astype(int), 0, None).sum())
    rate = orders / np.array(exposure)
    t = (months - start).astype(int) / 12
    angle = 2 * np.pi * (months.astype(int) % 12 + 0.5) / 12
    x = np.column_stack([np.ones(len(t)), t, np.cos(angle), np.sin(angle)])
    coef, *_ = np.linalg.lstsq(x, np.log(rate), rcond=None)
    assert np.exp(coef[1]) - 1 == pytest.approx(sales.annual_growth, abs=0.04)
    assert np.hypot(coef[2], coef[3]) == pytest.approx(sales.seasonal_amplitude, abs=0.06)
    peak = (np.arctan2(coef[3], coef[2]) / (2 * np.pi) * 12) % 12 + 0.5  # month, 1-based centre
    distance = min(abs(peak - sales.peak_month), 12 - abs(peak - sales.peak_month))
    assert distance <= 1.0, peak


def test_data_quality_defects_are_at_stated_rates_and_findable(pack):
    rates = pack.spec.profile.signals.data_quality
    defects = pack.table("quality_defects", "answers")
    kind = defects["defect"].to_numpy(zero_copy_only=False)
    n = clean_customer_count(pack)
    assert (kind == "duplicate").sum() == round(rates.duplicate_rate * n)
    assert (kind == "missing").sum() == round(rates.missing_rate * n)
    assert (kind == "inconsistent_format").sum() == round(rates.format_rate * n)

    customers = pack.table("customers").to_pylist()
    clean = customers[:n]
    nulls = sum(row[c] is None for row in clean for c in ("email", "phone", "postal_code"))
    assert nulls == (kind == "missing").sum()
    canonical = r"0\d( \d\d){4}" if pack.spec.locale == "fr_FR" else r"\(\d{3}\) \d{3}-\d{4}"
    odd = sum(1 for row in clean if row["phone"] is not None and not re.fullmatch(canonical, row["phone"]))
    assert odd == (kind == "inconsistent_format").sum()
    seen, repeats = set(), 0
    for row in customers:
        key = (row["first_name"].lower(), row["last_name"].lower(), row["street"], row["bank_account"])
        repeats += key in seen
        seen.add(key)
    assert repeats == (kind == "duplicate").sum()


def test_gold_spans_are_counted_in_the_card(pack):
    card = json.loads((pack.root / "datacard.json").read_text())
    counts: dict[str, int] = {}
    for line in (pack.root / "answers" / "pii_spans.jsonl").read_text().splitlines():
        for span in json.loads(line)["spans"]:
            counts[span["entity_type"]] = counts.get(span["entity_type"], 0) + 1
    assert card["signals"]["pii_spans"]["entity_counts"] == counts
