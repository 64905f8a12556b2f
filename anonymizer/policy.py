"""The anonymization policy: one action per column, reviewed and signed off by a person.

``sandlab anonymize suggest`` writes a first version; the trainer or the data
protection officer edits it; ``run`` refuses a policy that misses a column or names
one that does not exist: nothing is kept by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sandlab.specfile import load_spec

Action = Literal["keep", "drop", "pseudonymize", "hash", "generalize", "mask", "scan"]
Generalization = Literal["month", "year", "age_band", "department", "band"]
PERSONAL_ACTIONS = ("drop", "pseudonymize", "hash", "generalize", "mask")
ENTITIES = ("PERSON", "FIRST_NAME", "LAST_NAME", "EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "FR_NIR",
            "FR_SIREN", "FR_SIRET", "US_SSN", "CREDIT_CARD", "STREET_ADDRESS", "US_BANK_NUMBER", "OTHER")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnPolicy(_Spec):
    action: Action
    entity: str | None = Field(default=None, description="Entity type of a pseudonymized column.")
    to: Generalization | None = Field(default=None, description="Generalization target.")
    width: float | None = Field(default=None, gt=0, description="Band width (age_band, band).")
    bottom: float | None = Field(default=None, description="Bands start here: lower values become '<bottom'.")
    top: float | None = Field(default=None, description="Bands stop here: higher values become 'top+'.")
    keep_last: int = Field(default=4, ge=0, le=64, description="Characters left visible by mask.")
    reason: str = Field(default="", description="Why this action (kept in the report).")

    @model_validator(mode="after")
    def _complete(self) -> ColumnPolicy:
        if self.action == "pseudonymize" and self.entity not in ENTITIES:
            raise ValueError(f"pseudonymize needs 'entity', one of {', '.join(ENTITIES)}")
        if self.action == "generalize" and self.to is None:
            raise ValueError("generalize needs 'to': month, year, age_band, department or band")
        if self.to == "band" and self.width is None:
            raise ValueError("generalize to band needs 'width'")
        return self


class TablePolicy(_Spec):
    columns: dict[str, ColumnPolicy] = Field(min_length=1)
    quasi_identifiers: list[str] = Field(default_factory=list, description="Columns an attacker could link on.")
    sensitive: list[str] = Field(default_factory=list, description="Columns whose diversity is reported.")

    @field_validator("columns", mode="before")
    @classmethod
    def _short_form(cls, value):
        """``name: keep`` is short for ``name: {action: keep}``."""
        if isinstance(value, dict):
            return {k: {"action": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _known_columns(self) -> TablePolicy:
        for group in ("quasi_identifiers", "sensitive"):
            unknown = [c for c in getattr(self, group) if c not in self.columns]
            if unknown:
                raise ValueError(f"{group} names columns not in 'columns': {', '.join(unknown)}")
        return self


class Policy(_Spec):
    language: Literal["fr", "en"]
    k: int = Field(default=5, ge=1, le=1000, description="Minimum k-anonymity on quasi-identifiers.")
    tables: dict[str, TablePolicy] = Field(default_factory=dict,
                                           description="Key: file path relative to the input (CSV, Parquet, "
                                                       "JSONL), or 'file.sqlite#table'.")
    documents: dict[str, Literal["scan"]] = Field(default_factory=dict,
                                                  description="Text files (.txt, .eml) to scan, by path.")


def load_policy(path: Path) -> Policy:
    return load_spec(path, Policy)
