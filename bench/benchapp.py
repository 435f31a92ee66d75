"""The real app as the bench serves it: create_app() unchanged, except that its Alexa verifier trusts the
bench's throwaway CA instead of the public roots, so signed bench requests pass every other check for real.

    BENCH_CA_DIR=/tmp/x/ca gunicorn -c gunicorn.conf.py 'bench.benchapp:create_bench_app()'
"""
import os
from pathlib import Path

from flask import Flask

from devkit.certs import read_ca
from skill.verify import AlexaRequestVerifier

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-bench.pem"  # what the bench's requests name


def bench_verifier(skill_id: str | None, ca_dir: str | Path | None = None, clock=None) -> AlexaRequestVerifier:
    """Our verifier with the bench root as its only trusted root (from `ca_dir`, default $BENCH_CA_DIR)."""
    roots, fetch = read_ca(Path(ca_dir or os.environ["BENCH_CA_DIR"]), CERT_URL)
    return AlexaRequestVerifier(skill_id, trusted_roots=roots, fetch=fetch, clock=clock)


def create_bench_app() -> Flask:
    """The production app from the environment, its skill's verifier trusting the bench CA (only)."""
    from app import create_app
    roots, fetch = read_ca(Path(os.environ["BENCH_CA_DIR"]), CERT_URL)
    app = create_app(skill_options={"trusted_roots": roots, "fetch": fetch})
    if app.extensions["alexa_skill"].verifier is None:
        raise RuntimeError("the bench measures verified Alexa requests: ALEXA_VERIFY must be true")
    return app
