"""France: cities with their postcodes and departments, NIR, SIREN/SIRET, IBAN, phones."""

from __future__ import annotations

import numpy as np

from sandlab import identifiers
from sandlab.datasets.locales import City, LocaleData

# (city, postcodes, department, phone zone, population weight). The first two digits
# of a postcode are the department; the phone zone follows ARCEP's five regions.
CITIES = tuple(City(*row) for row in (
    ("Paris", ("75001", "75003", "75008", "75011", "75012", "75015", "75017", "75018", "75020"), "75", "1", 21.0),
    ("Marseille", ("13001", "13004", "13006", "13008", "13013"), "13", "4", 8.7),
    ("Lyon", ("69001", "69003", "69006", "69007", "69008"), "69", "4", 5.2),
    ("Toulouse", ("31000", "31100", "31200", "31300", "31400", "31500"), "31", "5", 4.9),
    ("Nice", ("06000", "06100", "06200", "06300"), "06", "4", 3.4),
    ("Nantes", ("44000", "44100", "44200", "44300"), "44", "2", 3.2),
    ("Montpellier", ("34000", "34070", "34080", "34090"), "34", "4", 3.0),
    ("Strasbourg", ("67000", "67100", "67200"), "67", "3", 2.9),
    ("Bordeaux", ("33000", "33100", "33200", "33300", "33800"), "33", "5", 2.6),
    ("Lille", ("59000", "59160", "59260", "59800"), "59", "3", 2.3),
    ("Rennes", ("35000", "35200", "35700"), "35", "2", 2.2),
    ("Reims", ("51100",), "51", "3", 1.8),
    ("Toulon", ("83000", "83100", "83200"), "83", "4", 1.8),
    ("Saint-Étienne", ("42000", "42100"), "42", "4", 1.7),
    ("Le Havre", ("76600", "76610", "76620"), "76", "2", 1.7),
    ("Grenoble", ("38000", "38100"), "38", "4", 1.6),
    ("Dijon", ("21000",), "21", "3", 1.6),
    ("Angers", ("49000", "49100"), "49", "2", 1.5),
    ("Nîmes", ("30000", "30900"), "30", "4", 1.5),
    ("Villeurbanne", ("69100",), "69", "4", 1.5),
    ("Clermont-Ferrand", ("63000", "63100"), "63", "4", 1.5),
    ("Le Mans", ("72000", "72100"), "72", "2", 1.4),
    ("Aix-en-Provence", ("13090", "13100"), "13", "4", 1.4),
    ("Brest", ("29200",), "29", "2", 1.4),
    ("Tours", ("37000", "37100", "37200"), "37", "2", 1.4),
    ("Amiens", ("80000", "80080", "80090"), "80", "3", 1.3),
    ("Limoges", ("87000", "87100", "87280"), "87", "5", 1.3),
    ("Annecy", ("74000", "74370", "74600"), "74", "4", 1.3),
    ("Perpignan", ("66000", "66100"), "66", "4", 1.2),
    ("Boulogne-Billancourt", ("92100",), "92", "1", 1.2),
    ("Metz", ("57000", "57050", "57070"), "57", "3", 1.2),
    ("Besançon", ("25000",), "25", "3", 1.2),
    ("Orléans", ("45000", "45100"), "45", "2", 1.2),
    ("Rouen", ("76000", "76100"), "76", "2", 1.1),
    ("Argenteuil", ("95100",), "95", "1", 1.1),
    ("Mulhouse", ("68100", "68200"), "68", "3", 1.1),
    ("Montreuil", ("93100",), "93", "1", 1.1),
    ("Caen", ("14000",), "14", "2", 1.1),
    ("Nancy", ("54000", "54100"), "54", "3", 1.0),
    ("Saint-Denis", ("93200", "93210"), "93", "1", 1.1),
    ("Versailles", ("78000",), "78", "1", 0.9),
    ("Créteil", ("94000",), "94", "1", 0.9),
    ("Nanterre", ("92000",), "92", "1", 0.9),
    ("Poitiers", ("86000",), "86", "5", 0.9),
    ("Avignon", ("84000",), "84", "4", 0.9),
    ("Pau", ("64000",), "64", "5", 0.8),
    ("La Rochelle", ("17000",), "17", "5", 0.8),
    ("Chambéry", ("73000",), "73", "4", 0.6),
    ("Troyes", ("10000",), "10", "3", 0.6),
    ("Valence", ("26000",), "26", "4", 0.6),
    ("Vannes", ("56000",), "56", "2", 0.5),
    ("Bourg-en-Bresse", ("01000",), "01", "4", 0.4),
    ("Gap", ("05000",), "05", "4", 0.4),
    ("Laon", ("02000",), "02", "3", 0.2),
))

CONTRACT_TYPES = (("CDI", 0.86), ("CDD", 0.08), ("Alternance", 0.04), ("Stage", 0.02))
EDUCATION_LEVELS = (("CAP/BEP", 0), ("Bac", 0), ("Bac+2", 2), ("Bac+3", 3), ("Bac+5", 5), ("Doctorat", 8))


def national_id(rng, gender, birth_date, birth_region):
    years = birth_date.astype("datetime64[Y]").astype(int) + 1970
    months = birth_date.astype("datetime64[M]").astype(int) % 12 + 1
    return identifiers.nir(rng, gender, years, months, birth_region.astype(int))


def company_numbers(rng, n):
    siren = identifiers.siren(rng, n)
    return siren, identifiers.siret_from_siren(rng, siren)


def phones(rng, area, mobile):
    """``0Z AB CD EF GH``: mobiles 06/07, landlines by the city's zone."""
    n = len(area)
    first = np.where(mobile, rng.choice(np.array(["6", "7"]), size=n, p=[0.8, 0.2]), area)
    pairs = rng.integers(0, 100, size=(n, 4))
    out = np.char.add("0", first)
    for column in range(4):
        out = np.char.add(np.char.add(out, " "), np.char.zfill(pairs[:, column].astype(str), 2))
    return out


def phone_variants(number: str) -> tuple[str, ...]:
    digits = number.replace(" ", "")
    pairs = [digits[i:i + 2] for i in range(0, 10, 2)]
    rest = " ".join(pairs[1:])
    return (
        number,
        ".".join(pairs),
        digits,
        f"+33 {digits[1]} {rest}",
        f"+33 (0){digits[1]} {rest}",
        "-".join(pairs),
        f"+33{digits[1:]}",
    )


def address(street: str, postcode: str, city: City) -> str:
    return f"{street}, {postcode} {city.name}"


LOCALE = LocaleData(
    name="fr_FR",
    language="fr",
    cities=CITIES,
    contract_types=CONTRACT_TYPES,
    education_levels=EDUCATION_LEVELS,
    national_id_name="NIR (numéro de sécurité sociale, 15 chiffres avec clé)",
    company_number_name="SIREN (9 chiffres, Luhn)",
    establishment_number_name="SIRET (14 chiffres, Luhn)",
    bank_account_name="IBAN (FR, clé RIB et chiffres de contrôle valides)",
    national_id=national_id,
    company_numbers=company_numbers,
    bank_accounts=identifiers.french_iban,
    phones=phones,
    phone_variants=phone_variants,
    address=address,
    pii_entities={
        "person": "PERSON", "email": "EMAIL_ADDRESS", "phone": "PHONE_NUMBER",
        "address": "STREET_ADDRESS", "bank_account": "IBAN_CODE", "national_id": "FR_NIR",
        "establishment_number": "FR_SIRET", "company_number": "FR_SIREN",
    },
    payroll_rates=(0.42, 0.78),
    sales_tax=0.20,
    document_prefixes={"order": "CMD", "invoice": "FAC", "contract": "CTR"},
    colors=("Noir", "Blanc", "Gris anthracite", "Chêne clair", "Noyer", "Bleu nuit", "Vert sauge"),
    supplier_categories=("Transport", "Énergie", "Informatique", "Fournitures", "Nettoyage",
                         "Matières premières", "Conseil", "Loyer et charges", "Télécoms"),
)
