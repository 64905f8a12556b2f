"""Departments, employees, payroll, candidates and applications.

Employees form a real organisation: one chief executive, a head per department,
managers spanning about eight people, salaries that grow with level and tenure, an
age pyramid that follows seniority. Historical screening decisions carry the bias
the profile states, at equal merit (the HR fairness lab measures it).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from sandlab.datasets.context import DAYS_PER_YEAR, Context, email_local_parts, table_of, unique_emails

LEVEL_SALARY = np.array([1.0, 1.0, 1.3, 1.7, 2.3, 3.4, 5.0])  # index = level (1..6)
LEVEL_SHARES = np.array([0.45, 0.35, 0.20])  # levels 1-3 among non-managers
SPAN_OF_CONTROL = 8
FEMALE_SHARE = {"hr": 0.72, "logistics": 0.22, "it": 0.28, "support": 0.62, "finance": 0.58,
                "legal": 0.6, "marketing": 0.6, "sales": 0.42, "executive": 0.4}
MERIT_BAR = 0.55


def departments(ctx: Context) -> pa.Table:
    deps = ctx.profile.departments
    return table_of({
        "department_id": np.arange(1, len(deps) + 1),
        "code": [d.code for d in deps],
        "name": [d.name for d in deps],
        "role": [d.role for d in deps],
        "cost_center": [f"CC-{d.code}" for d in deps],
    })


def _department_sizes(ctx: Context, total: int) -> np.ndarray:
    shares = np.array([d.share for d in ctx.profile.departments])
    sizes = np.maximum(1, np.floor(shares / shares.sum() * total)).astype(int)
    sizes[np.argmax(shares)] += total - sizes.sum()
    return sizes


def _levels(size: int, rng: np.random.Generator) -> np.ndarray:
    """Level of each member of a department: one head (5), managers (4), then 1-3."""
    managers = max(1, round((size - 1) / (SPAN_OF_CONTROL + 1))) if size > 2 else 0
    staff = size - 1 - managers
    return np.concatenate([[5], np.full(managers, 4), rng.choice([1, 2, 3], size=staff, p=LEVEL_SHARES)])


def employees(ctx: Context) -> pa.Table:
    rng = ctx.rng("employees")
    n = ctx.spec.employees
    deps = ctx.profile.departments
    executive = next((i for i, d in enumerate(deps) if d.role == "executive"), 0)
    sizes = _department_sizes(ctx, n)

    department = np.repeat(np.arange(len(deps)), sizes)
    level = np.concatenate([_levels(s, rng) for s in sizes])
    # The executive department's head is the chief executive (level 6).
    ceo = int(np.flatnonzero(department == executive)[0])
    level[ceo] = 6
    ids = np.arange(1, n + 1)

    manager = np.zeros(n, dtype=np.int64)
    for d in range(len(deps)):
        members = np.flatnonzero(department == d)
        head = members[0]
        managers = members[level[members] == 4]
        staff = members[level[members] < 4]
        manager[head] = 0 if head == ceo else ids[ceo]
        manager[managers] = ids[ceo] if head == ceo else ids[head]
        pool = managers if len(managers) else np.array([head])
        manager[staff] = ids[pool[rng.integers(0, len(pool), len(staff))]]

    roles = np.array([d.role for d in deps])[department]
    p_female = np.vectorize(FEMALE_SHARE.get)(roles, 0.5).astype(float)
    gender = np.where(rng.random(n) < p_female, "F", "M")

    age = np.clip(rng.normal(27 + 4.5 * level, 7.5), 19, 66)
    birth = ctx.end - (age * DAYS_PER_YEAR).astype(np.int64).astype("timedelta64[D]")
    tenure = np.minimum(rng.exponential(6.0, n) + 0.05 + (level - 1) * 0.8, age - 18.5)
    hire = ctx.end - (tenure * DAYS_PER_YEAR).astype(np.int64).astype("timedelta64[D]")

    base = np.array([d.salary_base for d in deps], dtype=float)[department]
    salary = base * LEVEL_SALARY[level] * (1 + 0.015 * tenure) * rng.lognormal(0, 0.08, n)
    salary = np.round(salary / 100) * 100

    absence = rng.negative_binomial(1.2, 0.12, n)
    performance = np.clip(np.round(3.2 + rng.normal(0, 0.9, n) - 0.04 * (absence - 8) + 0.1 * (level - 2)), 1, 5)

    first, last = ctx.names(rng, gender)
    city = ctx.cities(rng, n)
    birth_city = ctx.cities(rng, n)
    regions = np.array([c.region for c in ctx.locale.cities])
    kinds, weights = zip(*ctx.locale.contract_types, strict=True)
    contract = rng.choice(np.array(kinds), size=n, p=np.array(weights) / sum(weights))
    contract[level >= 4] = kinds[0]
    titles = np.array([d.titles for d in deps])
    title = titles[department, np.minimum(level, 5) - 1]

    local = email_local_parts(first, last)
    return table_of({
        "employee_id": ids,
        "first_name": first,
        "last_name": last,
        "gender": gender,
        "birth_date": birth,
        "national_id": ctx.locale.national_id(rng, gender, birth, regions[birth_city]),
        "email": unique_emails(local, ctx.profile.email_domain),
        "phone": ctx.phones(rng, city, mobile_share=0.85),
        **ctx.addresses(rng, city),
        "hire_date": hire,
        "department_id": department + 1,
        "job_title": title,
        "job_level": level,
        "manager_id": pa.array(manager, mask=manager == 0),
        "salary": salary,
        "contract_type": contract,
        "performance_rating": performance.astype(np.int64),
        "absence_days": absence,
    })


def payroll(ctx: Context, staff: pa.Table, chunk: int = 50_000):
    """Twelve monthly payslips per employee (fewer for recent hires), streamed."""
    rng = ctx.rng("payroll")
    employer_rate, net_rate = ctx.locale.payroll_rates
    last_month = ctx.end.astype("datetime64[M]")
    months = np.arange(last_month - 11, last_month + 1)
    next_id = 1
    for offset in range(0, staff.num_rows, chunk):
        part = staff.slice(offset, chunk)
        ids = part["employee_id"].to_numpy()
        salary = part["salary"].to_numpy()
        hired = part["hire_date"].to_numpy().astype("datetime64[M]")
        emp = np.repeat(np.arange(len(ids)), len(months))
        month = np.tile(months, len(ids))
        keep = month >= hired[emp]
        emp, month = emp[keep], month[keep]
        gross = np.round(salary[emp] / 12, 2)
        bonus_month = (month.astype(int) % 12 == 11) | (month.astype(int) % 12 == 5)
        paid_bonus = bonus_month & (rng.random(len(emp)) < 0.6)
        bonus = np.where(paid_bonus, np.round(gross * rng.uniform(0.1, 0.6, len(emp)), 2), 0.0)
        count = len(emp)
        yield table_of({
            "payslip_id": np.arange(next_id, next_id + count),
            "employee_id": ids[emp],
            "month": month.astype("datetime64[D]"),
            "gross_salary": gross,
            "bonus": bonus,
            "employer_contributions": np.round((gross + bonus) * employer_rate, 2),
            "net_salary": np.round((gross + bonus) * net_rate, 2),
        })
        next_id += count


def candidates(ctx: Context) -> tuple[pa.Table, dict[str, np.ndarray]]:
    """Candidates, and the hidden merit behind each (independent of gender and age)."""
    rng = ctx.rng("candidates")
    n = max(20, round(ctx.spec.employees * ctx.profile.sizes.candidates_per_employee))
    gender = np.where(rng.random(n) < 0.5, "F", "M")
    older = rng.random(n) < 0.22
    age = np.where(older, rng.uniform(45, 63, n), np.clip(rng.normal(32, 6.5, n), 21, 49))
    # Applications span the history; ages are taken on the application date.
    applied = ctx.dates_between(rng, np.full(n, ctx.start), np.full(n, ctx.end))
    birth = applied - (age * DAYS_PER_YEAR).astype(np.int64).astype("timedelta64[D]")
    levels = ctx.locale.education_levels
    education = rng.choice(len(levels), size=n, p=_education_weights(len(levels)))
    years_experience = np.clip(np.round(age - 21 - np.array([y for _, y in levels])[education] * 0.6
                                        - rng.exponential(2, n)), 0, None).astype(np.int64)
    merit = np.clip(0.12 * education + rng.beta(2.2, 2.2, n) * 0.7, 0, 1)

    first, last = ctx.names(rng, gender)
    city = ctx.cities(rng, n)
    local = email_local_parts(first, last)
    domains = ctx.pick(rng, ctx.pools.free_email_domains, n)
    table = table_of({
        "candidate_id": np.arange(1, n + 1),
        "first_name": first,
        "last_name": last,
        "gender": gender,
        "birth_date": birth,
        "email": unique_emails(local, domains),
        "phone": ctx.phones(rng, city, mobile_share=0.95),
        "city": ctx.city_names(city),
        "education": np.array([label for label, _ in levels])[education],
        "years_experience": years_experience,
        "cv_text_id": np.char.add("cv-", np.char.zfill(np.arange(1, n + 1).astype(str), 6)),
    })
    hidden = {"merit": merit, "applied_on": applied, "age": age, "city": city}
    return table, hidden


def _education_weights(k: int) -> np.ndarray:
    weights = np.array([0.08, 0.17, 0.25, 0.22, 0.22, 0.06][:k])
    return weights / weights.sum()


def applications(ctx: Context, people: pa.Table, hidden: dict[str, np.ndarray]) -> tuple[pa.Table, pa.Table]:
    """One application per candidate (some apply twice), decided with the stated bias."""
    rng = ctx.rng("applications")
    bias = ctx.profile.signals.screening_bias
    n = people.num_rows
    second = np.flatnonzero(rng.random(n) < 0.2)
    who = np.concatenate([np.arange(n), second])
    applied = hidden["applied_on"][who]
    later = ctx.dates_between(rng, applied[n:], np.minimum(applied[n:] + 240, ctx.end))
    applied = np.concatenate([applied[:n], later])
    order = np.lexsort((who, applied))
    who, applied = who[order], applied[order]

    gender = people["gender"].to_numpy(zero_copy_only=False)[who]
    birth = people["birth_date"].to_numpy()[who]
    age = ((applied - birth).astype(np.int64) / DAYS_PER_YEAR).astype(np.int64)
    merit = hidden["merit"][who]
    p_advance = 0.12 + 0.72 * merit ** 1.5
    p_advance = p_advance * np.where(gender == bias.disadvantaged_gender, bias.gender_selection_ratio, 1.0)
    p_advance = p_advance * np.where(age >= bias.age_threshold, bias.age_selection_ratio, 1.0)
    advanced = rng.random(len(who)) < p_advance

    deps = ctx.profile.departments
    shares = np.array([d.share for d in deps])
    department = rng.choice(len(deps), size=len(who), p=shares / shares.sum())
    titles = np.array([d.titles for d in deps])
    title = titles[department, rng.choice([0, 1, 2], size=len(who), p=[0.5, 0.35, 0.15])]
    ids = np.arange(1, len(who) + 1)
    public = table_of({
        "application_id": ids,
        "candidate_id": people["candidate_id"].to_numpy()[who],
        "department_id": department + 1,
        "job_title": title,
        "applied_on": applied,
        "decision": np.where(advanced, "advanced", "rejected"),
    })
    truth = table_of({
        "application_id": ids,
        "merit": np.round(merit, 4),
        "qualified": merit > MERIT_BAR,
        "age_at_application": age,
        "p_advance": np.round(p_advance, 4),
    })
    return public, truth
