"""Locale data: what differs between a French and an American company.

One subpackage per supported locale, each exposing ``LOCALE`` (a :class:`LocaleData`).
Only the locales listed here exist; any other is refused by name rather than
quietly replaced (Faker falls back to en_US silently).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

import numpy as np


@dataclass(frozen=True)
class City:
    name: str
    postcodes: tuple[str, ...]
    region: str  # French department number, or US state
    phone_area: str  # French zone digit (1-5), or US area code
    weight: float  # relative population


@dataclass(frozen=True)
class LocaleData:
    """Everything locale-specific the generator needs; functions work on whole columns."""

    name: str
    language: str
    cities: tuple[City, ...]
    contract_types: tuple[tuple[str, float], ...]
    education_levels: tuple[tuple[str, int], ...]  # label, years after secondary school
    national_id_name: str  # what `employees.national_id` holds
    company_number_name: str
    establishment_number_name: str | None
    bank_account_name: str
    national_id: Callable[..., np.ndarray]  # (rng, gender, birth_date, birth_region) -> ids
    company_numbers: Callable[..., tuple[np.ndarray, np.ndarray | None]]  # (rng, n)
    bank_accounts: Callable[..., np.ndarray]  # (rng, n)
    phones: Callable[..., np.ndarray]  # (rng, area, mobile) -> canonical national numbers
    phone_variants: Callable[[str], tuple[str, ...]]  # other ways people write one number
    address: Callable[[str, str, City], str]  # (street, postcode, city) -> one-line address
    pii_entities: dict[str, str]  # slot kind -> gold entity type
    payroll_rates: tuple[float, float]  # employer contributions, net / gross
    sales_tax: float
    document_prefixes: dict[str, str]  # order, invoice, contract, payslip numbering
    colors: tuple[str, ...]  # product variants
    supplier_categories: tuple[str, ...]
    ticket_channels: tuple[str, ...] = ("email", "phone", "web", "chat")


SUPPORTED_LOCALES = ("fr_FR", "en_US")


def locale_data(name: str) -> LocaleData:
    """The data of a supported locale; any other name is an error, never a fallback."""
    if name not in SUPPORTED_LOCALES:
        raise ValueError(f"unknown locale '{name}': supported locales are {', '.join(SUPPORTED_LOCALES)}")
    return import_module(f"{__name__}.{name}").LOCALE
