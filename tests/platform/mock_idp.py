"""A stand-in OpenID Connect provider (the one part of the platform that cannot exist
here): authorization-code flow, token endpoint, userinfo. The test decides who is
'logged in' at the provider next."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse


class MockIdentityProvider:
    def __init__(self, client_id: str, client_secret: str):
        self.client_id, self.client_secret = client_id, client_secret
        self.next_user = ""
        self.codes: dict[str, str] = {}
        self.tokens: dict[str, str] = {}
        self.server = ThreadingHTTPServer(("0.0.0.0", 0), self._handler())
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()

    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/authorize":
                    if query.get("client_id") != idp.client_id or query.get("response_type") != "code":
                        return self._json(400, {"error": "invalid_request"})
                    code = secrets.token_hex(8)
                    idp.codes[code] = idp.next_user
                    self.send_response(302)
                    self.send_header("Location", query["redirect_uri"] + "?" +
                                     urlencode({"code": code, "state": query.get("state", "")}))
                    self.end_headers()
                elif url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
                    if token not in idp.tokens:
                        return self._json(401, {"error": "invalid_token"})
                    user = idp.tokens[token]
                    self._json(200, {"sub": f"id-{user}", "preferred_username": user, "email": f"{user}@example.org"})
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                basic = self.headers.get("Authorization", "")
                if basic.startswith("Basic "):
                    form["client_id"], _, form["client_secret"] = base64.b64decode(basic[6:]).decode().partition(":")
                if urlparse(self.path).path != "/token":
                    return self._json(404, {"error": "not_found"})
                if (form.get("client_id"), form.get("client_secret")) != (idp.client_id, idp.client_secret):
                    return self._json(401, {"error": "invalid_client"})
                user = idp.codes.pop(form.get("code", ""), None)
                if user is None:
                    return self._json(400, {"error": "invalid_grant"})
                token = secrets.token_hex(16)
                idp.tokens[token] = user
                self._json(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})

        return Handler
