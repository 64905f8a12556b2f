"""Products and customers, and the churn that tickets, tenure and price drive."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa

from sandlab.datasets.context import DAYS_PER_YEAR, Context, ascii_slug, email_local_parts, table_of, unique_emails

CHURN_WINDOW_DAYS = 182
COMPANY_SEGMENTS = (("sme", 0.7), ("enterprise", 0.2), ("public", 0.1))


LEGAL_FORMS = re.compile(r"(,|\s)+(S\.?A\.?S\.?|S\.?A\.?R\.?L\.?|S\.?A\.?|SNC|EURL|Inc\.?|LLC|Ltd|PLC|"
                         r"and Sons|Group|et Fils)\s*$", re.IGNORECASE)


def _without_legal_form(names: np.ndarray) -> np.ndarray:
    return np.array([LEGAL_FORMS.sub("", str(n)) for n in names])


def products(ctx: Context) -> pa.Table:
    rng = ctx.rng("products")
    categories = ctx.profile.products
    n = ctx.profile.sizes.products
    category = np.arange(n) % len(categories)
    item = np.array([rng.integers(0, len(categories[c].items)) for c in category])
    color = rng.integers(0, len(ctx.locale.colors), n)
    names = [f"{categories[c].items[i]} {ctx.locale.colors[k]}" for c, i, k in zip(category, item, color, strict=True)]
    low = np.array([categories[c].price[0] for c in category])
    high = np.array([categories[c].price[1] for c in category])
    price = np.round(np.exp(rng.uniform(np.log(low), np.log(high))), 0) - 0.01
    margin = np.array([categories[c].margin for c in category])
    prefix = np.array([c.name[:3].upper() for c in categories])[category]
    return table_of({
        "product_id": np.arange(1, n + 1),
        "sku": [f"{p}-{i:05d}" for p, i in zip(prefix, range(1, n + 1), strict=True)],
        "name": names,
        "category": [categories[c].name for c in category],
        "list_price": price,
        "unit_cost": np.round(price * (1 - margin) * rng.uniform(0.9, 1.1, n), 2),
    })


def customers(ctx: Context) -> dict[str, np.ndarray]:
    """Customer columns before churn (churn needs the tickets, which need customers)."""
    rng = ctx.rng("customers")
    sizes = ctx.profile.sizes
    n = max(30, round(ctx.spec.employees * sizes.customers_per_employee))
    company = rng.random(n) < sizes.company_customer_share
    gender = np.where(rng.random(n) < 0.5, "F", "M")
    first, last = ctx.names(rng, gender)
    city = ctx.cities(rng, n)
    name = ctx.pick(rng, ctx.pools.companies, n)
    number, establishment = ctx.locale.company_numbers(rng, n)

    person_domain = ctx.pick(rng, ctx.pools.free_email_domains, n)
    tld = ".fr" if ctx.locale.language == "fr" else ".com"
    company_domain = np.char.add(ascii_slug(_without_legal_form(name)), tld)
    local = email_local_parts(first, last)
    email = unique_emails(local, np.where(company, company_domain, person_domain))

    segments, weights = zip(*COMPANY_SEGMENTS, strict=True)
    segment = np.where(company, rng.choice(np.array(segments), size=n, p=weights), "consumer")
    # 70 % were customers before the history starts, 30 % join during it.
    history_years = (ctx.end - ctx.start).astype(np.int64) / DAYS_PER_YEAR
    tenure = np.where(rng.random(n) < 0.7, history_years + rng.uniform(0, 10, n),
                      rng.uniform(0.5, history_years, n))
    signup = ctx.end - (tenure * DAYS_PER_YEAR).astype(np.int64).astype("timedelta64[D]")
    discount = np.where(company, rng.beta(2, 8, n) * 0.3, rng.beta(1.5, 12, n) * 0.15)
    price_index = np.round(1.0 - discount, 3)
    none = np.full(n, None, dtype=object)
    return {
        "customer_id": np.arange(1, n + 1),
        "customer_type": np.where(company, "company", "person"),
        "company_name": np.where(company, name, none),
        "company_number": np.where(company, number, none),
        "establishment_number": np.where(company, establishment, none) if establishment is not None else none,
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": ctx.phones(rng, city, mobile_share=np.where(company, 0.2, 0.85)),
        **ctx.addresses(rng, city),
        "bank_account": ctx.locale.bank_accounts(rng, n),
        "segment": segment,
        "signup_date": signup,
        "price_index": price_index,
        "_city": city,
        "_gender": gender,
    }


def churn(ctx: Context, columns: dict[str, np.ndarray], tickets_last_year: np.ndarray) -> pa.Table:
    """Who leaves in the 6 months after the extract, from tickets, tenure and price."""
    rng = ctx.rng("churn")
    model = ctx.profile.signals.churn
    tenure = ((ctx.end - columns["signup_date"]).astype(np.int64) / DAYS_PER_YEAR)
    price = columns["price_index"]
    logit = (np.log(model.base_rate / (1 - model.base_rate))
             + model.per_ticket * (tickets_last_year - tickets_last_year.mean())
             + model.per_tenure_year * (tenure - tenure.mean())
             + model.per_price_point * (price - price.mean()))
    p_churn = 1 / (1 + np.exp(-logit))
    churned = rng.random(len(price)) < p_churn
    days = rng.integers(1, CHURN_WINDOW_DAYS + 1, len(price)).astype("timedelta64[D]")
    churned_on = ctx.end + days
    columns["churned"] = churned
    columns["churned_on"] = pa.array(churned_on, mask=~churned)
    return table_of({
        "customer_id": columns["customer_id"],
        "tickets_last_year": tickets_last_year,
        "tenure_years": np.round(tenure, 3),
        "price_index": price,
        "p_churn": np.round(p_churn, 4),
    })
