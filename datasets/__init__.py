"""Synthetic company generator: a whole fictional company as a dataset pack.

Public surface: :func:`generate_pack`, :func:`load_profile`, :func:`shipped_profiles`.
"""

from sandlab.datasets.company import PackResult, generate_pack
from sandlab.datasets.context import GenerationSpec
from sandlab.datasets.profile import SUPPORTED_LOCALES, CompanyProfile, load_profile, shipped_profiles

__all__ = ["SUPPORTED_LOCALES", "CompanyProfile", "GenerationSpec", "PackResult", "generate_pack",
           "load_profile", "shipped_profiles"]
