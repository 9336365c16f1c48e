"""Microsoft's two token services for a Teams bot, served locally on port 0.

`ChannelKeys` is the channel's side (Azure Bot Service): its OpenID metadata and signing keys,
and tokens signed with them as the channel sends with each activity. Point
MICROSOFT_OPENID_METADATA_URL at `.url`.

`LocalAuthority` is the login authority the bot gets its own access tokens from (Entra ID):
OpenID discovery and a client-credentials token endpoint that checks the app's credential (a
secret, a certificate's assertion, a federated token) and answers with a signed access token, over HTTPS as MSAL insists (a self-signed certificate; `.ca_file` is what clients must
trust, e.g. through REQUESTS_CA_BUNDLE). Point MICROSOFT_AUTHORITY at `.authority`.
"""
from __future__ import annotations

import asyncio
import base64
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
EXCHANGE = "api://AzureADTokenExchange"  # the audience of federated credentials' tokens
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _b64(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


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
    how: str = ""  # what the app signed in with, as checked: secret, certificate, subject_name, federated
    header: dict = field(default_factory=dict)  # a client assertion's JWT header
    refused: str = ""  # why it was refused


@dataclass(frozen=True)
class Federation:
    """A federated identity credential on the app: tokens of this issuer for this subject are
    taken as the app's client assertion (a managed identity's, a Kubernetes service account's)."""

    issuer: str
    subject: str
    key: object  # the issuer's public key
    audience: str = EXCHANGE


@dataclass
class LocalAuthority:
    """Entra ID's discovery and token endpoints for one app (client credentials only). It signs the
    app in with what its registration holds, and checks it as Entra ID does: the client secret;
    a client assertion signed by a certificate registered on the app (found by its x5t#S256 or x5t
    thumbprint), or by one whose x5c certificate a trusted CA issued for a trusted subject name;
    or a federated credential's token (issuer, subject, audience, signature)."""

    tmp: Path
    app_id: str
    secret: str = ""
    key: object = field(default_factory=new_key)
    requests: list[TokenRequest] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    refuse: bool = False  # answer every token request with invalid_client
    certificates: list = field(default_factory=list)  # x509.Certificate registered on the app
    subject_names: list = field(default_factory=list)  # (CA as certificates.Issued, subject) trusted
    federations: list[Federation] = field(default_factory=list)

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
        asked = TokenRequest(tenant, form)
        self.requests.append(asked)
        try:
            if self.refuse or form.get("client_id") != self.app_id or form.get("grant_type") != "client_credentials":
                raise PermissionError("refused, or not this app's client credentials")
            asked.how = self._signed_in(asked, f"{self.base}/{tenant}/oauth2/v2.0/token")
        except (PermissionError, jwt.PyJWTError, ValueError) as error:
            asked.refused = f"{type(error).__name__}: {error}"
            return web.json_response({"error": "invalid_client", "error_description": "AADSTS7000215"}, status=401)
        now = int(time.time())
        token = jwt.encode({"iss": f"{self.base}/{tenant}/v2.0", "aud": SCOPE.removesuffix("/.default"),
                            "appid": self.app_id, "tid": tenant, "nbf": now, "exp": now + 3600,
                            "jti": uuid.uuid4().hex}, self.key, algorithm="RS256")
        self.issued.append(token)
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                                  "access_token": token})

    def _signed_in(self, asked: TokenRequest, endpoint: str) -> str:
        form = asked.form
        if "client_secret" in form:
            if not self.secret or form["client_secret"] != self.secret:
                raise PermissionError("wrong client secret")
            return "secret"
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise PermissionError("no client credential")
        assertion = form.get("client_assertion", "")
        asked.header = header = jwt.get_unverified_header(assertion)
        thumbprint = (header.get("x5t#S256") or header.get("x5t") or "").rstrip("=")  # MSAL keeps the padding
        if not thumbprint:  # a federated credential's token
            issuer = jwt.decode(assertion, options={"verify_signature": False}).get("iss")
            federation = next((f for f in self.federations if f.issuer == issuer), None)
            if federation is None:
                raise PermissionError(f"no federated credential for issuer {issuer}")
            jwt.decode(assertion, federation.key, algorithms=["RS256"], audience=federation.audience,
                       issuer=federation.issuer, options={"require": ["exp", "sub"]})
            if jwt.decode(assertion, options={"verify_signature": False})["sub"] != federation.subject:
                raise PermissionError("federated token for another subject")
            return "federated"
        how, certificate = "certificate", self._registered(thumbprint, header)
        if certificate is None and header.get("x5c"):  # subject name and issuer
            how, certificate = "subject_name", self._trusted(header)
        if certificate is None:
            raise PermissionError("the assertion's certificate is not the app's")
        claims = jwt.decode(assertion, certificate.public_key(), algorithms=["PS256", "RS256"], audience=endpoint,
                            issuer=self.app_id, options={"require": ["exp", "jti", "sub"]})
        if claims["sub"] != self.app_id:
            raise PermissionError("assertion for another app")
        return how

    def _registered(self, thumbprint: str, header: dict):
        algorithm = hashes.SHA256() if "x5t#S256" in header else hashes.SHA1()
        return next((c for c in self.certificates if _b64(c.fingerprint(algorithm)) == thumbprint), None)

    def _trusted(self, header: dict):
        leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
        if _b64(leaf.fingerprint(hashes.SHA256())) != (header.get("x5t#S256") or "").rstrip("="):
            raise PermissionError("x5c and x5t#S256 are different certificates")
        trusted = any(ca.issued_this(leaf) and leaf.subject.rfc4514_string() == subject
                      for ca, subject in self.subject_names)
        return leaf if trusted else None

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
