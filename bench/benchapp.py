"""The real app as the bench serves it: create_app() unchanged, except that its Alexa verifier trusts the
bench's throwaway CA instead of the public roots, so signed bench requests pass every other check for real.

    BENCH_CA_DIR=/tmp/x/ca gunicorn -c gunicorn.conf.py 'bench.benchapp:create_bench_app()'
"""
import os
from pathlib import Path

from cryptography import x509
from flask import Flask

from skill.verify import AlexaRequestVerifier, canonical_cert_url

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-bench.pem"  # what the bench's requests name
ROOT_FILE, CHAIN_FILE = "root.pem", "chain.pem"  # in $BENCH_CA_DIR, written by bench.traffic.BenchCA


class ChainFile:
    """The verifier's `fetch`: serves the bench chain for the bench's cert URL and refuses any other URL."""

    def __init__(self, pem: bytes):
        self.pem = pem

    def __call__(self, url: str) -> bytes:
        """The chain, as the verifier's fetch would download it (an OSError counts as a failed fetch)."""
        if url != canonical_cert_url(CERT_URL):
            raise OSError(f"the bench serves no certificate chain at {url}")
        return self.pem


def bench_verifier(skill_id: str | None, ca_dir: str | Path | None = None, clock=None) -> AlexaRequestVerifier:
    """Our verifier with the bench root as its only trusted root (from `ca_dir`, default $BENCH_CA_DIR)."""
    folder = Path(ca_dir or os.environ["BENCH_CA_DIR"])
    root = x509.load_pem_x509_certificate((folder / ROOT_FILE).read_bytes())
    return AlexaRequestVerifier(skill_id, trusted_roots=[root], fetch=ChainFile((folder / CHAIN_FILE).read_bytes()),
                                clock=clock)


def create_bench_app() -> Flask:
    """The production app from the environment, its skill's verifier trusting the bench CA (only)."""
    from app import create_app
    folder = Path(os.environ["BENCH_CA_DIR"])
    root = x509.load_pem_x509_certificate((folder / ROOT_FILE).read_bytes())
    app = create_app(skill_options={"trusted_roots": [root], "fetch": ChainFile((folder / CHAIN_FILE).read_bytes())})
    if app.extensions["alexa_skill"].verifier is None:
        raise RuntimeError("the bench measures verified Alexa requests: ALEXA_VERIFY must be true")
    return app
