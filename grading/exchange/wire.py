"""Files as they travel in JSON between Sandlab's parts: {name: base64 of the bytes}.

The exchange service and its plugin, IT's release and the grading desk all speak it.
"""

from __future__ import annotations

import base64
import binascii


class BadEncoding(ValueError):
    """One entry is not base64; ``name`` says which."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the content of {name!r} is not valid base64")
        self.name = name


def encode(files: dict[str, bytes]) -> dict[str, str]:
    return {name: base64.b64encode(content).decode("ascii") for name, content in files.items()}


def decode(files: dict[str, str]) -> dict[str, bytes]:
    decoded = {}
    for name, value in files.items():
        try:
            decoded[name] = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise BadEncoding(name) from None
    return decoded
