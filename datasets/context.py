"""What every table builder shares: the run's spec, seeded randomness, Faker pools.

Randomness is derived per table from (seed, table name), so adding a table or
changing one builder leaves the others' data unchanged, and nothing uses Faker's
class-level ``Faker.seed()`` (it reseeds every instance in the process).
"""

from __future__ import annotations

import random
import unicodedata
import zlib
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

import numpy as np
from faker import Faker

from sandlab.datasets.locales import LocaleData, locale_data
from sandlab.datasets.profile import CompanyProfile

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class GenerationSpec:
    """One run of the generator; the same spec and version give a byte-identical pack."""

    profile: CompanyProfile
    locale: str
    seed: int
    employees: int


@dataclass(frozen=True)
class Pools:
    """Values made by Faker once, then sampled column-wise with NumPy."""

    female_first: np.ndarray
    male_first: np.ndarray
    last: np.ndarray
    streets: np.ndarray
    companies: np.ndarray
    free_email_domains: np.ndarray


def ascii_slug(values: np.ndarray) -> np.ndarray:
    """Lower-case ASCII for e-mail local parts: 'Hélène D'Arc' -> 'helene-darc'."""
    def one(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        kept = "".join(ch if ch.isalnum() else "-" for ch in plain.lower().replace("'", ""))
        return "-".join(part for part in kept.split("-") if part)
    unique, inverse = np.unique(values, return_inverse=True)
    return np.array([one(str(v)) for v in unique], dtype=object)[inverse].astype(str)


def build_pools(locale: str, seed: int, companies: int) -> Pools:
    fake = Faker(locale)
    fake.seed_instance(seed)

    def draw(method, n: int) -> np.ndarray:
        return np.array([method() for _ in range(n)])

    return Pools(
        female_first=draw(fake.first_name_female, 1500),
        male_first=draw(fake.first_name_male, 1500),
        last=draw(fake.last_name, 3000),
        streets=draw(fake.street_name, 2000),
        companies=np.unique(draw(fake.company, max(200, min(companies, 20_000)))),
        free_email_domains=np.unique(draw(fake.free_email_domain, 200)),
    )


class Context:
    """Spec, locale, pools and dates of one run, passed explicitly to every builder."""

    def __init__(self, spec: GenerationSpec):
        self.spec = spec
        self.profile = spec.profile
        self.locale: LocaleData = locale_data(spec.locale)
        self.texts: ModuleType = import_module(f"sandlab.datasets.locales.{spec.locale}.texts")
        self.start = np.datetime64(spec.profile.history_start, "D")
        self.end = np.datetime64(spec.profile.history_end, "D")  # the extract date
        expected_customers = int(spec.employees * spec.profile.sizes.customers_per_employee)
        self.pools = build_pools(spec.locale, spec.seed, expected_customers)
        self._city_weights = np.array([c.weight for c in self.locale.cities])
        self._city_weights = self._city_weights / self._city_weights.sum()

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.spec.seed, zlib.crc32(name.encode())])

    def py_random(self, name: str) -> random.Random:
        return random.Random(f"{self.spec.seed}:{name}")

    # Column helpers shared by the builders -------------------------------------------

    def names(self, rng: np.random.Generator, gender: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(gender)
        female = self.pools.female_first[rng.integers(0, len(self.pools.female_first), n)]
        male = self.pools.male_first[rng.integers(0, len(self.pools.male_first), n)]
        first = np.where(gender == "F", female, male)
        last = self.pools.last[rng.integers(0, len(self.pools.last), n)]
        return first, last

    def cities(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Indices into the locale's cities, weighted by population."""
        return rng.choice(len(self.locale.cities), size=n, p=self._city_weights)

    def addresses(self, rng: np.random.Generator, city_index: np.ndarray) -> dict[str, np.ndarray]:
        """street, postal_code, city and region columns, consistent with each other."""
        cities = self.locale.cities
        n = len(city_index)
        numbers = rng.integers(1, 180, n).astype(str)
        street_names = self.pools.streets[rng.integers(0, len(self.pools.streets), n)]
        postal = np.array([cities[i].postcodes[k % len(cities[i].postcodes)]
                           for i, k in zip(city_index, rng.integers(0, 1000, n), strict=True)])
        return {
            "street": np.char.add(np.char.add(numbers, " "), street_names),
            "postal_code": postal,
            "city": np.array([c.name for c in cities])[city_index],
            "region": np.array([c.region for c in cities])[city_index],
        }

    def phones(self, rng: np.random.Generator, city_index: np.ndarray,
               mobile_share: float | np.ndarray) -> np.ndarray:
        area = np.array([c.phone_area for c in self.locale.cities])[city_index]
        return self.locale.phones(rng, area, rng.random(len(city_index)) < mobile_share)

    def dates_between(self, rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """One uniform day in [low, high] for each pair."""
        span = (high - low).astype(np.int64)
        return low + (rng.random(len(span)) * (span + 1)).astype(np.int64).astype("timedelta64[D]")


def unique_emails(local: np.ndarray, domain: np.ndarray | str) -> np.ndarray:
    """``local@domain``, with a number appended to repeats: jean.martin2@..."""
    address = np.char.add(np.char.add(local, "@"), domain)
    _, inverse, counts = np.unique(address, return_inverse=True, return_counts=True)
    if counts.max(initial=1) == 1:
        return address
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(len(address), dtype=np.int64)
    rank[order] = np.arange(len(address)) - np.repeat(starts, counts)
    suffix = np.where(rank > 0, (rank + 1).astype(str), "")
    return np.char.add(np.char.add(np.char.add(local, suffix), "@"), domain)
