"""Accounts IT creates: generated passwords, kept only as salted scrypt hashes.

No sign-up and no default password: a member of an applied cohort has no way in until
IT has generated a password for them (printed once, never stored in clear).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from sandlab.hub.files import write_private

# scrypt cost: about 50 ms a check on one core, enough to make guessing expensive.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    encode = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encode(salt).decode()}${encode(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    return hmac.compare_digest(candidate, base64.b64decode(digest))


class AccountStore:
    """User name -> password hash, in one JSON file of the hub's state (mode 0600)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def hashes(self) -> dict[str, str]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def set_passwords(self, names: list[str], *, reset: bool = False) -> dict[str, str]:
        """Give a password to each name that has none (or to all with ``reset``); return them in clear, once."""
        hashes = self.hashes()
        issued = {name: generate_password() for name in names if reset or name not in hashes}
        hashes.update({name: hash_password(password) for name, password in issued.items()})
        write_private(self.path, json.dumps(hashes, indent=1, sort_keys=True))
        return issued

    def check(self, name: str, password: str) -> bool:
        stored = self.hashes().get(name)
        return stored is not None and check_password(password, stored)
