"""Signing and verifying profiles as CMS SignedData.

Signing uses `cryptography`'s PKCS7SignatureBuilder: DER, content embedded,
SHA-256, the Binary option so the plist's line endings stay as built, and the
intermediates included but not the root, as Apple's `security cms -S` does.
`cryptography` has no public CMS verification, so verification parses the
structure with `asn1crypto` (which also reads BER, as `security cms` and
`openssl -stream` write it) and checks each signature with `cryptography`.

With a signing time (SOURCE_DATE_EPOCH, for reproducible builds), the signature's
signingTime attribute is set to it and the attributes are signed again, ECDSA made
deterministic (RFC 6979), so the same inputs give the same signed bytes.

This module is imported only when a command signs, verifies or reads a signed file;
asn1crypto only when it reads CMS, a .p12, or re-signs at SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

from profilegen import inputs
from profilegen.errors import SigningError, VerificationError


@dataclass(frozen=True)
class Identity:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    intermediates: tuple[x509.Certificate, ...]


Password = Callable[[], "bytes | None"]  # asked only when the file turns out to need one


def _read(path: Path, what: str, about: str | None = None) -> bytes:
    try:
        return inputs.read(path)
    except OSError as e:
        raise SigningError(f"{what} {str(path)!r} can't be read: {e.strerror}", about) from None


def _certificates(data: bytes, path: Path, about: str | None = None) -> list[x509.Certificate]:
    try:
        return (
            x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data else [x509.load_der_x509_certificate(data)]
        )
    except ValueError:
        raise SigningError(f"{path} holds no PEM or DER certificate", about) from None


def _is_self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
        return True
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False


def load_pem(
    cert_path: Path, key_path: Path, chain_path: Path | None = None, password: Password = lambda: None
) -> Identity:
    certificate = _certificates(_read(cert_path, "certificate", "sign_cert"), cert_path, "sign_cert")[0]
    key_data = _read(key_path, "key", "sign_key")
    secret = _usable(password() if b"ENCRYPTED" in key_data else None, f"key {str(key_path)!r}", utf8=False)
    try:
        # cryptography checks every parameter of an RSA key as it loads it (about 40 ms for 2048
        # bits), a guard for keys from strangers. This key is the admin's own file; `identity`
        # signs once with it and verifies with the certificate instead, which is what a damaged
        # key would fail. (A .p12 has no such switch: its key is checked in full.)
        key = serialization.load_pem_private_key(key_data, password=secret or None, unsafe_skip_rsa_key_validation=True)
    except TypeError:
        raise SigningError(
            f"key {str(key_path)!r} is encrypted; give its password in PROFILEGEN_KEY_PASSWORD "
            "or with --key-password-file",
            "password",
        ) from None
    except ValueError:
        if secret:
            raise SigningError(f"wrong password for key {str(key_path)!r}", "password") from None
        raise SigningError(f"key {str(key_path)!r} is not a PEM private key", "sign_key") from None
    except UnsupportedAlgorithm as e:
        raise SigningError(f"key {str(key_path)!r} uses an unsupported algorithm: {e}", "sign_key") from None
    chain = _certificates(_read(chain_path, "chain", "sign_chain"), chain_path, "sign_chain") if chain_path else []
    return identity(certificate, key, chain)


def _usable(secret: bytes | None, what: str, utf8: bool) -> bytes | None:
    """A password the crypto library can take, or one clear refusal: it takes no NUL byte, and
    reads a .p12 password as UTF-8 text."""
    if secret is None:
        return None
    if b"\0" in secret:
        raise SigningError(f"the password for {what} holds a NUL byte, which no password can", "password")
    if utf8:
        try:
            secret.decode("utf-8")
        except UnicodeDecodeError:
            raise SigningError(
                f"the password for {what} isn't UTF-8 text, which a .p12 password must be", "password"
            ) from None
    return secret


def load_p12(path: Path, password: Password) -> Identity:
    from asn1crypto import pkcs12 as asn1_pkcs12

    data = _read(path, ".p12 file", "sign_p12")
    try:
        len(asn1_pkcs12.Pfx.load(data).authenticated_safe)
    except Exception:  # asn1crypto raises several kinds for malformed input
        raise SigningError(f"{path} is not a readable PKCS#12 (.p12) file", "sign_p12") from None
    secret = _usable(password(), str(path), utf8=True)
    if secret is None:
        raise SigningError(
            f"no password for {path}: set PROFILEGEN_P12_PASSWORD, use --p12-password-file, "
            "or run in a terminal to be asked",
            "password",
        )
    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(data, secret or None)
    except ValueError:
        # cryptography says the same for a wrong password and a corrupt file; the
        # structure parsed above, so it is most likely the password.
        raise SigningError(f"wrong password for {path} (or the file is damaged)", "password") from None
    if key is None or certificate is None:
        raise SigningError(f"{path} holds no private key with its certificate", "sign_p12")
    try:
        return identity(certificate, key, list(extra or []))
    except SigningError as e:
        raise SigningError(str(e), "sign_p12") from None


def identity(certificate: x509.Certificate, key, chain: list[x509.Certificate]) -> Identity:
    """Check that the identity can sign a profile that devices will show as verified."""
    problem = malformed(certificate)
    if problem:
        raise SigningError(f"the signing certificate {problem}; devices and openssl refuse it", "sign_cert")
    return _identity(certificate, key, chain)


def malformed(cert: x509.Certificate) -> str | None:
    """Why a certificate can't be read whole (a duplicated extension, impossible bits, a key off
    its curve, a name that isn't text), or None. cryptography parses these lazily; openssl refuses them."""
    try:
        cert.subject.rfc4514_string()
        cert.issuer.rfc4514_string()
        for extension in cert.extensions:
            extension.value  # noqa: B018 (parsing it is the check)
        cert.public_key()
    except Exception as e:  # cryptography raises several kinds (ValueError, DuplicateExtension, ...)
        return f"with serial number {cert.serial_number:X} is malformed ({e})"
    return None


def _identity(certificate: x509.Certificate, key, chain: list[x509.Certificate]) -> Identity:
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise SigningError("the key must be RSA or EC", "sign_key")
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != certificate.public_key().public_bytes(
        serialization.Encoding.DER, public
    ):
        raise SigningError(f"the key does not match the certificate {certificate.subject.rfc4514_string()}", "sign_key")
    probe = b"profilegen checks that this key signs what its certificate verifies"
    verifier = certificate.public_key()  # the same key type as `key`: the two matched above
    try:
        if isinstance(key, rsa.RSAPrivateKey) and isinstance(verifier, rsa.RSAPublicKey):
            signed = key.sign(probe, padding.PKCS1v15(), hashes.SHA256())
            verifier.verify(signed, probe, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(verifier, ec.EllipticCurvePublicKey):
            verifier.verify(key.sign(probe, ec.ECDSA(hashes.SHA256())), probe, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        raise SigningError(
            f"the key for {certificate.subject.rfc4514_string()} is damaged: what it signs doesn't verify", "sign_key"
        ) from None
    now = datetime.datetime.now(datetime.UTC)
    name = certificate.subject.rfc4514_string()
    if now > certificate.not_valid_after_utc:
        raise SigningError(f"certificate {name} expired on {certificate.not_valid_after_utc:%Y-%m-%d}", "sign_cert")
    if now < certificate.not_valid_before_utc:
        raise SigningError(
            f"certificate {name} is not valid until {certificate.not_valid_before_utc:%Y-%m-%d}", "sign_cert"
        )
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None  # no KeyUsage extension: every usage is allowed (RFC 5280)
    if usage is not None and not usage.digital_signature:
        raise SigningError(f"certificate {name} lacks the digitalSignature key usage", "sign_cert")
    intermediates = tuple(c for c in chain if c != certificate and not _is_self_signed(c))
    return Identity(certificate, key, intermediates)


def sign(content: bytes, signer: Identity, at: datetime.datetime | None = None) -> bytes:
    """CMS SignedData, DER, content embedded; signed at `at` where given, else now."""
    builder = (
        pkcs7.PKCS7SignatureBuilder().set_data(content).add_signer(signer.certificate, signer.key, hashes.SHA256())
    )
    for cert in signer.intermediates:
        builder = builder.add_certificate(cert)
    signed = builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    return signed if at is None else _signed_at(signed, signer, at)


def _signed_at(signed: bytes, signer: Identity, at: datetime.datetime) -> bytes:
    """The same SignedData with signingTime = at, its attributes signed again deterministically."""
    from asn1crypto import cms as asn1_cms

    info = asn1_cms.ContentInfo.load(signed)
    signer_info = info["content"]["signer_infos"][0]
    attributes = signer_info["signed_attrs"]
    for attribute in attributes:
        if attribute["type"].native == "signing_time":
            attribute["values"] = [asn1_cms.Time({"utc_time": at})]
    data = b"\x31" + attributes.dump()[1:]  # signed over as a SET, not [0]
    if isinstance(signer.key, rsa.RSAPrivateKey):
        signer_info["signature"] = signer.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        try:
            algorithm = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
        except UnsupportedAlgorithm:
            raise SigningError(
                "this build of cryptography can't sign ECDSA deterministically: "
                "unset SOURCE_DATE_EPOCH or sign with an RSA key"
            ) from None
        signer_info["signature"] = signer.key.sign(data, algorithm)
    return info.dump()


@dataclass(frozen=True)
class Signed:
    content: bytes
    signer: x509.Certificate
    certificates: tuple[x509.Certificate, ...]
    chain: tuple[x509.Certificate, ...] = ()  # signer first, as far as it could be built
    trusted: bool | None = None  # None: no roots were given


def _parse(data: bytes):
    from asn1crypto import cms as asn1_cms  # reading CMS (DER or BER), which cryptography can't

    try:
        info = asn1_cms.ContentInfo.load(data)
        if info["content_type"].native != "signed_data":
            raise VerificationError(f"not CMS SignedData but {info['content_type'].native}")
        signed = info["content"]
        content = signed["encap_content_info"]["content"]
        if content.native is None:
            raise VerificationError("the signature is detached: the profile is not inside it")
        return signed, bytes(content.native)
    except VerificationError:
        raise
    except Exception as e:  # asn1crypto raises many kinds for malformed input
        raise VerificationError(
            f"a damaged signature: not readable as CMS, truncated or corrupt ({e.__class__.__name__})"
        ) from None


def _load(data: bytes):
    signed, content = _parse(data)
    certs = []
    for n, c in enumerate((c for c in signed["certificates"] or () if c.name == "certificate"), 1):
        try:
            certs.append(x509.load_der_x509_certificate(c.chosen.dump()))
        except Exception as e:  # the signature is readable; one of its certificates isn't
            raise VerificationError(
                f"certificate {n} in the signature can't be read ({e.__class__.__name__}): the chain can't be checked"
            ) from None
    return signed, content, tuple(certs)


def _untrusted(parse):
    """Malformed input fails as invalid: asn1crypto and cryptography raise many kinds of error."""

    def guarded(*args, **kwargs):
        try:
            return parse(*args, **kwargs)
        except VerificationError:
            raise
        except Exception as e:
            raise VerificationError(f"a damaged signature: part of it can't be read ({e.__class__.__name__})") from None

    return guarded


@_untrusted
def extract(data: bytes) -> Signed:
    """The content and certificates of a signed profile, without judging them."""
    signed, content, certs = _load(data)
    return Signed(content, extract_signer(signed, certs), certs)


def extract_signer(signed, certs) -> x509.Certificate:
    if not len(signed["signer_infos"]):
        raise VerificationError("invalid: the signature has no signer")
    return _signer_cert(signed["signer_infos"][0], certs)


def _signer_cert(signer_info, certs) -> x509.Certificate:
    from asn1crypto import x509 as asn1_x509

    sid = signer_info["sid"]
    for cert in certs:
        if sid.name == "issuer_and_serial_number":
            if (
                cert.serial_number == sid.chosen["serial_number"].native
                and asn1_x509.Name.load(cert.issuer.public_bytes()) == sid.chosen["issuer"]
            ):
                return cert
        else:
            try:
                ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
            except x509.ExtensionNotFound:
                continue
            if ski == sid.chosen.native:
                return cert
    raise VerificationError("invalid: the signer's certificate is not in the signature")


_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def _verify_signature(cert: x509.Certificate, signature: bytes, data: bytes, algorithm, digest: str) -> None:
    hash_ = _HASHES[digest]()
    key = cert.public_key()
    name = algorithm["algorithm"].native
    if isinstance(key, rsa.RSAPublicKey):
        if name == "rsassa_pss":
            params = algorithm["parameters"]
            pad = padding.PSS(
                padding.MGF1(_HASHES[params["mask_gen_algorithm"]["parameters"]["algorithm"].native]()),
                params["salt_length"].native,
            )
            key.verify(signature, data, pad, _HASHES[params["hash_algorithm"]["algorithm"].native]())
        else:
            key.verify(signature, data, padding.PKCS1v15(), hash_)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, data, ec.ECDSA(hash_))
    else:
        raise VerificationError(f"unsupported signer key type {type(key).__name__}")


@dataclass(frozen=True)
class Verdict:
    """Three findings, reported apart: is the signature good, does the chain lead to a trusted root,
    are the certificates valid at the time. Each problem is None when all is well."""

    signed: Signed
    signature: str | None
    chain: str | None
    dates: str | None

    @property
    def valid(self) -> bool:
        return not (self.signature or self.chain or self.dates)

    def lines(self, roots: str | None = None) -> list[str]:
        """What `profilegen verify` prints of a file: the signer, then each finding."""
        cert = self.signed.signer
        chain = " <- ".join(c.subject.rfc4514_string() for c in self.signed.chain)
        return [
            f"  Signer:     {cert.subject.rfc4514_string()}",
            f"  Issuer:     {cert.issuer.rfc4514_string()}",
            f"  Valid:      {cert.not_valid_before_utc:%Y-%m-%d %H:%M} to "
            f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC",
            f"  SHA-256:    {fingerprint(cert)}",
            f"  Signature:  {'valid' if not self.signature else 'INVALID: ' + self.signature}",
            f"  Chain:      {chain}",
            "  Trust:      "
            + (
                f"UNTRUSTED: {self.chain}"
                if self.chain
                else f"trusted: ends in a root of {roots}"
                if self.signed.trusted
                else "not checked against trusted roots (use --ca)"
            ),
            f"  Dates:      {self.dates or 'valid'}",
        ]

    def summary(self) -> str:
        words = ["signature valid" if not self.signature else f"signature invalid: {self.signature}"]
        if self.dates:
            words.append(self.dates)
        if self.chain:
            words.append(f"untrusted: {self.chain}")
        elif self.signed.trusted:
            words.append("chain trusted")
        return ", ".join(words)


@_untrusted
def verify(data: bytes, roots: list[x509.Certificate] | None = None, now: datetime.datetime | None = None) -> Verdict:
    """Check the signature and messageDigest, the chain (to roots, where given) and the dates at `now`.

    Only the signed attributes that matter are read (messageDigest); any others, as Apple's
    `security cms` and Microsoft's tools add, are signed over but not parsed.
    """
    now = now or datetime.datetime.now(datetime.UTC)
    signed, content, certs = _load(data)
    found = Signed(content, extract_signer(signed, certs), certs)
    signature = None
    for signer_info in signed["signer_infos"]:
        cert = _signer_cert(signer_info, certs)
        digest = signer_info["digest_algorithm"]["algorithm"].native
        if digest not in _HASHES:
            raise VerificationError(f"invalid: unsupported digest algorithm {digest}")
        attrs = signer_info["signed_attrs"]
        if len(attrs):
            expected = next((a["values"][0] for a in attrs if a["type"].dotted == "1.2.840.113549.1.9.4"), None)
            if expected is None or bytes(expected.native) != hashlib.new(digest, content).digest():
                signature = "the message digest does not match the content (the profile was changed after signing)"
                continue
            signed_bytes = b"\x31" + attrs.dump()[1:]  # signed over as a SET, not [0]
        else:
            signed_bytes = content
        try:
            _verify_signature(
                cert, signer_info["signature"].native, signed_bytes, signer_info["signature_algorithm"], digest
            )
        except InvalidSignature:
            signature = "the signature does not verify"
    chain = [found.signer]
    pool = list(found.certificates) + list(roots or [])
    while not _is_self_signed(chain[-1]):
        issuer = next(
            (c for c in pool if c.subject == chain[-1].issuer and c not in chain and _issued(chain[-1], c)), None
        )
        if issuer is None:
            break
        chain.append(issuer)
    dates = next(
        (
            (
                f"certificate expired on {c.not_valid_after_utc:%Y-%m-%d}"
                if now > c.not_valid_after_utc
                else f"certificate not valid until {c.not_valid_before_utc:%Y-%m-%d}"
            )
            + f" ({c.subject.rfc4514_string()})"
            for c in chain
            if not c.not_valid_before_utc <= now <= c.not_valid_after_utc
        ),
        None,
    )
    trusted, untrusted = None, None
    broken = next((f"the certificate {problem}" for c in chain if (problem := malformed(c))), None)
    if broken:
        return Verdict(Signed(content, found.signer, found.certificates, tuple(chain), False), signature, broken, dates)
    if roots is not None:
        # Like openssl without -partial_chain: the anchor is a self-signed root from the file.
        trusted = _is_self_signed(chain[-1]) and chain[-1] in roots
        if not trusted:
            untrusted = (
                f"the chain of {found.signer.subject.rfc4514_string()} does not lead to a certificate "
                "in the given roots"
            )
    return Verdict(
        Signed(content, found.signer, found.certificates, tuple(chain), trusted), signature, untrusted, dates
    )


def _issued(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(issuer)
        return True
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False


def load_roots(path: Path) -> list[x509.Certificate]:
    return _certificates(_read(path, "roots file"), path)


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()
