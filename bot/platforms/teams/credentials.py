"""How the bot signs in to Microsoft Entra ID for its own calls to Teams: MICROSOFT_AUTH_TYPE and
the settings each type takes, read and checked before anything starts.

The types are the Microsoft 365 Agents SDK's AuthTypes, by their member names (AUTH_TYPES gives
the value the SDK's own AUTHTYPE variable holds; either is accepted). Each type needs some
settings and may use a few more; any other sign-in setting that is set is refused, so a secret
left next to a managed identity is noticed. The Agents SDK's variables for its service connection
(CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID …) are read too: each stands for one of ours
(SDK_NAMES), they may not disagree, and one Kipinä does not read is an error rather than ignored.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from bot.ports import ConfigError, Env

# MICROSOFT_AUTH_TYPE → the SDK's AuthTypes value (tests/test_teams_credentials.py checks them against the SDK).
AUTH_TYPES = {
    "client_secret": "ClientSecret",
    "certificate": "certificate",
    "certificate_subject_name": "CertificateSubjectName",
    "user_managed_identity": "UserManagedIdentity",
    "system_managed_identity": "SystemManagedIdentity",
    "federated_credentials": "FederatedCredentials",
    "workload_identity": "WorkloadIdentity",
}
CERTIFICATE = ("certificate", "certificate_subject_name")
MANAGED_IDENTITY = ("user_managed_identity", "system_managed_identity")
APP_TYPES = ("SingleTenant", "MultiTenant", "UserAssignedMSI")  # MICROSOFT_APP_TYPE, the Azure Bot's "type of app"

# TeamsSettings' sign-in fields and their variables; which of them each type needs and may use.
VARIABLES = {
    "app_password": "MICROSOFT_APP_PASSWORD",
    "certificate_file": "MICROSOFT_CERTIFICATE_FILE",
    "certificate_key_file": "MICROSOFT_CERTIFICATE_KEY_FILE",
    "certificate_password": "MICROSOFT_CERTIFICATE_PASSWORD",
    "managed_identity_client_id": "MICROSOFT_MANAGED_IDENTITY_CLIENT_ID",
    "federated_token_file": "MICROSOFT_FEDERATED_TOKEN_FILE",
}
_CERT_FIELDS = ("certificate_file", "certificate_key_file", "certificate_password")
NEEDS = {"client_secret": ("app_password",), "certificate": ("certificate_file",),
         "certificate_subject_name": ("certificate_file",), "user_managed_identity": (),
         "system_managed_identity": (), "federated_credentials": ("managed_identity_client_id",),
         "workload_identity": ("federated_token_file",)}
USES = {**NEEDS, "certificate": _CERT_FIELDS, "certificate_subject_name": _CERT_FIELDS,
        "user_managed_identity": ("managed_identity_client_id",)}  # there: the app id again, or nothing

SDK_PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
SDK_NAMES = {  # the Agents SDK's name (after SDK_PREFIX) → ours
    "CLIENTID": "MICROSOFT_APP_ID", "CLIENTSECRET": "MICROSOFT_APP_PASSWORD", "TENANTID": "MICROSOFT_APP_TENANT_ID",
    "AUTHTYPE": "MICROSOFT_AUTH_TYPE", "CERTPFXFILE": "MICROSOFT_CERTIFICATE_FILE",
    "FEDERATEDCLIENTID": "MICROSOFT_MANAGED_IDENTITY_CLIENT_ID", "FEDERATEDTOKENFILE": "MICROSOFT_FEDERATED_TOKEN_FILE",
    "AUTHORITY": "MICROSOFT_AUTHORITY", "AUTHORITYENDPOINT": "MICROSOFT_AUTHORITY",
}
SEND_X5C = "SENDX5C"  # the SDK's certificate with SENDX5C=true is our certificate_subject_name


def pick(env: Env, name: str, same: Callable[[str], object] = str.lower) -> str:
    """Our variable `name`, or the Agents SDK's that stands for it; refused when they disagree."""
    given = {n: env.text(n) for n in (name, *(SDK_PREFIX + k for k, ours in SDK_NAMES.items() if ours == name))
             if env.text(n)}
    if len({same(value) for value in given.values()}) > 1:
        raise ConfigError(f"{' and '.join(given)} disagree: set one of them")
    return next(iter(given.values()), "")


def read(env: Env) -> dict:
    """TeamsSettings' sign-in fields from the environment; values only checked for their form here."""
    known = (*SDK_NAMES, SEND_X5C)
    unknown = [n for n in env.names(SDK_PREFIX) if n.removeprefix(SDK_PREFIX) not in known]
    if unknown:
        raise ConfigError(f"{unknown[0]} is not read by Kipinä; of the Agents SDK's connection settings it reads "
                          f"{', '.join(known)}")
    raw_type = env.text("MICROSOFT_APP_TYPE")
    app_type = next((t for t in APP_TYPES if t.lower() == raw_type.lower()), None) if raw_type else APP_TYPES[0]
    if app_type is None:
        raise ConfigError(f"MICROSOFT_APP_TYPE must be one of {', '.join(APP_TYPES)}, got {raw_type!r}")
    auth_type = _auth_type(env, app_type)
    token_file = pick(env, "MICROSOFT_FEDERATED_TOKEN_FILE", str)
    if not token_file and auth_type == "workload_identity":  # where AKS' workload identity puts it
        token_file = env.text("AZURE_FEDERATED_TOKEN_FILE")
    return dict(app_id=pick(env, "MICROSOFT_APP_ID"), app_password=pick(env, "MICROSOFT_APP_PASSWORD", str),
                app_tenant_id=pick(env, "MICROSOFT_APP_TENANT_ID"), app_type=app_type, auth_type=auth_type,
                certificate_file=pick(env, "MICROSOFT_CERTIFICATE_FILE", str),
                certificate_key_file=env.text("MICROSOFT_CERTIFICATE_KEY_FILE"),
                certificate_password=env.text("MICROSOFT_CERTIFICATE_PASSWORD"),
                managed_identity_client_id=pick(env, "MICROSOFT_MANAGED_IDENTITY_CLIENT_ID"),
                federated_token_file=token_file)


def _auth_name(value: str) -> str | None:
    """An AuthTypes member's name from its name or value, in any case, with or without _ or -."""
    key = value.lower().replace("_", "").replace("-", "")
    return next((name for name, sdk in AUTH_TYPES.items() if key in (name.replace("_", ""), sdk.lower())), None)


def _auth_type(env: Env, app_type: str) -> str:
    raw = pick(env, "MICROSOFT_AUTH_TYPE", _auth_name)
    name = _auth_name(raw) if raw else "user_managed_identity" if app_type == "UserAssignedMSI" else "client_secret"
    if name is None:
        raise ConfigError(f"MICROSOFT_AUTH_TYPE must be one of {', '.join(AUTH_TYPES)}, got {raw!r}")
    send_x5c = env.text(SDK_PREFIX + SEND_X5C).lower()
    if send_x5c not in ("", "true", "false"):
        raise ConfigError(f"{SDK_PREFIX}{SEND_X5C} must be true or false, got {send_x5c!r}")
    if send_x5c == "true" and name == "certificate":
        return "certificate_subject_name"
    if send_x5c and (send_x5c == "true") != (name == "certificate_subject_name"):
        raise ConfigError(f"{SDK_PREFIX}{SEND_X5C}={send_x5c} does not go with MICROSOFT_AUTH_TYPE={name}")
    return name


def check(teams) -> None:  # settings.TeamsSettings (which imports this module)
    """A type with what it needs and nothing it does not use, for the Azure Bot's type of app;
    certificate and token files readable. Called at start with an app id set."""
    kind = teams.auth_type
    if kind in MANAGED_IDENTITY:
        wanted = "UserAssignedMSI" if kind == "user_managed_identity" else "SingleTenant"
        if teams.app_type != wanted:
            raise ConfigError(f"MICROSOFT_AUTH_TYPE={kind} needs MICROSOFT_APP_TYPE={wanted}, got {teams.app_type}")
    elif teams.app_type == "UserAssignedMSI":
        raise ConfigError(f"MICROSOFT_APP_TYPE=UserAssignedMSI signs in as that managed identity: "
                          f"MICROSOFT_AUTH_TYPE=user_managed_identity, not {kind}")
    if teams.app_type != "MultiTenant" and not teams.app_tenant_id:
        raise ConfigError(f"MICROSOFT_APP_TYPE={teams.app_type} needs MICROSOFT_APP_TENANT_ID (the bot's tenant); "
                          "a multi-tenant bot sets MICROSOFT_APP_TYPE=MultiTenant")
    for name in NEEDS[kind]:
        if not getattr(teams, name):
            hint = " (the default type; MICROSOFT_AUTH_TYPE names the others)" if kind == "client_secret" else ""
            raise ConfigError(f"MICROSOFT_AUTH_TYPE={kind}{hint} needs {VARIABLES[name]}")
    for name, variable in VARIABLES.items():
        if getattr(teams, name) and name not in USES[kind]:
            raise ConfigError(f"{variable} is set but MICROSOFT_AUTH_TYPE={kind} does not use it: remove it")
    if kind == "user_managed_identity" and teams.managed_identity_client_id \
            and teams.managed_identity_client_id.lower() != teams.app_id.lower():
        raise ConfigError("MICROSOFT_MANAGED_IDENTITY_CLIENT_ID must be MICROSOFT_APP_ID with user_managed_identity "
                          "(the bot is registered with its identity's client id)")
    if kind in CERTIFICATE:
        load_certificate(teams)
    if kind == "workload_identity" and not _read("MICROSOFT_FEDERATED_TOKEN_FILE", teams.federated_token_file).strip():
        raise ConfigError(f"MICROSOFT_FEDERATED_TOKEN_FILE={teams.federated_token_file} is empty")


@dataclass(frozen=True)
class Certificate:
    path: str
    pfx: bool  # PKCS#12: MSAL reads the file itself (with the password), as the SDK has it do
    key_pem: str = field(default="", repr=False)  # PEM: the private key, decrypted, in memory only
    certificate_pem: str = ""  # PEM: the certificate that goes with the key (MSAL takes its thumbprint)


def load_certificate(teams) -> Certificate:
    """The certificate file read and its key found; a file that cannot be, one ConfigError line."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    where = f"MICROSOFT_CERTIFICATE_FILE={teams.certificate_file}"
    data = _read("MICROSOFT_CERTIFICATE_FILE", teams.certificate_file, binary=True)
    password = teams.certificate_password.encode() or None
    try:
        if b"-----BEGIN" not in data:  # PKCS#12 (.pfx, .p12): key and certificate in one file
            if teams.certificate_key_file:
                raise ConfigError(f"{where} is a PFX file, which holds its key: remove MICROSOFT_CERTIFICATE_KEY_FILE")
            key, certificate, _ = pkcs12.load_key_and_certificates(data, password)
            certificates = [certificate] if certificate else []
        else:
            certificates = x509.load_pem_x509_certificates(data)
            key_data = _read("MICROSOFT_CERTIFICATE_KEY_FILE", teams.certificate_key_file, binary=True) \
                if teams.certificate_key_file else data
            key = serialization.load_pem_private_key(key_data, password)
    except (ValueError, TypeError) as error:  # cryptography's: not PEM/PKCS#12, no key, wrong password
        raise ConfigError(f"{where} cannot be used: {str(error).splitlines()[0][:160]}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError(f"{where} has no RSA private key (Microsoft Entra ID signs in with RSA keys)")
    public = key.public_key().public_numbers()
    mine = next((c for c in certificates if getattr(c.public_key(), "public_numbers", None)
                 and c.public_key().public_numbers() == public), None)
    if mine is None:
        raise ConfigError(f"{where} has no certificate for its private key")
    if b"-----BEGIN" not in data:
        return Certificate(teams.certificate_file, pfx=True)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return Certificate(teams.certificate_file, False, key_pem, mine.public_bytes(serialization.Encoding.PEM).decode())


def _read(variable: str, path: str, binary: bool = False):
    try:
        return Path(path).read_bytes() if binary else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else type(error).__name__
        raise ConfigError(f"{variable}={path} cannot be read: {reason}") from None
