"""United States: cities with their ZIP codes, states and area codes, SSN, EIN, ABA accounts."""

from __future__ import annotations

import numpy as np

from sandlab import identifiers
from sandlab.datasets.locales import City, LocaleData

# (city, ZIP codes, state, area code, population weight)
CITIES = tuple(City(*row) for row in (
    ("New York", ("10001", "10002", "10003", "10011", "10016", "10025"), "NY", "212", 25.0),
    ("Los Angeles", ("90012", "90026", "90034", "90045"), "CA", "213", 12.0),
    ("Chicago", ("60601", "60605", "60614", "60618", "60640"), "IL", "312", 8.0),
    ("Houston", ("77002", "77004", "77007", "77019"), "TX", "713", 7.0),
    ("Phoenix", ("85003", "85004", "85008", "85016"), "AZ", "602", 5.0),
    ("Philadelphia", ("19102", "19103", "19104", "19147"), "PA", "215", 5.0),
    ("San Antonio", ("78201", "78205", "78209"), "TX", "210", 4.8),
    ("San Diego", ("92101", "92103", "92109"), "CA", "619", 4.5),
    ("Dallas", ("75201", "75204", "75206"), "TX", "214", 4.5),
    ("Austin", ("78701", "78702", "78704"), "TX", "512", 3.5),
    ("Jacksonville", ("32202", "32204", "32207"), "FL", "904", 3.3),
    ("Columbus", ("43201", "43205", "43215"), "OH", "614", 3.0),
    ("Charlotte", ("28202", "28203", "28205"), "NC", "704", 3.0),
    ("Indianapolis", ("46201", "46204", "46220"), "IN", "317", 3.0),
    ("San Francisco", ("94102", "94103", "94110", "94117"), "CA", "415", 3.0),
    ("Seattle", ("98101", "98103", "98109", "98115"), "WA", "206", 3.0),
    ("Denver", ("80202", "80203", "80205", "80218"), "CO", "303", 3.0),
    ("Boston", ("02108", "02115", "02116", "02118"), "MA", "617", 2.5),
    ("Nashville", ("37203", "37206", "37212"), "TN", "615", 2.5),
    ("Portland", ("97201", "97205", "97209", "97214"), "OR", "503", 2.2),
    ("Las Vegas", ("89101", "89102", "89109"), "NV", "702", 2.2),
    ("Detroit", ("48201", "48207", "48226"), "MI", "313", 2.1),
    ("Baltimore", ("21201", "21202", "21230"), "MD", "410", 2.0),
    ("Atlanta", ("30303", "30308", "30309"), "GA", "404", 1.8),
    ("Milwaukee", ("53202", "53204", "53212"), "WI", "414", 1.8),
    ("Albuquerque", ("87102", "87106", "87110"), "NM", "505", 1.8),
    ("Minneapolis", ("55401", "55403", "55408"), "MN", "612", 1.7),
    ("Raleigh", ("27601", "27603"), "NC", "919", 1.5),
    ("Kansas City", ("64105", "64108"), "MO", "816", 1.5),
    ("Salt Lake City", ("84101", "84102", "84111"), "UT", "801", 1.2),
    ("Newark", ("07102", "07104"), "NJ", "973", 1.0),
    ("Boise", ("83702",), "ID", "208", 0.8),
    ("Providence", ("02903", "02906"), "RI", "401", 0.6),
    ("Hartford", ("06103", "06105"), "CT", "860", 0.5),
    ("Anchorage", ("99501",), "AK", "907", 0.5),
    ("Burlington", ("05401",), "VT", "802", 0.3),
))

CONTRACT_TYPES = (("Full-time", 0.85), ("Part-time", 0.08), ("Contractor", 0.05), ("Intern", 0.02))
EDUCATION_LEVELS = (("High school", 0), ("Associate degree", 2), ("Bachelor's degree", 4),
                    ("Master's degree", 6), ("MBA", 6), ("PhD", 9))


def national_id(rng, gender, birth_date, birth_region):
    return identifiers.us_ssn(rng, len(gender))


def company_numbers(rng, n):
    return identifiers.us_ein(rng, n), None


def phones(rng, area, mobile):
    """``(AAA) EEE-LLLL`` in the city's area code; exchanges never start with 0 or 1."""
    n = len(area)
    exchange = rng.integers(200, 1000, size=n)
    exchange[exchange % 100 == 11] += 1  # N11 codes are service numbers
    line = rng.integers(0, 10_000, size=n)
    out = np.char.add(np.char.add("(", area), ") ")
    out = np.char.add(np.char.add(out, exchange.astype(str)), "-")
    return np.char.add(out, np.char.zfill(line.astype(str), 4))


def phone_variants(number: str) -> tuple[str, ...]:
    digits = "".join(ch for ch in number if ch.isdigit())
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    return (
        number,
        f"{area}-{exchange}-{line}",
        f"{area}.{exchange}.{line}",
        f"+1 {area} {exchange} {line}",
        f"+1 ({area}) {exchange}-{line}",
        digits,
        f"1-{area}-{exchange}-{line}",
    )


def address(street: str, postcode: str, city: City) -> str:
    return f"{street}, {city.name}, {city.region} {postcode}"


LOCALE = LocaleData(
    name="en_US",
    language="en",
    cities=CITIES,
    contract_types=CONTRACT_TYPES,
    education_levels=EDUCATION_LEVELS,
    national_id_name="SSN (AAA-GG-SSSS)",
    company_number_name="EIN (PP-NNNNNNN)",
    establishment_number_name=None,
    bank_account_name="ABA routing number (valid check digit) and account number",
    national_id=national_id,
    company_numbers=company_numbers,
    bank_accounts=identifiers.us_bank_account,
    phones=phones,
    phone_variants=phone_variants,
    address=address,
    pii_entities={
        "person": "PERSON", "email": "EMAIL_ADDRESS", "phone": "PHONE_NUMBER",
        "address": "STREET_ADDRESS", "bank_account": "US_BANK_NUMBER", "national_id": "US_SSN",
        "company_number": "US_EIN",
    },
    payroll_rates=(0.10, 0.74),
    sales_tax=0.08,
    document_prefixes={"order": "SO", "invoice": "INV", "contract": "MSA"},
    colors=("Black", "Forest Green", "Slate Gray", "Sand", "Navy", "Burnt Orange", "Sky Blue"),
    supplier_categories=("Freight", "Utilities", "IT services", "Office supplies", "Janitorial",
                         "Raw materials", "Consulting", "Rent", "Telecom"),
)
