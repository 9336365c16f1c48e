"""The managed identity endpoint of Azure App Service and Container Apps, served locally on port 0.

There a process finds it through IDENTITY_ENDPOINT and IDENTITY_HEADER (`.env()`), which MSAL's
ManagedIdentityClient reads, and asks it for a token for a resource: GET with api-version
2019-08-01, `resource`, `client_id` for a user-assigned identity (none for the system-assigned
one) and the X-IDENTITY-HEADER secret. It answers with a token signed by the tenant's key, for the
identity's object id (`sub`), as Entra ID issues them, so an authority can take it as a federated
credential's assertion.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import jwt
from aiohttp import web

from fakes.teams_issuer import _serve, new_key

SYSTEM = None  # the system-assigned identity's key in `identities`


@dataclass
class IdentityRequest:
    resource: str
    client_id: str | None


@dataclass
class IdentityEndpoint:
    tenant: str
    identities: dict  # client id (SYSTEM for the system-assigned one) → object id
    key: object = field(default_factory=new_key)
    secret: str = field(default_factory=lambda: uuid.uuid4().hex)
    requests: list[IdentityRequest] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return f"https://login.microsoftonline.com/{self.tenant}/v2.0"

    async def start(self) -> "IdentityEndpoint":
        app = web.Application()
        app.router.add_get("/msi/token", self._token)
        self.runner, port = await _serve(app)
        self.url = f"http://127.0.0.1:{port}/msi/token"
        return self

    async def stop(self):
        await self.runner.cleanup()

    def env(self) -> dict:
        return {"IDENTITY_ENDPOINT": self.url, "IDENTITY_HEADER": self.secret}

    async def _token(self, request):
        query = request.query
        if request.headers.get("X-IDENTITY-HEADER") != self.secret or query.get("api-version") != "2019-08-01":
            return web.json_response({"statusCode": 401, "message": "no identity header"}, status=401)
        client_id = query.get("client_id")
        self.requests.append(IdentityRequest(query.get("resource", ""), client_id))
        if client_id not in self.identities or not query.get("resource"):
            return web.json_response({"statusCode": 400, "message": "no such identity"}, status=400)
        now = int(time.time())
        token = jwt.encode({"iss": self.issuer, "aud": query["resource"], "sub": self.identities[client_id],
                            "oid": self.identities[client_id], "tid": self.tenant, "nbf": now, "exp": now + 3600,
                            "jti": uuid.uuid4().hex}, self.key, algorithm="RS256")
        self.issued.append(token)
        return web.json_response({"access_token": token, "expires_on": str(now + 3600), "resource": query["resource"],
                                  "token_type": "Bearer", "client_id": client_id or "system"})
