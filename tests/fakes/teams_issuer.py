"""Microsoft's two token services for a Teams bot, served locally on port 0.

`ChannelKeys` is the channel's side (Azure Bot Service): its OpenID metadata and signing keys,
and tokens signed with them as the channel sends with each activity. Point
MICROSOFT_OPENID_METADATA_URL at `.url`.

`LocalAuthority` is the login authority the bot gets its own access tokens from (Entra ID):
OpenID discovery and a client-credentials token endpoint that answers with a signed access
token, over HTTPS as MSAL insists (a self-signed certificate; `.ca_file` is what clients must
trust, e.g. through REQUESTS_CA_BUNDLE). Point MICROSOFT_AUTHORITY at `.authority`.
"""
from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import jwt
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm

CHANNEL_ISSUER = "https://api.botframework.com"
SCOPE = "https://api.botframework.com/.default"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


async def _serve(app: web.Application, ssl_context=None) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


class ChannelKeys:
    """The channel's OpenID metadata and JWKS, and tokens as the channel signs them."""

    def __init__(self):
        self.key = new_key()
        self.kid = uuid.uuid4().hex
        self.url = ""
        self.fetched = {"metadata": 0, "keys": 0}
        self.endorsements: list[str] | None = None  # published with the key when set

    async def start(self):
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._keys)
        self.runner, port = await _serve(app)
        self.base = f"http://127.0.0.1:{port}"
        self.url = f"{self.base}/v1/.well-known/openidconfiguration"
        return self

    async def stop(self):
        await self.runner.cleanup()

    async def _metadata(self, request):
        self.fetched["metadata"] += 1
        return web.json_response({"issuer": CHANNEL_ISSUER, "jwks_uri": f"{self.base}/v1/.well-known/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _keys(self, request):
        self.fetched["keys"] += 1
        jwk = {**RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True), "kid": self.kid, "use": "sig"}
        if self.endorsements is not None:
            jwk["endorsements"] = self.endorsements
        return web.json_response({"keys": [jwk]})

    def token(self, service_url: str, audience: str, key=None, kid: str | None = None, **claims) -> str:
        now = int(time.time())
        payload = {"iss": CHANNEL_ISSUER, "aud": audience, "serviceurl": service_url, "nbf": now - 10,
                   "exp": now + 3600, **claims}
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})


class HungChannelKeys(ChannelKeys):
    """A channel whose OpenID endpoint accepts the connection and never answers."""

    def __init__(self):
        super().__init__()
        self.release = asyncio.Event()

    async def _metadata(self, request):
        self.fetched["metadata"] += 1
        await self.release.wait()
        return web.json_response({})


@dataclass
class TokenRequest:
    tenant: str
    form: dict


@dataclass
class LocalAuthority:
    """Entra ID's discovery and token endpoints for one app (client credentials only)."""

    tmp: Path
    app_id: str
    secret: str
    key: object = field(default_factory=new_key)
    requests: list[TokenRequest] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    refuse: bool = False  # answer every token request with invalid_client

    async def start(self) -> "LocalAuthority":
        self.ca_file, context = self._certificate()
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._discovery)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        self.runner, port = await _serve(app, context)
        self.base = f"https://127.0.0.1:{port}"
        return self

    def authority(self, tenant: str = "botframework.com") -> str:
        return f"{self.base}/{tenant}"

    async def stop(self):
        await self.runner.cleanup()

    async def _discovery(self, request):
        tenant = request.match_info["tenant"]
        return web.json_response({
            "issuer": f"{self.base}/{tenant}/v2.0", "token_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/token",
            "authorization_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/authorize",
            "jwks_uri": f"{self.base}/{tenant}/discovery/v2.0/keys"})

    async def _token(self, request):
        tenant, form = request.match_info["tenant"], dict(await request.post())
        self.requests.append(TokenRequest(tenant, form))
        if self.refuse or form.get("client_id") != self.app_id or form.get("client_secret") != self.secret \
                or form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "invalid_client", "error_description": "AADSTS7000215"}, status=401)
        now = int(time.time())
        token = jwt.encode({"iss": f"{self.base}/{tenant}/v2.0", "aud": SCOPE.removesuffix("/.default"),
                            "appid": self.app_id, "tid": tenant, "nbf": now, "exp": now + 3600,
                            "jti": uuid.uuid4().hex}, self.key, algorithm="RS256")
        self.issued.append(token)
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                                  "access_token": token})

    def _certificate(self) -> tuple[str, ssl.SSLContext]:
        """A self-signed certificate for 127.0.0.1; the file is also the CA clients must trust."""
        key = new_key()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
                .sign(key, hashes.SHA256()))
        cert_file, key_file = self.tmp / "authority.pem", self.tmp / "authority.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        return str(cert_file), context
