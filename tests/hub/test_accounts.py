from __future__ import annotations

import json
import stat

from sandlab.hub.accounts import AccountStore, check_password, hash_password


def test_hash_checks_the_right_password_only():
    stored = hash_password("correct horse")
    assert check_password("correct horse", stored)
    assert not check_password("correct horsE", stored)
    assert "correct horse" not in stored
    assert hash_password("correct horse") != stored  # salted


def test_malformed_hashes_never_match():
    for stored in ("", "plain", "md5$x$y", "scrypt$1$2$3"):
        assert not check_password("anything", stored)


def test_store_issues_once_keeps_hashes_only_and_private(tmp_path):
    store = AccountStore(tmp_path / "accounts.json")
    issued = store.set_passwords(["ana", "ben"])
    assert set(issued) == {"ana", "ben"} and all(len(p) >= 16 for p in issued.values())
    assert store.set_passwords(["ana", "ben", "cleo"]).keys() == {"cleo"}
    saved = (tmp_path / "accounts.json").read_text()
    assert not any(password in saved for password in issued.values())
    assert stat.S_IMODE((tmp_path / "accounts.json").stat().st_mode) == 0o600
    assert store.check("ana", issued["ana"]) and not store.check("ana", issued["ben"])
    assert not store.check("nobody", issued["ana"])
    reset = store.set_passwords(["ana"], reset=True)
    assert not store.check("ana", issued["ana"]) and store.check("ana", reset["ana"])
    assert set(json.loads(saved)) == {"ana", "ben", "cleo"}
