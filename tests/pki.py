"""A throwaway PKI for the signing tests: root -> intermediate -> leaves, made on the spot."""

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

NOW = datetime.datetime.now(datetime.UTC)
DAY = datetime.timedelta(days=1)


def name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "profilegen tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def certificate(subject, key, issuer=None, issuer_key=None, ca=False, usage=True, start=NOW - DAY, end=NOW + 365 * DAY):
    issuer = issuer or subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if usage is not None:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=usage,
                content_commitment=False,
                key_encipherment=not ca and not usage,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    return builder.sign(issuer_key or key, hashes.SHA256())


@dataclass
class Leaf:
    cert: x509.Certificate
    key: object
    cert_pem: Path
    key_pem: Path


class PKI:
    def __init__(self, folder: Path):
        self.folder = folder
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = certificate(name("Test Root CA"), self.root_key, ca=True)
        self.inter_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.inter = certificate(
            name("Test Intermediate CA"), self.inter_key, self.root.subject, self.root_key, ca=True
        )
        self.root_pem = self.write("root.pem", self.root)
        self.chain_pem = self.write("chain.pem", self.inter, self.root)
        self.inter_pem = self.write("intermediate.pem", self.inter)

    def write(self, filename, *certs) -> Path:
        path = self.folder / filename
        path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))
        return path

    def leaf(self, label, kind="rsa", password=None, **kwargs) -> Leaf:
        key = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if kind == "rsa"
            else ec.generate_private_key(ec.SECP256R1())
        )
        cert = certificate(name(f"Profile Signer {label}"), key, self.inter.subject, self.inter_key, **kwargs)
        encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        key_pem = self.folder / f"{label}.key"
        key_pem.write_bytes(
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
        )
        return Leaf(cert, key, self.write(f"{label}.pem", cert), key_pem)

    def p12(self, leaf: Leaf, password: bytes, legacy=False) -> Path:
        if legacy:  # what the macOS Keychain exports: SHA1/3DES key bags, SHA1 MAC
            encryption = (
                serialization.PrivateFormat.PKCS12.encryption_builder()
                .kdf_rounds(2048)
                .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
                .hmac_hash(hashes.SHA1())
                .build(password)
            )
        else:
            encryption = serialization.BestAvailableEncryption(password)
        path = self.folder / f"{'legacy' if legacy else 'modern'}-{leaf.cert_pem.stem}.p12"
        path.write_bytes(
            pkcs12.serialize_key_and_certificates(b"signer", leaf.key, leaf.cert, [self.inter, self.root], encryption)
        )
        return path
