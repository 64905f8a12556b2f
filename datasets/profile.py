"""The company profile: what kind of company the generator makes.

A profile is a YAML file that trainers copy and edit (``sandlab data profiles
--show NAME``). Every field is declared once here with its bounds and its help, so
a mistake in a profile is refused with the field's name and line.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sandlab.specfile import SpecError, load_spec, parse_spec

SUPPORTED_LOCALES = ("fr_FR", "en_US")
Locale = Literal["fr_FR", "en_US"]
PROFILE_PACKAGE = "sandlab.datasets"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Role = Literal["executive", "hr", "finance", "legal", "sales", "marketing", "support", "logistics", "it"]
REQUIRED_ROLES = ("hr", "finance", "sales", "support")


class Department(_Spec):
    role: Role = Field(description="What the department does; the generator staffs tickets, "
                       "orders and e-mails from it.")
    code: str = Field(min_length=1, max_length=8, description="Short code, e.g. RH.")
    name: str = Field(min_length=1, description="Department name as the company writes it.")
    share: float = Field(gt=0, le=1, description="Share of the workforce in this department.")
    salary_base: int = Field(
        gt=0, le=1_000_000, description="Median annual gross salary of a level-1 job."
    )
    titles: list[str] = Field(
        min_length=5, max_length=5,
        description="Job titles for levels 1 (junior) to 5 (head of department).",
    )


class ProductCategory(_Spec):
    name: str = Field(min_length=1)
    items: list[str] = Field(min_length=1, description="Product names; variants are derived.")
    price: tuple[float, float] = Field(description="List price range [min, max].")
    margin: float = Field(default=0.4, gt=0, lt=1, description="Gross margin on list price.")

    @model_validator(mode="after")
    def _price_range(self) -> ProductCategory:
        low, high = self.price
        if not 0 < low <= high:
            raise ValueError("price must be [min, max] with 0 < min <= max")
        return self


class Sizes(_Spec):
    """Volumes per employee, so that one `--employees` scales the whole company."""

    customers_per_employee: float = Field(default=2.5, gt=0, le=100)
    company_customer_share: float = Field(
        default=0.4, ge=0, le=1, description="Share of customers that are companies."
    )
    orders_per_customer_year: float = Field(default=3.5, gt=0, le=365)
    lines_per_order: float = Field(default=4.0, ge=1, le=50, description="Mean lines per order.")
    candidates_per_employee: float = Field(default=0.8, gt=0, le=50)
    tickets_per_customer_year: float = Field(default=0.6, ge=0, le=50)
    emails_per_employee: float = Field(default=0.6, ge=0, le=50)
    contract_share: float = Field(
        default=0.6, ge=0, le=1, description="Share of company customers with a contract."
    )
    employees_per_supplier: float = Field(default=25, gt=0)
    supplier_invoices_per_month: float = Field(default=1.0, gt=0, le=100)
    products: int = Field(default=120, ge=5, le=100_000)


class ScreeningBias(_Spec):
    """Bias carried by historical CV screening decisions (HR fairness lab)."""

    disadvantaged_gender: Literal["F", "M"] = "F"
    gender_selection_ratio: float = Field(
        default=0.7, gt=0, le=1,
        description="Selection rate of the disadvantaged gender / the other, at equal merit.",
    )
    age_threshold: int = Field(default=50, ge=25, le=70, description="Age group: this age and over.")
    age_selection_ratio: float = Field(
        default=0.6, gt=0, le=1,
        description="Selection rate of the older group / the younger, at equal merit.",
    )


class Churn(_Spec):
    """Customer churn in the 6 months after the extract, driven by these effects (log-odds)."""

    base_rate: float = Field(default=0.15, gt=0, lt=1, description="Churn rate of a typical customer.")
    per_ticket: float = Field(default=0.35, ge=-5, le=5, description="Log-odds per ticket in the last year.")
    per_tenure_year: float = Field(default=-0.08, ge=-5, le=5, description="Log-odds per year of tenure.")
    per_price_point: float = Field(
        default=4.0, ge=-50, le=50,
        description="Log-odds per unit of price index (1.0 = list price, 0.9 = 10 % discount).",
    )


class Sales(_Spec):
    annual_growth: float = Field(default=0.08, gt=-0.9, lt=5, description="Orders per customer, year on year.")
    seasonal_amplitude: float = Field(default=0.25, ge=0, lt=1, description="Peak month is +amplitude.")
    peak_month: int = Field(default=12, ge=1, le=12)


class DataQuality(_Spec):
    """Defects injected into the public customers table, at these rates."""

    duplicate_rate: float = Field(default=0.02, ge=0, le=0.5)
    missing_rate: float = Field(default=0.05, ge=0, le=0.5)
    format_rate: float = Field(default=0.03, ge=0, le=0.5)


class Signals(_Spec):
    screening_bias: ScreeningBias = ScreeningBias()
    invoice_anomaly_rate: float = Field(default=0.01, ge=0, le=0.2)
    churn: Churn = Churn()
    sales: Sales = Sales()
    data_quality: DataQuality = DataQuality()


class CompanyProfile(_Spec):
    name: str = Field(min_length=1, description="Company name.")
    legal_form: str = Field(default="", description="SA, SAS, Inc., ...")
    industry: str = Field(min_length=1)
    country: Literal["FR", "US"]
    locale: Locale
    currency: Literal["EUR", "USD"]
    email_domain: str = Field(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
    employees: int = Field(default=800, ge=20, le=1_000_000, description="Default headcount.")
    history_start: dt.date
    history_end: dt.date
    departments: list[Department] = Field(min_length=2)
    products: list[ProductCategory] = Field(min_length=1)
    sizes: Sizes = Sizes()
    signals: Signals = Signals()

    @model_validator(mode="after")
    def _coherent(self) -> CompanyProfile:
        if not self.history_start < self.history_end:
            raise ValueError("history_start must come before history_end")
        if (self.history_end - self.history_start).days < 2 * 365:
            raise ValueError("the history must span at least two years (trend and seasonality)")
        total = sum(d.share for d in self.departments)
        if abs(total - 1) > 0.01:
            raise ValueError(f"department shares must add up to 1 (they add up to {total:.3f})")
        roles = {d.role for d in self.departments}
        missing = [role for role in REQUIRED_ROLES if role not in roles]
        if missing:
            raise ValueError(f"departments need the roles {', '.join(missing)} (field 'role')")
        codes = [d.code for d in self.departments]
        if len(set(codes)) != len(codes):
            raise ValueError("department codes must be unique")
        return self


def shipped_profiles() -> dict[str, str]:
    """Name -> YAML text of the profiles shipped with Sandlab."""
    folder = resources.files(PROFILE_PACKAGE) / "profiles"
    return {
        entry.name.removesuffix(".yaml"): entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    }


def load_profile(name_or_path: str | Path) -> CompanyProfile:
    """A shipped profile by name, or a profile file by path."""
    shipped = shipped_profiles()
    if str(name_or_path) in shipped:
        return parse_spec(shipped[str(name_or_path)], CompanyProfile, source=f"profile '{name_or_path}'")
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml") and not path.exists():
        raise SpecError(
            f"unknown profile '{name_or_path}': use one of {', '.join(shipped)} or a path to a .yaml file"
        )
    return load_spec(path, CompanyProfile)
