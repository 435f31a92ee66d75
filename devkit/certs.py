"""A throwaway PKI: a root CA, an intermediate and an Alexa-like signing leaf, and `AlexaSigner`, which signs
request bodies with such a chain and serves the chain to the verifier of an app that trusts its root."""
import base64
import functools
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from skill.verify import canonical_cert_url

ALEXA_DNS = "echo-api.amazon.com"
# CA certificates span every instant the tests use, so only the leaf's dates vary.
CA_NOT_BEFORE = datetime(2020, 1, 1, tzinfo=timezone.utc)
CA_NOT_AFTER = datetime(2045, 1, 1, tzinfo=timezone.utc)
ROOT_FILE, CHAIN_FILE = "root.pem", "chain.pem"  # what AlexaSigner.write saves and read_ca reads


@functools.cache
def rsa_key(role: str) -> rsa.RSAPrivateKey:
    """A 2048-bit key per role, generated once per test run because generation is slow."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Chain:
    """A signing leaf with its intermediate and the root it chains to."""

    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    leaf_key: rsa.RSAPrivateKey

    def pem(self) -> bytes:
        """The chain as Alexa serves it: leaf first, then the intermediate."""
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (self.leaf, self.intermediate))

    def sign(self, body: bytes) -> str:
        """The Signature-256 header value for `body`."""
        signature = self.leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )


def _leaf_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=True,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )


def _builder(subject: str, issuer: str, key, not_before: datetime, not_after: datetime):
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )


@functools.cache
def root_ca(name: str = "Test Root CA") -> x509.Certificate:
    """A self-signed root; each name has its own key, so roots never vouch for each other."""
    key = rsa_key(f"root:{name}")
    return (
        _builder(name, name, key, CA_NOT_BEFORE, CA_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .sign(key, hashes.SHA256())
    )


@functools.cache
def intermediate_ca(root_name: str = "Test Root CA") -> x509.Certificate:
    """An intermediate CA issued by `root_ca(root_name)`."""
    name, key = f"{root_name} Intermediate", rsa_key(f"intermediate:{root_name}")
    root_key = rsa_key(f"root:{root_name}")
    return (
        _builder(name, root_name, key, CA_NOT_BEFORE, CA_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )


def make_chain(
    not_before: datetime,
    not_after: datetime,
    san: tuple[str, ...] = (ALEXA_DNS,),
    root_name: str = "Test Root CA",
) -> Chain:
    """Issue a fresh signing leaf valid from `not_before` to `not_after` for the DNS names in `san`."""
    issuer_key, leaf_key = rsa_key(f"intermediate:{root_name}"), rsa_key("leaf")
    leaf = (
        _builder(san[0] if san else "no-san", f"{root_name} Intermediate", leaf_key, not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_leaf_usage(), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if san:
        leaf = leaf.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in san]), critical=False)
    return Chain(root_ca(root_name), intermediate_ca(root_name), leaf.sign(issuer_key, hashes.SHA256()), leaf_key)


def days_around(now: datetime, before: float = 1, after: float = 30) -> tuple[datetime, datetime]:
    """A (not_before, not_after) pair from `before` days before `now` to `after` days after it."""
    return now - timedelta(days=before), now + timedelta(days=after)


@dataclass(frozen=True)
class ChainServer:
    """A verifier's `fetch`: the chain for `cert_url` and nothing else (an OSError is a failed download)."""

    cert_url: str
    pem: bytes

    def __call__(self, url: str) -> bytes:
        if url != canonical_cert_url(self.cert_url):
            raise OSError(f"no certificate chain is served at {url}")
        return self.pem


class AlexaSigner:
    """Signs request bodies as Alexa does, with a fresh leaf of `root_name`'s CA, named by `cert_url`."""

    def __init__(self, not_before: datetime, not_after: datetime, cert_url: str, root_name: str = "Test Root CA"):
        self.chain, self.cert_url = make_chain(not_before, not_after, root_name=root_name), cert_url
        self.fetch = ChainServer(cert_url, self.chain.pem())

    @classmethod
    def around(cls, now: datetime, cert_url: str, before: timedelta = timedelta(days=1),
               after: timedelta = timedelta(days=400), root_name: str = "Test Root CA") -> "AlexaSigner":
        """A leaf valid from `before` ahead of `now` to `after` past it (cut at the CA's end, but at least
        30 days or `after` must remain); ValueError when `now` is outside the CA's years."""
        not_before, not_after = now - before, min(now + after, CA_NOT_AFTER)
        if not CA_NOT_BEFORE <= not_before < now + min(after, timedelta(days=30)) <= not_after:
            raise ValueError(f"the test CA is valid from {CA_NOT_BEFORE.year} to {CA_NOT_AFTER.year}: "
                             "start the simulation inside those years")
        return cls(not_before, not_after, cert_url, root_name)

    @property
    def trusted_roots(self) -> list[x509.Certificate]:
        """The one root the app under simulation should trust (instead of the public roots)."""
        return [self.chain.root]

    def headers(self, body: bytes) -> dict[str, str]:
        """The headers Alexa sends with every request."""
        return {"SignatureCertChainUrl": self.cert_url, "Signature-256": self.chain.sign(body),
                "Content-Type": "application/json; charset=utf-8"}

    def write(self, folder: Path) -> Path:
        """Save the root (to trust) and the chain (to serve) in `folder`, for an app in another process."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ROOT_FILE).write_bytes(self.chain.root.public_bytes(serialization.Encoding.PEM))
        (folder / CHAIN_FILE).write_bytes(self.chain.pem())
        return folder


def read_ca(folder: Path, cert_url: str) -> tuple[list[x509.Certificate], ChainServer]:
    """What AlexaSigner.write saved: (trusted roots, fetch) for the verifier of an app in another process."""
    root = x509.load_pem_x509_certificate((folder / ROOT_FILE).read_bytes())
    return [root], ChainServer(cert_url, (folder / CHAIN_FILE).read_bytes())
