"""How the bot signs in for its own calls to Teams (MICROSOFT_AUTH_TYPE): each type against a local
Entra ID that checks the credential as Entra ID does (tests/fakes/teams_issuer.py) or a local
managed identity endpoint (tests/fakes/managed_identity.py), over real HTTP; then the bot's reply
reaches the connector with the token that was issued. And every wrong combination of settings is
one line at start.
"""
from __future__ import annotations

import base64
import logging
import subprocess
import sys
from pathlib import Path

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.platforms.teams.credentials import AUTH_TYPES, SDK_PREFIX
from bot.ports import ConfigError
from bot.runtime.app import build
from bot.runtime.clock import ManualClock
from bot.runtime.web import make_web_app
from fakes.certificates import issue
from fakes.managed_identity import SYSTEM, IdentityEndpoint
from fakes.teams_connector import MockConnector
from fakes.teams_issuer import EXCHANGE, ChannelKeys, Federation, LocalAuthority, new_key
from fakes.teams_world import BOT, BOTBUILDER, NO_BOTBUILDER, TENANT, TeamsWorld, User, sdk_param
from harness import at, with_env

APP_ID = "9a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c"
IDENTITY_ID = "5d0c7f3e-2b1a-4c9d-8e7f-6a5b4c3d2e1f"  # a user-assigned identity's client id
IDENTITY_OBJECT = "0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b"
SYSTEM_OBJECT = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
SECRET = "not-a-real-secret"
PASSWORD = "not-a-real-password"
SUBJECT = "CN=kipina.example.org"
SERVICE_ACCOUNT = "system:serviceaccount:kipina:bot"
ANN = User("Ann")
CONNECTOR_RESOURCE = "https://api.botframework.com"


@pytest.fixture
async def entra(tmp_path, monkeypatch):
    """The tenant's login authority and the host's managed identity endpoint, both local."""
    authority = await LocalAuthority(tmp_path, APP_ID).start()
    identity = await IdentityEndpoint(TENANT, {IDENTITY_ID: IDENTITY_OBJECT, SYSTEM: SYSTEM_OBJECT}).start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", authority.ca_file)  # MSAL's requests trust the authority
    if BOTBUILDER:  # botbuilder keeps managed identity tokens in one cache per process; start each test empty
        import msal
        from botframework.connector.auth import ManagedIdentityAppCredentials
        monkeypatch.setattr(ManagedIdentityAppCredentials, "global_token_cache", msal.TokenCache())
    for name, value in identity.env().items():  # where MSAL looks for the managed identity endpoint
        monkeypatch.setenv(name, value)
    yield authority, identity
    await identity.stop()
    await authority.stop()


async def reply_token(settings, engine, authority, sdk="agents", **env) -> str | None:
    """Start the bot with these variables, add it in Ann's personal chat (a token-checked request)
    and return the Authorization its welcome card reached the connector with (None: nothing sent)."""
    connector, keys = await MockConnector().start(), await ChannelKeys().start()
    variables = {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_TENANT_ID": TENANT, "TEAMS_ENABLED": "", "TEAMS_SDK": sdk,
                 "MICROSOFT_OPENID_METADATA_URL": keys.url, "MICROSOFT_AUTHORITY": authority.base, **env}
    app = build(with_env(settings, **{k: v for k, v in variables.items() if v is not None}),
                clock=ManualClock(at("2026-12-03 13:00")), platform_names=["teams"], engine=engine)
    world = TeamsWorld(settings, engine, at("2026-12-03 13:00"))
    world.connector = connector
    added = world.activity(ANN, kind="conversationUpdate", membersAdded=[{"id": BOT["id"]}])
    try:
        async with TestClient(TestServer(make_web_app(app))) as client:
            headers = {"Authorization": f"Bearer {keys.token(connector.url, APP_ID)}"}
            assert (await client.post("/api/messages", json=added, headers=headers)).status == 201
            await app.platforms["teams"].idle()
    finally:
        await keys.stop()
        await connector.stop()
    sent = world.inbox(ANN)
    return sent[0].headers.get("Authorization") if sent else None


def test_the_auth_types_are_the_agents_sdks():
    from microsoft_agents.hosting.core import AuthTypes

    assert AUTH_TYPES and all(AuthTypes[name].value == value for name, value in AUTH_TYPES.items())


# -- each type signs in, and its token is the one the replies carry --------------------------------


async def test_client_secret(settings, engine, entra):
    authority, identity = entra
    authority.secret = SECRET
    assert await reply_token(settings, engine, authority, MICROSOFT_APP_PASSWORD=SECRET) == \
        f"Bearer {authority.issued[0]}"
    [asked] = authority.requests
    assert asked.how == "secret" and asked.tenant == TENANT  # SingleTenant, the default: the app's tenant


CERTIFICATE_FILES = {  # how the certificate is kept → (variables, whether MSAL sends x5c for it)
    "pfx with a password": lambda cert, tmp: ({"MICROSOFT_CERTIFICATE_FILE": str(cert.pfx(tmp / "bot.pfx", PASSWORD)),
                                               "MICROSOFT_CERTIFICATE_PASSWORD": PASSWORD}, False),
    "pfx": lambda cert, tmp: ({"MICROSOFT_CERTIFICATE_FILE": str(cert.pfx(tmp / "bot.p12"))}, False),
    "pem, encrypted key": lambda cert, tmp: ({"MICROSOFT_CERTIFICATE_FILE": str(cert.pem(tmp / "bot.pem", PASSWORD)),
                                              "MICROSOFT_CERTIFICATE_PASSWORD": PASSWORD}, True),
    "pem, key apart": lambda cert, tmp: ({"MICROSOFT_CERTIFICATE_FILE": str(cert.pem(tmp / "c.pem", key_file=tmp / "k")),
                                          "MICROSOFT_CERTIFICATE_KEY_FILE": str(tmp / "k")}, True),
}


@pytest.mark.parametrize("kept", list(CERTIFICATE_FILES))
async def test_certificate(settings, engine, entra, tmp_path, kept):
    authority, identity = entra
    certificate = issue("kipina-bot")
    authority.certificates.append(certificate.certificate)
    variables, x5c = CERTIFICATE_FILES[kept](certificate, tmp_path)
    token = await reply_token(settings, engine, authority, MICROSOFT_AUTH_TYPE="certificate", **variables)
    assert authority.issued and token == f"Bearer {authority.issued[0]}", [r.refused for r in authority.requests]
    [asked] = authority.requests
    assert asked.how == "certificate" and "client_secret" not in asked.form
    assert asked.header["alg"] == "PS256" and asked.header["x5t#S256"]
    assert ("x5c" in asked.header) == x5c


async def test_a_certificate_the_app_does_not_hold_signs_nothing_in(settings, engine, entra, tmp_path):
    authority, identity = entra
    authority.certificates.append(issue("kipina-bot").certificate)
    stranger = issue("kipina-bot")  # the same name, another key
    token = await reply_token(settings, engine, authority, MICROSOFT_AUTH_TYPE="certificate",
                              MICROSOFT_CERTIFICATE_FILE=str(stranger.pfx(tmp_path / "other.pfx")))
    assert token is None and authority.issued == []
    assert "not the app's" in authority.requests[0].refused


@pytest.mark.parametrize("kept", ["pfx", "pem"])
async def test_certificate_subject_name_sends_the_certificate_a_trusted_ca_issued(settings, engine, entra, tmp_path,
                                                                                   kept):
    authority, identity = entra
    ca = issue("Agency CA", ca=True)
    authority.subject_names.append((ca, SUBJECT))  # the app trusts the name, not one certificate
    leaf = issue("kipina.example.org", by=ca)
    path = leaf.pfx(tmp_path / "bot.pfx", chain=(ca,)) if kept == "pfx" else leaf.pem(tmp_path / "bot.pem", chain=(ca,))
    token = await reply_token(settings, engine, authority, MICROSOFT_AUTH_TYPE="certificate_subject_name",
                              MICROSOFT_CERTIFICATE_FILE=str(path))
    assert authority.issued and token == f"Bearer {authority.issued[0]}", [r.refused for r in authority.requests]
    [asked] = authority.requests
    assert asked.how == "subject_name"
    assert base64.b64decode(asked.header["x5c"][0]) == leaf.certificate.public_bytes(_der())


async def test_the_agents_sdks_own_variables_name_the_certificate(settings, engine, entra, tmp_path):
    authority, identity = entra
    ca = issue("Agency CA", ca=True)
    authority.subject_names.append((ca, SUBJECT))
    leaf = issue("kipina.example.org", by=ca)
    sdk = {SDK_PREFIX + "AUTHTYPE": "certificate", SDK_PREFIX + "CERTPFXFILE": str(leaf.pfx(tmp_path / "bot.pfx")),
           SDK_PREFIX + "SENDX5C": "true", SDK_PREFIX + "CLIENTID": APP_ID, SDK_PREFIX + "TENANTID": TENANT,
           SDK_PREFIX + "AUTHORITYENDPOINT": authority.base}
    token = await reply_token(settings, engine, authority, MICROSOFT_APP_ID=None, MICROSOFT_APP_TENANT_ID=None,
                              MICROSOFT_AUTHORITY=None, **sdk)
    assert token == f"Bearer {authority.issued[0]}" and authority.requests[0].how == "subject_name"


@pytest.mark.parametrize("sdk", [sdk_param("agents"), sdk_param("botbuilder")])
async def test_user_managed_identity(settings, engine, entra, sdk):
    authority, identity = entra
    identity.identities[APP_ID] = IDENTITY_OBJECT  # the bot is registered with its identity's client id
    token = await reply_token(settings, engine, authority, sdk, MICROSOFT_APP_TYPE="UserAssignedMSI")
    assert token == f"Bearer {identity.issued[0]}"
    assert [(r.resource, r.client_id) for r in identity.requests] == [(CONNECTOR_RESOURCE, APP_ID)]
    assert authority.requests == []


async def test_system_managed_identity(settings, engine, entra):
    authority, identity = entra
    token = await reply_token(settings, engine, authority, MICROSOFT_AUTH_TYPE="system_managed_identity")
    assert token == f"Bearer {identity.issued[0]}"
    assert [(r.resource, r.client_id) for r in identity.requests] == [(CONNECTOR_RESOURCE, None)]
    assert authority.requests == []


async def test_federated_credentials_sign_in_with_a_managed_identitys_token(settings, engine, entra):
    authority, identity = entra
    authority.federations.append(Federation(identity.issuer, IDENTITY_OBJECT, identity.key.public_key()))
    token = await reply_token(settings, engine, authority, MICROSOFT_AUTH_TYPE="federated_credentials",
                              MICROSOFT_MANAGED_IDENTITY_CLIENT_ID=IDENTITY_ID)
    assert authority.issued and token == f"Bearer {authority.issued[0]}", [r.refused for r in authority.requests]
    assert [(r.resource, r.client_id) for r in identity.requests] == [(EXCHANGE, IDENTITY_ID)]
    [asked] = authority.requests
    assert asked.how == "federated" and asked.form["client_assertion"] == identity.issued[0]


async def test_workload_identity_signs_in_with_the_token_file(settings, engine, entra, tmp_path, caplog):
    authority, identity = entra
    cluster = new_key()
    issuer = "https://oidc.aks.example.org/cluster-1/"
    authority.federations.append(Federation(issuer, SERVICE_ACCOUNT, cluster.public_key()))
    projected = jwt.encode({"iss": issuer, "sub": SERVICE_ACCOUNT, "aud": EXCHANGE, "exp": 2**31 - 1}, cluster,
                           algorithm="RS256")
    (tmp_path / "azure-identity-token").write_text(projected + "\n")
    with caplog.at_level(logging.DEBUG):
        token = await reply_token(settings, engine, authority, MICROSOFT_AUTH_TYPE="workload_identity",
                                  AZURE_FEDERATED_TOKEN_FILE=str(tmp_path / "azure-identity-token"))  # as AKS sets it
    assert authority.issued and token == f"Bearer {authority.issued[0]}", [r.refused for r in authority.requests]
    [asked] = authority.requests
    assert asked.how == "federated" and asked.form["client_assertion"] == projected
    assert caplog.records and projected.split(".")[1] not in caplog.text  # the assertion is a credential too
    assert authority.issued[0].split(".")[1] not in caplog.text


async def test_a_token_file_from_an_issuer_the_app_does_not_trust_signs_nothing_in(settings, engine, entra, tmp_path):
    authority, identity = entra
    issuer = "https://oidc.aks.example.org/cluster-1/"
    authority.federations.append(Federation(issuer, SERVICE_ACCOUNT, new_key().public_key()))
    forged = jwt.encode({"iss": issuer, "sub": SERVICE_ACCOUNT, "aud": EXCHANGE, "exp": 2**31 - 1}, new_key(),
                        algorithm="RS256")
    (tmp_path / "token").write_text(forged)
    token = await reply_token(settings, engine, authority, MICROSOFT_AUTH_TYPE="workload_identity",
                              MICROSOFT_FEDERATED_TOKEN_FILE=str(tmp_path / "token"))
    assert token is None and authority.issued == []
    assert "InvalidSignatureError" in authority.requests[0].refused


# -- wrong combinations: one line at start --------------------------------------------------------

def _files(tmp: Path) -> dict[str, str]:
    certificate = issue("kipina-bot")
    issue("other").pem(tmp / "other.pem", key_file=tmp / "other.key")
    return {"pfx": str(certificate.pfx(tmp / "bot.pfx", PASSWORD)), "pem": str(certificate.pem(tmp / "bot.pem")),
            "certificate only": str(certificate.pem(tmp / "c.pem", key_file=tmp / "k.pem")),
            "other key": str(tmp / "other.key"),
            "garbage": str(_write(tmp / "garbage.pfx", b"\x00not a certificate")), "missing": str(tmp / "none.pem"),
            "token": str(_write(tmp / "token", b"eyJ.x.y"))}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


WRONG = {  # variables (with MICROSOFT_APP_ID and MICROSOFT_APP_TENANT_ID) → what the one line says
    "no secret": ({}, "client_secret (the default type; MICROSOFT_AUTH_TYPE names the others) needs "
                      "MICROSOFT_APP_PASSWORD"),
    "no tenant": ({"MICROSOFT_APP_TENANT_ID": "", "MICROSOFT_APP_PASSWORD": SECRET},
                  "MICROSOFT_APP_TYPE=SingleTenant needs MICROSOFT_APP_TENANT_ID"),
    "certificate without a file": ({"MICROSOFT_AUTH_TYPE": "certificate"}, "needs MICROSOFT_CERTIFICATE_FILE"),
    "a secret with a managed identity": ({"MICROSOFT_AUTH_TYPE": "system_managed_identity",
                                          "MICROSOFT_APP_PASSWORD": SECRET},
                                         "MICROSOFT_APP_PASSWORD is set but MICROSOFT_AUTH_TYPE=system_managed_identity "
                                         "does not use it"),
    "a secret with a certificate": ({"MICROSOFT_AUTH_TYPE": "certificate", "MICROSOFT_CERTIFICATE_FILE": "{pem}",
                                     "MICROSOFT_APP_PASSWORD": SECRET}, "MICROSOFT_APP_PASSWORD is set but"),
    "multi-tenant managed identity": ({"MICROSOFT_AUTH_TYPE": "system_managed_identity",
                                       "MICROSOFT_APP_TYPE": "MultiTenant"},
                                      "system_managed_identity needs MICROSOFT_APP_TYPE=SingleTenant, got MultiTenant"),
    "user-assigned type, other credential": ({"MICROSOFT_APP_TYPE": "UserAssignedMSI", "MICROSOFT_AUTH_TYPE":
                                              "client_secret", "MICROSOFT_APP_PASSWORD": SECRET},
                                             "MICROSOFT_AUTH_TYPE=user_managed_identity, not client_secret"),
    "user-assigned identity of another id": ({"MICROSOFT_APP_TYPE": "UserAssignedMSI",
                                              "MICROSOFT_MANAGED_IDENTITY_CLIENT_ID": IDENTITY_ID},
                                             "must be MICROSOFT_APP_ID"),
    "unreadable certificate": ({"MICROSOFT_AUTH_TYPE": "certificate", "MICROSOFT_CERTIFICATE_FILE": "{missing}"},
                               "cannot be read: No such file or directory"),
    "not a certificate": ({"MICROSOFT_AUTH_TYPE": "certificate", "MICROSOFT_CERTIFICATE_FILE": "{garbage}"},
                          "cannot be used: Could not deserialize PKCS12 data"),
    "wrong pfx password": ({"MICROSOFT_AUTH_TYPE": "certificate", "MICROSOFT_CERTIFICATE_FILE": "{pfx}",
                            "MICROSOFT_CERTIFICATE_PASSWORD": "wrong"}, "cannot be used: Invalid password"),
    "pfx without its password": ({"MICROSOFT_AUTH_TYPE": "certificate", "MICROSOFT_CERTIFICATE_FILE": "{pfx}"},
                                 "cannot be used:"),
    "pem without a key": ({"MICROSOFT_AUTH_TYPE": "certificate", "MICROSOFT_CERTIFICATE_FILE": "{certificate only}"},
                          "cannot be used:"),
    "key of another certificate": ({"MICROSOFT_AUTH_TYPE": "certificate", "MICROSOFT_CERTIFICATE_FILE": "{pem}",
                                    "MICROSOFT_CERTIFICATE_KEY_FILE": "{other key}"},
                                   "has no certificate for its private key"),
    "a key file with a pfx": ({"MICROSOFT_AUTH_TYPE": "certificate", "MICROSOFT_CERTIFICATE_FILE": "{pfx}",
                               "MICROSOFT_CERTIFICATE_PASSWORD": PASSWORD,
                               "MICROSOFT_CERTIFICATE_KEY_FILE": "{other key}"}, "is a PFX file"),
    "federated without an identity": ({"MICROSOFT_AUTH_TYPE": "federated_credentials"},
                                      "needs MICROSOFT_MANAGED_IDENTITY_CLIENT_ID"),
    "workload identity without a file": ({"MICROSOFT_AUTH_TYPE": "workload_identity"},
                                         "needs MICROSOFT_FEDERATED_TOKEN_FILE"),
    "workload identity, file missing": ({"MICROSOFT_AUTH_TYPE": "workload_identity",
                                         "MICROSOFT_FEDERATED_TOKEN_FILE": "{missing}"}, "cannot be read"),
    "a token file with a secret": ({"MICROSOFT_FEDERATED_TOKEN_FILE": "{token}", "MICROSOFT_APP_PASSWORD": SECRET},
                                   "MICROSOFT_FEDERATED_TOKEN_FILE is set but"),
    "unknown type": ({"MICROSOFT_AUTH_TYPE": "password"}, "MICROSOFT_AUTH_TYPE must be one of client_secret"),
    "unknown app type": ({"MICROSOFT_APP_TYPE": "Global"}, "MICROSOFT_APP_TYPE must be one of"),
    "sdk and ours disagree": ({"MICROSOFT_AUTH_TYPE": "client_secret", "MICROSOFT_APP_PASSWORD": SECRET,
                               SDK_PREFIX + "AUTHTYPE": "UserManagedIdentity"},
                              f"MICROSOFT_AUTH_TYPE and {SDK_PREFIX}AUTHTYPE disagree"),
    "an sdk setting not read": ({SDK_PREFIX + "CERTPEMFILE": "{pem}"}, f"{SDK_PREFIX}CERTPEMFILE is not read"),
    "x5c with a secret": ({"MICROSOFT_APP_PASSWORD": SECRET, SDK_PREFIX + "SENDX5C": "true"},
                          "SENDX5C=true does not go with MICROSOFT_AUTH_TYPE=client_secret"),
}


@pytest.mark.parametrize("case", list(WRONG))
def test_wrong_combinations_are_one_line_at_start(settings, engine, tmp_path, case):
    variables, says = WRONG[case]
    files = _files(tmp_path)
    env = {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_TENANT_ID": TENANT,
           **{k: v.format(**files) for k, v in variables.items()}}
    with pytest.raises(ConfigError) as raised:
        build(with_env(settings, **env), platform_names=["teams"], engine=engine)
    message = str(raised.value)
    assert says in message and "\n" not in message
    assert SECRET not in message and PASSWORD not in message


def test_botbuilder_signs_in_with_a_secret_or_its_managed_identity_only(settings, engine, tmp_path):
    if not BOTBUILDER:
        pytest.skip(NO_BOTBUILDER)
    env = {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_TENANT_ID": TENANT, "TEAMS_SDK": "botbuilder",
           "MICROSOFT_AUTH_TYPE": "certificate", "MICROSOFT_CERTIFICATE_FILE": _files(tmp_path)["pem"]}
    with pytest.raises(ConfigError, match="MICROSOFT_AUTH_TYPE=certificate needs TEAMS_SDK=agents"):
        build(with_env(settings, **env), platform_names=["teams"], engine=engine)


def test_botbuilder_not_installed_says_how_to_install_it(settings, engine):
    if BOTBUILDER:
        pytest.skip("botbuilder is installed here (the extra kipina[botbuilder])")
    with pytest.raises(ConfigError, match=r"install kipina\[botbuilder\]"):
        build(with_env(settings, TEAMS_ENABLED="true", TEAMS_SDK="botbuilder"), platform_names=["teams"], engine=engine)


def test_serve_says_what_is_wrong_in_one_line(tmp_path):
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
                   "DATABASE_URL": f"sqlite:///{tmp_path / 'kipina.db'}", "MICROSOFT_APP_ID": APP_ID,
                   "MICROSOFT_APP_TENANT_ID": TENANT, "MICROSOFT_AUTH_TYPE": "certificate",
                   "MICROSOFT_CERTIFICATE_FILE": str(tmp_path / "missing.pfx")}
    done = subprocess.run([sys.executable, "-m", "bot", "serve", "--port", "0"], capture_output=True, text=True,
                          cwd=tmp_path, env=environment, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert [line for line in done.stderr.splitlines() if "error" in line] == [  # the rest: migrations' info lines
        f"configuration error: MICROSOFT_CERTIFICATE_FILE={tmp_path / 'missing.pfx'} cannot be read: "
        "No such file or directory"]
