"""Single sign-on through OpenID Connect (GenericOAuthenticator), against a stand-in provider:
cohort members get in, with their role; someone the provider knows but no cohort lists does not."""

from __future__ import annotations

import dataclasses
import secrets

from sandlab.cohort import Member
from sandlab.hub.platform import up
from tests.platform.client import Browser, Hub
from tests.platform.conftest import second_hub
from tests.platform.mock_idp import MockIdentityProvider


def test_members_sign_in_through_the_identity_provider_and_others_do_not(engine, images, platform):
    idp = MockIdentityProvider("sandlab", secrets.token_hex(12))
    members = Member(name="oscar", persona="business"), Member(name="olga", role="admin")
    try:
        with second_hub(platform, "sloidc", *members, start=False) as (base, _):  # apply made the hub's network
            gateway = engine.networks.get(f"{base.name}-hub").attrs["IPAM"]["Config"][0]["Gateway"]
            provider = f"http://{gateway}:{idp.port}"  # as the hub container reaches this machine
            instance = dataclasses.replace(base, environment=(
                ("SANDLAB_AUTH", "oidc"), ("OIDC_CLIENT_ID", idp.client_id),
                ("OIDC_CLIENT_SECRET", idp.client_secret),
                ("OIDC_AUTHORIZE_URL", f"http://localhost:{idp.port}/authorize"),  # as the browser reaches it
                ("OIDC_TOKEN_URL", f"{provider}/token"), ("OIDC_USERDATA_URL", f"{provider}/userinfo")))
            up(engine, instance)
            hub = Hub(instance.port)

            idp.next_user = "oscar"
            oscar = Browser()
            landed = oscar.request("GET", f"{hub.url}/hub/oauth_login")  # provider, callback, spawn, own server
            assert landed.status_code == 200 and "oscar" in str(landed.url), landed.url
            assert oscar.request("GET", f"{hub.url}/hub/home", follow=False).status_code == 200

            idp.next_user = "mallory"  # known to the provider, in no cohort
            refused = Browser().request("GET", f"{hub.url}/hub/oauth_login")
            assert refused.status_code == 403

            idp.next_user = "olga"
            olga = Browser()
            olga.request("GET", f"{hub.url}/hub/oauth_login")
            assert olga.request("GET", f"{hub.url}/hub/admin").status_code == 200  # IT keeps its role
            assert oscar.request("GET", f"{hub.url}/hub/admin").status_code == 403
    finally:
        idp.close()
