"""Orders, order lines, invoices and payments, streamed in chunks.

Order dates follow a daily intensity with the profile's trend and seasonality, so
the monitoring and forecasting labs find exactly what the data card states. This is
the largest part of a pack (a million lines for 10,000 employees): everything is
column-wise and written chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from sandlab.datasets.context import DAYS_PER_YEAR, Context, table_of

ORDER_CHUNK = 250_000
COMPANY_ORDER_RATE, PERSON_ORDER_RATE = 1.5, 0.6  # relative to the profile's rate


@dataclass(frozen=True)
class SalesChunk:
    orders: pa.Table
    order_lines: pa.Table
    invoices: pa.Table
    payments: pa.Table


def daily_intensity(ctx: Context) -> np.ndarray:
    """Relative order intensity of each day of the history (1.0 = start, average season)."""
    sales = ctx.profile.signals.sales
    days = np.arange(ctx.start, ctx.end + 1)
    years = (days - ctx.start).astype(np.int64) / DAYS_PER_YEAR
    month0 = days.astype("datetime64[M]")
    month_pos = (month0.astype(np.int64) % 12) + (days - month0.astype("datetime64[D]")).astype(np.int64) / 30.5
    season = 1 + sales.seasonal_amplitude * np.cos(2 * np.pi * (month_pos - (sales.peak_month - 0.5)) / 12)
    return (1 + sales.annual_growth) ** years * season


def order_dates(ctx: Context, customers: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(customer index, order date) of every order, sorted by date."""
    rng = ctx.rng("orders")
    weights = daily_intensity(ctx)
    cumulative = np.concatenate([[0.0], np.cumsum(weights)])
    first_day = np.maximum((customers["signup_date"] - ctx.start).astype(np.int64), 0)
    mass = cumulative[-1] - cumulative[first_day]
    company = customers["customer_type"] == "company"
    rate = ctx.profile.sizes.orders_per_customer_year * np.where(company, COMPANY_ORDER_RATE, PERSON_ORDER_RATE)
    rate = rate * rng.gamma(3.0, 1 / 3.0, len(rate))
    counts = rng.poisson(rate * mass / DAYS_PER_YEAR)
    who = np.repeat(np.arange(len(counts)), counts)
    u = cumulative[first_day[who]] + rng.random(len(who)) * mass[who]
    day = np.clip(np.searchsorted(cumulative, u, side="right") - 1, 0, len(weights) - 1)
    dates = ctx.start + day.astype("timedelta64[D]")
    order = np.lexsort((who, dates))
    return who[order], dates[order]


def _numbers(prefix: str, dates: np.ndarray, ids: np.ndarray) -> np.ndarray:
    year = (dates.astype("datetime64[Y]").astype(np.int64) + 1970).astype(str)
    return np.char.add(np.char.add(np.char.add(f"{prefix}-", year), "-"), np.char.zfill(ids.astype(str), 7))


def sales(ctx: Context, customers: dict[str, np.ndarray], products: pa.Table, sales_reps: np.ndarray,
          who: np.ndarray, dates: np.ndarray) -> Iterator[SalesChunk]:
    """Orders (from ``order_dates``) with their lines, invoices and payments, chunk by chunk."""
    rng = ctx.rng("order_lines")
    company = customers["customer_type"] == "company"
    account_rep = sales_reps[ctx.rng("account_reps").integers(0, len(sales_reps), len(company))]
    price_index = customers["price_index"]
    list_price = products["list_price"].to_numpy()
    popularity = 1 / np.arange(1, len(list_price) + 1) ** 0.8
    popularity = popularity[ctx.rng("popularity").permutation(len(list_price))]
    popularity /= popularity.sum()
    prefixes = ctx.locale.document_prefixes
    tax_rate = ctx.locale.sales_tax
    line_id = 1
    for offset in range(0, len(who), ORDER_CHUNK):
        cust, when = who[offset:offset + ORDER_CHUNK], dates[offset:offset + ORDER_CHUNK]
        n = len(cust)
        order_ids = np.arange(offset + 1, offset + n + 1)
        is_company = company[cust]
        channel = np.where(is_company,
                           rng.choice(["sales_rep", "phone", "web"], size=n, p=[0.55, 0.25, 0.2]),
                           rng.choice(["web", "phone"], size=n, p=[0.8, 0.2]))
        orders = table_of({
            "order_id": order_ids,
            "order_number": _numbers(prefixes["order"], when, order_ids),
            "customer_id": cust + 1,
            "sales_rep_id": account_rep[cust],
            "order_date": when,
            "channel": channel,
        })

        lines_per_order = 1 + rng.poisson(ctx.profile.sizes.lines_per_order - 1, n)
        line_order = np.repeat(np.arange(n), lines_per_order)
        m = len(line_order)
        product = rng.choice(len(list_price), size=m, p=popularity)
        quantity = np.where(is_company[line_order], rng.geometric(0.25, m), 1 + (rng.random(m) < 0.15))
        promo = np.where(rng.random(m) < 0.1, 0.9, 1.0)
        unit_price = np.round(list_price[product] * price_index[cust[line_order]] * promo, 2)
        line_total = np.round(quantity * unit_price, 2)
        order_lines = table_of({
            "order_line_id": np.arange(line_id, line_id + m),
            "order_id": order_ids[line_order],
            "product_id": product + 1,
            "quantity": quantity.astype(np.int64),
            "unit_price": unit_price,
            "line_total": line_total,
        })
        line_id += m

        excl = np.round(np.bincount(line_order, weights=line_total, minlength=n), 2)
        tax = np.round(excl * tax_rate, 2)
        issued = when + rng.integers(0, 3, n).astype("timedelta64[D]")
        due = issued + np.where(is_company, 30, 0).astype("timedelta64[D]")
        invoices = table_of({
            "invoice_id": order_ids,
            "invoice_number": _numbers(prefixes["invoice"], issued, order_ids),
            "order_id": order_ids,
            "customer_id": cust + 1,
            "issued_on": issued,
            "due_on": due,
            "amount_excl_tax": excl,
            "tax": tax,
            "amount_incl_tax": np.round(excl + tax, 2),
        })

        delay = np.where(is_company, np.clip(rng.normal(35, 14, n), 0, 120), 0).astype(np.int64)
        paid_on = issued + delay.astype("timedelta64[D]")
        paid = (paid_on <= ctx.end) & (rng.random(n) > 0.02)
        payments = table_of({
            "payment_id": order_ids[paid],
            "invoice_id": order_ids[paid],
            "paid_on": paid_on[paid],
            "amount": np.round(excl + tax, 2)[paid],
            "bank_account": customers["bank_account"][cust[paid]],
        })
        yield SalesChunk(orders, order_lines, invoices, payments)


def expected_order_lines(ctx: Context, customers: int) -> int:
    """Rough size, for the progress bar."""
    sizes = ctx.profile.sizes
    years = (ctx.end - ctx.start).astype(np.int64) / DAYS_PER_YEAR
    share = sizes.company_customer_share
    rate = sizes.orders_per_customer_year * (share * COMPANY_ORDER_RATE + (1 - share) * PERSON_ORDER_RATE)
    return int(customers * rate * years * 0.9 * sizes.lines_per_order)
