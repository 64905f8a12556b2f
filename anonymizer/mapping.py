"""The reversible mapping, kept only on request, encrypted, and never inside the pack.

Keeping it makes re-identification possible for whoever holds the key: it is
written only with an explicit ``--keep-mapping FILE``, encrypted (Fernet, key
derived from the run's secret with HKDF), to a path outside the published pack.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sandlab.anonymizer.surrogates import Surrogates


def _fernet(key: bytes) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"sandlab mapping").derive(key)
    return Fernet(base64.urlsafe_b64encode(derived))


def write_mapping(path: Path, key: bytes, surrogates: Surrogates) -> None:
    entries = [{"kind": kind, "source": source, "surrogate": surrogate}
               for kind, source, surrogate in surrogates.pairs()]
    token = _fernet(key).encrypt(json.dumps(entries, ensure_ascii=False).encode())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(token)


def read_mapping(path: Path, key: bytes) -> list[dict]:
    return json.loads(_fernet(key).decrypt(path.read_bytes()))
