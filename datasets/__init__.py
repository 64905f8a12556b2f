"""Synthetic company generator: a whole fictional company as a dataset pack.

Public surface: :func:`generate_pack`, :func:`load_profile`, :func:`shipped_profiles`.
Imported on first use (PEP 562): the assistant's gateway in the hub uses the locales'
names and identifiers, and must not need the pack writer's pyarrow.
"""

from importlib import import_module

_HOMES = {"PackResult": "company", "generate_pack": "company", "GenerationSpec": "context",
          "SUPPORTED_LOCALES": "profile", "CompanyProfile": "profile", "load_profile": "profile",
          "shipped_profiles": "profile"}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(f"sandlab.datasets.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'sandlab.datasets' has no attribute {name!r}")
