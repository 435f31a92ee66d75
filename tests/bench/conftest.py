"""The bench tests start real gunicorn servers: marked `bench`, so `pytest -m "not bench"` leaves them out."""


def pytest_configure(config):
    config.addinivalue_line("markers", "bench: runs a benchmark end to end with tiny numbers (a few seconds)")
