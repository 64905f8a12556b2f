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
from functools import cached_property
from importlib import import_module
from types import ModuleType

import numpy as np
import pyarrow as pa
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


def ascii_slug(values: np.ndarray) -> np.ndarray:
    """Lower-case ASCII for e-mail local parts: 'Hélène D'Arc' -> 'helene-darc'."""
    def one(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        kept = "".join(ch if ch.isalnum() else "-" for ch in plain.lower().replace("'", ""))
        return "-".join(part for part in kept.split("-") if part)
    unique, inverse = np.unique(values, return_inverse=True)
    return np.array([one(str(v)) for v in unique], dtype=object)[inverse].astype(str)


class Pools:
    """Values made by Faker once, then sampled column-wise with NumPy.

    Each pool is made on first use by its own Faker instance seeded from (seed, pool
    name), so a run that needs fewer pools gets the same values in those it uses.
    """

    def __init__(self, locale: str, seed: int, companies: int):
        self.locale, self.seed, self.company_count = locale, seed, max(200, min(companies, 20_000))

    @cached_property
    def _faker(self) -> Faker:
        return Faker(self.locale)

    def _draw(self, method: str, n: int) -> np.ndarray:
        self._faker.seed_instance(zlib.crc32(f"{self.seed}:{method}".encode()))
        call = getattr(self._faker, method)
        return np.array([call() for _ in range(n)])

    @cached_property
    def female_first(self) -> np.ndarray:
        return self._draw("first_name_female", 1000)

    @cached_property
    def male_first(self) -> np.ndarray:
        return self._draw("first_name_male", 1000)

    @cached_property
    def last(self) -> np.ndarray:
        return self._draw("last_name", 2000)

    @cached_property
    def streets(self) -> np.ndarray:
        return self._draw("street_name", 1500)

    @cached_property
    def companies(self) -> np.ndarray:
        return np.unique(self._draw("company", self.company_count))

    @cached_property
    def free_email_domains(self) -> np.ndarray:
        return np.unique(self._draw("free_email_domain", 200))


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
        self.pools = Pools(spec.locale, spec.seed, expected_customers)
        self._city_weights = np.array([c.weight for c in self.locale.cities])
        self._city_weights = self._city_weights / self._city_weights.sum()

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.spec.seed, zlib.crc32(name.encode())])

    def py_random(self, name: str) -> random.Random:
        return random.Random(f"{self.spec.seed}:{name}")

    # Column helpers shared by the builders -------------------------------------------

    def names(self, rng: np.random.Generator, gender: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(gender)
        female = self.pick(rng, self.pools.female_first, n)
        male = self.pick(rng, self.pools.male_first, n)
        first = np.where(gender == "F", female, male)
        last = self.pick(rng, self.pools.last, n)
        return first, last

    @staticmethod
    def pick(rng: np.random.Generator, pool: np.ndarray, n: int) -> np.ndarray:
        """``n`` values drawn uniformly, with replacement, from a pool."""
        return pool[rng.integers(0, len(pool), n)]

    def city_names(self, city_index: np.ndarray) -> np.ndarray:
        return np.array([c.name for c in self.locale.cities])[city_index]

    def cities(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Indices into the locale's cities, weighted by population."""
        return rng.choice(len(self.locale.cities), size=n, p=self._city_weights)

    def addresses(self, rng: np.random.Generator, city_index: np.ndarray) -> dict[str, np.ndarray]:
        """street, postal_code, city and region columns, consistent with each other."""
        cities = self.locale.cities
        n = len(city_index)
        numbers = rng.integers(1, 180, n).astype(str)
        street_names = self.pick(rng, self.pools.streets, n)
        counts = np.array([len(c.postcodes) for c in cities])
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
        codes = np.array([code for c in cities for code in c.postcodes])
        postal = codes[offsets[city_index] + rng.integers(0, 1000, n) % counts[city_index]]
        return {
            "street": np.char.add(np.char.add(numbers, " "), street_names),
            "postal_code": postal,
            "city": self.city_names(city_index),
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


def email_local_parts(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """``first.last`` in lower-case ASCII, the way companies and people build addresses."""
    return np.char.add(np.char.add(ascii_slug(first), "."), ascii_slug(last))


def unique_emails(local: np.ndarray, domain: np.ndarray | str) -> np.ndarray:
    """``local@domain``, with a number appended to repeats: jean.martin2@..."""
    domains = np.broadcast_to(np.asarray(domain), local.shape).tolist()
    seen: dict[str, int] = {}
    out = []
    for name, host in zip(local.tolist(), domains, strict=True):
        address = f"{name}@{host}"
        count = seen.get(address, 0) + 1
        seen[address] = count
        out.append(address if count == 1 else f"{name}{count}@{host}")
    return np.array(out, dtype=object)


def table_of(columns: dict) -> pa.Table:
    """An Arrow table from NumPy columns; fixed-width strings go through lists (faster)."""
    return pa.table({name: pa.array(values.tolist(), pa.string())
                     if isinstance(values, np.ndarray) and values.dtype.kind == "U" else values
                     for name, values in columns.items()})
