"""``sandlab anonymize suggest``: a first policy from column names and sampled values.

Validators decide identifier columns (a column where most values are valid NIRs is a
NIR column, whatever its name); names in French or English decide the rest; long
free-text columns are sampled through the detector and marked for scanning. The
result is a proposal for a person to review: each column carries its reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import yaml
from stdnum import iban
from stdnum.fr import nir, siren, siret
from stdnum.us import ssn

from sandlab.anonymizer.sources import discover

SAMPLE = 300
SHARE = 0.8  # of non-empty sampled values that must pass a validator
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?:\+|00)?[\d\s().-]{9,20}")

VALIDATORS: list[tuple[str, Callable[[str], bool]]] = [
    ("FR_NIR", lambda v: nir.is_valid(v.replace(" ", ""))),
    ("FR_SIRET", lambda v: siret.is_valid(v.replace(" ", ""))),
    ("IBAN_CODE", lambda v: iban.is_valid(v)),
    ("EMAIL_ADDRESS", lambda v: EMAIL.fullmatch(v) is not None),
    ("US_SSN", lambda v: ssn.is_valid(v)),
    ("FR_SIREN", lambda v: siren.is_valid(v.replace(" ", ""))),
    ("PHONE_NUMBER", lambda v: PHONE.fullmatch(v) is not None and 9 <= len(re.sub(r"\D", "", v)) <= 13),
]

# Column-name rules, checked in order: (pattern, policy, quasi-identifier?, sensitive?)
NAME_RULES: list[tuple[str, dict, bool, bool]] = [
    (r"(^|_)(id|matricule|key|cle)$|_id$", {"action": "keep", "reason": "identifier of a record"}, False, False),
    (r"pr[eé]nom|first.?name|given", {"action": "pseudonymize", "entity": "FIRST_NAME"}, False, False),
    (r"(^|_)(nom|name|last.?name|surname|family)($|_)", {"action": "pseudonymize", "entity": "LAST_NAME"},
     False, False),
    (r"adresse|address|street|rue", {"action": "pseudonymize", "entity": "STREET_ADDRESS"}, False, False),
    (r"naissance|birth|dob", {"action": "generalize", "to": "age_band", "width": 10}, True, False),
    (r"code.?postal|postal|zip|(^|_)cp($|_)", {"action": "generalize", "to": "department"}, True, False),
    (r"sexe|gender|genre", {"action": "keep", "reason": "quasi-identifier kept for analysis"}, True, False),
    (r"salaire|salary|remun|wage", {"action": "generalize", "to": "band", "width": 5000}, False, True),
    (r"ville|city|commune|town", {"action": "keep", "reason": "quasi-identifier kept for analysis"}, True, False),
]


def _sample(table) -> dict[str, list[str]]:
    for _first, chunk in table.chunks(rows=SAMPLE):
        return {c: [str(v) for v in chunk[c] if v is not None and str(v).strip()] for c in table.columns}
    return {c: [] for c in table.columns}


def _by_values(values: list[str]) -> str | None:
    if not values:
        return None
    for entity, valid in VALIDATORS:
        if sum(1 for v in values if valid(v.strip())) >= SHARE * len(values):
            return entity
    return None


def _is_free_text(values: list[str]) -> bool:
    return bool(values) and sum(len(v) for v in values) / len(values) > 40 and \
        sum(1 for v in values if " " in v.strip()) >= 0.5 * len(values)


def suggest_column(name: str, values: list[str], detect) -> tuple[dict, bool, bool]:
    entity = _by_values(values)
    if entity:
        return {"action": "pseudonymize", "entity": entity,
                "reason": f"most sampled values are valid {entity}"}, False, False
    if _is_free_text(values):
        found = detect(values[:50])
        reason = (f"free text; the detector found {found} personal data spans in a sample" if found
                  else "free text; nothing found in a sample, scanned anyway")
        return {"action": "scan", "reason": reason}, False, False
    lowered = name.lower()
    for pattern, policy, quasi, sensitive in NAME_RULES:
        if re.search(pattern, lowered):
            policy = dict(policy)
            policy.setdefault("reason", f"column name '{name}'")
            return policy, quasi, sensitive
    return {"action": "keep", "reason": "no personal data recognised in a sample; check before publishing"}, \
        False, False


def suggest(input_dir: Path, language: str, k: int = 5, detector=None) -> dict:
    tables, documents = discover(Path(input_dir))

    def detect(texts: list[str]) -> int:
        if detector is None:
            return 0
        return sum(len(found) for found in detector.detect_many(texts))

    policy: dict = {"language": language, "k": k, "tables": {}, "documents": {}}
    for table in tables:
        sample = _sample(table)
        columns, quasi, sensitive = {}, [], []
        for name in table.columns:
            column, is_quasi, is_sensitive = suggest_column(name, sample[name], detect)
            columns[name] = column
            quasi += [name] if is_quasi else []
            sensitive += [name] if is_sensitive else []
        policy["tables"][table.key] = {"columns": columns, "quasi_identifiers": quasi, "sensitive": sensitive}
    policy["documents"] = {d.key: "scan" for d in documents}
    return policy


def to_yaml(policy: dict) -> str:
    header = ("# Anonymization policy proposed by `sandlab anonymize suggest`. Review every column:\n"
              "# actions: keep, drop, pseudonymize (entity), hash, generalize (to: month, year, age_band,\n"
              "# department, band + width), mask (keep_last), scan (free text).\n")
    return header + yaml.safe_dump(policy, sort_keys=False, allow_unicode=True)
