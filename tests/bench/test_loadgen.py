"""The load generator against a tiny local server: statuses, bad bodies, closed connections, percentiles."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.loadgen import Outcome, run_load
from bench.server import free_port
from bench.traffic import http_post


class Handler(BaseHTTPRequestHandler):
    """POST /ok -> 200 "good"; /bad -> 200 "bad"; /fail -> 503; /close -> 200 then hang up; /chunked."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"2\r\ngo\r\n2\r\nod\r\n0\r\n\r\n")
            return
        status, body = {"/fail": (503, b"busy"), "/bad": (200, b"bad")}.get(self.path, (200, b"good"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/close":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def post(path):
    return http_post(path, b"x", "text/plain", {})


def test_counts_statuses_bad_bodies_and_survives_closed_connections(port):
    requests = [post(p) for p in ("/ok", "/fail", "/bad", "/close", "/chunked") * 4]
    outcome = run_load(port, requests, 2, 10, check=lambda body: body == b"good")
    assert outcome.completed == 20
    assert outcome.statuses == {200: 16, 503: 4}
    assert outcome.bad_bodies == 4
    assert outcome.errors == 8 and outcome.ok == 12
    assert sorted(outcome.answered) == [i for i in range(20) if i % 5 not in (1, 2)]  # good 200s only


def test_refused_connections_are_transport_errors():
    outcome = run_load(free_port(), [post("/ok")] * 3, 1, 5)  # nothing listens there
    assert outcome.transport_errors == 3 and outcome.errors == 3 and outcome.completed == 0


def test_only_this_machine_is_loaded():
    with pytest.raises(ValueError):
        run_load(80, [post("/ok")], 1, 1, host="example.com")


def test_percentiles_use_nearest_rank():
    outcome = Outcome(elapsed=1.0, latencies=[i / 1000 for i in range(1, 101)])
    assert outcome.percentile_ms(50) == pytest.approx(50)
    assert outcome.percentile_ms(99) == pytest.approx(99)
    assert outcome.percentile_ms(100) == pytest.approx(100)
