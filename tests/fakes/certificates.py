"""Test certificates made on the spot (cryptography): a CA, certificates it issues or self-signed
ones, written as PEM (key and certificate together or apart, the key encrypted or not) or PFX."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Issued:
    key: object
    certificate: x509.Certificate

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    def thumbprint(self, algorithm=hashes.SHA256) -> bytes:
        return self.certificate.fingerprint(algorithm())

    def pem(self, path: Path, password: str = "", key_file: Path | None = None, chain: tuple = ()) -> Path:
        """The certificate (and chain) with the key after it, or the key in key_file."""
        encryption = serialization.BestAvailableEncryption(password.encode()) if password \
            else serialization.NoEncryption()
        key = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
        certificates = b"".join(c.certificate.public_bytes(serialization.Encoding.PEM) for c in (self, *chain))
        if key_file is not None:
            key_file.write_bytes(key)
            path.write_bytes(certificates)
        else:
            path.write_bytes(certificates + key)
        return path

    def pfx(self, path: Path, password: str = "", chain: tuple = ()) -> Path:
        encryption = serialization.BestAvailableEncryption(password.encode()) if password \
            else serialization.NoEncryption()
        path.write_bytes(pkcs12.serialize_key_and_certificates(
            b"kipina", self.key, self.certificate, [c.certificate for c in chain] or None, encryption))
        return path

    def issued_this(self, other: x509.Certificate) -> bool:
        """Whether this (a CA) signed `other`."""
        if other.issuer != self.certificate.subject:
            return False
        try:
            self.certificate.public_key().verify(other.signature, other.tbs_certificate_bytes, padding.PKCS1v15(),
                                                 other.signature_hash_algorithm)
        except Exception:
            return False
        return True


def issue(common_name: str, by: Issued | None = None, ca: bool = False) -> Issued:
    """A certificate for common_name, signed by `by` (self-signed without), valid from yesterday for a week."""
    key = new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(name)
               .issuer_name(by.certificate.subject if by else name).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=7))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    return Issued(key, builder.sign(by.key if by else key, hashes.SHA256()))
