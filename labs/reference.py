"""The reference pack: the one dataset pack the catalogue's labs are validated against.

A no-code lab's solution is literals read off the data (a count, a threshold, a choice),
so its solution scores full marks on this pack, while its hidden tests recompute the right
answer from whatever pack a learner has.
"""

from __future__ import annotations

from pathlib import Path

PROFILE, LOCALE, SEED, EMPLOYEES = "fr-mid-size", "fr_FR", 7, 300
DESCRIPTION = f"{PROFILE}, {LOCALE}, seed {SEED}, {EMPLOYEES} employees"


def generate_reference_pack(root: Path) -> Path:
    """Generate the reference pack into ``root`` (a new folder); ``root``."""
    from sandlab.datasets import GenerationSpec, generate_pack, load_profile

    generate_pack(GenerationSpec(load_profile(PROFILE), LOCALE, SEED, EMPLOYEES), root)
    return root
