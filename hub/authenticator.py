"""Log in with the accounts IT created: no sign-up, no default password, hashes only."""

from __future__ import annotations

import asyncio
from pathlib import Path

from jupyterhub.auth import Authenticator
from traitlets import Unicode

from sandlab.hub.accounts import AccountStore


class SandlabAuthenticator(Authenticator):
    """Checks a password against the hash `sandlab hub apply` stored for that user."""

    accounts_file = Unicode(
        "/srv/sandlab/state/accounts.json",
        config=True,
        help="JSON file of user name -> scrypt hash, written by `sandlab hub apply` (mode 0600).",
    )

    async def authenticate(self, handler, data):
        name = self.normalize_username(data.get("username", ""))
        password = data.get("password", "")
        store = AccountStore(Path(self.accounts_file))
        # scrypt costs ~50 ms of CPU: keep it off the event loop every request shares.
        if name and password and await asyncio.to_thread(store.check, name, password):
            return name
        self.log.warning("Failed login for %s", name)
        return None
