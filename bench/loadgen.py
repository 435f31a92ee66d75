"""A closed-loop load generator: N keep-alive HTTP/1.1 connections to one local server, one request in flight
on each, so the concurrency is exactly N. Requests are prepared (signed) beforehand, so the generator's own
CPU cost per request is a socket write and a response parse."""
import asyncio
import math
import time
from collections import Counter
from dataclasses import dataclass, field

REQUEST_TIMEOUT = 10.0  # well past gunicorn's 7 s worker timeout: a stuck request still ends


@dataclass
class Outcome:
    """What one run measured: per-request latencies (seconds), HTTP statuses and transport failures."""

    elapsed: float = 0.0
    client_cpu: float = 0.0  # CPU seconds the generator itself used: it shares the machine with the server
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    transport_errors: int = 0
    bad_bodies: int = 0
    answered: list[int] = field(default_factory=list)  # indexes of the requests with a good 200

    @property
    def completed(self) -> int:
        """Requests that got an HTTP answer, whatever its status."""
        return sum(self.statuses.values())

    @property
    def ok(self) -> int:
        """Requests answered 200 with a body that passed the scenario's check."""
        return self.statuses[200] - self.bad_bodies

    @property
    def errors(self) -> int:
        """Everything that was not a good 200: other statuses, bad bodies, resets and timeouts."""
        return self.completed - self.statuses[200] + self.bad_bodies + self.transport_errors

    @property
    def client_share(self) -> float:
        """The generator's CPU use during the run, as a fraction of one core."""
        return self.client_cpu / self.elapsed if self.elapsed else 0.0

    @property
    def rate(self) -> float:
        """Answered requests per second."""
        return self.completed / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, q: int) -> float:
        """The q-th percentile latency in milliseconds (nearest rank over all answered requests)."""
        if not self.latencies:
            return float("nan")
        ranked = sorted(self.latencies)
        return 1000 * ranked[max(1, math.ceil(q / 100 * len(ranked))) - 1]


class Connection:
    """One keep-alive connection; reopened when the server closes it."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def exchange(self, raw: bytes) -> tuple[int, bytes]:
        """Send one prepared request and read the whole response: (status, body)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(raw)
        await self.writer.drain()
        status, headers = await self._read_head()
        body = await self._read_body(headers)
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    async def _read_head(self) -> tuple[int, dict[str, str]]:
        """The status code and the headers (names lower-cased)."""
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip()
        return status, headers

    async def _read_body(self, headers: dict[str, str]) -> bytes:
        """The body, by Content-Length or chunked (gunicorn streams with chunks when no length is known)."""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return await self._read_chunks()
        return await self.reader.readexactly(int(headers.get("content-length", "0")))

    async def _read_chunks(self) -> bytes:
        """A chunked body, without trailers."""
        body = bytearray()
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await self.reader.readexactly(size + 2)
            if size == 0:
                return bytes(body)
            body += chunk[:-2]

    async def close(self) -> None:
        """Close the socket (ignoring a peer that already went away)."""
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass


async def _client(conn: Connection, requests: list[bytes], cursor: list[int], deadline: float,
                  check, outcome: Outcome) -> None:
    """Take the next prepared request until none are left or the deadline passes."""
    while cursor[0] < len(requests) and time.perf_counter() < deadline:
        index = cursor[0]
        cursor[0] += 1
        started = time.perf_counter()
        try:
            status, body = await asyncio.wait_for(conn.exchange(requests[index]), REQUEST_TIMEOUT)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ValueError):
            outcome.transport_errors += 1
            await conn.close()
            continue
        outcome.latencies.append(time.perf_counter() - started)
        outcome.statuses[status] += 1
        if status == 200 and check is not None and not check(body):
            outcome.bad_bodies += 1
        elif status == 200:
            outcome.answered.append(index)


async def _drive(host, port, requests, concurrency, max_seconds, check) -> Outcome:
    """Run `concurrency` clients over one shared cursor and time the whole run."""
    outcome, cursor = Outcome(), [0]
    conns = [Connection(host, port) for _ in range(concurrency)]
    started, cpu = time.perf_counter(), time.process_time()
    deadline = started + max_seconds
    try:
        await asyncio.gather(*(_client(c, requests, cursor, deadline, check, outcome) for c in conns))
    finally:
        outcome.elapsed = time.perf_counter() - started
        outcome.client_cpu = time.process_time() - cpu
        await asyncio.gather(*(c.close() for c in conns))
    return outcome


def run_load(port: int, requests: list[bytes], concurrency: int, max_seconds: float, check=None,
             host: str = "127.0.0.1") -> Outcome:
    """Send `requests` over `concurrency` connections to host:port, stopping early at `max_seconds`.

    `check(body) -> bool` marks a 200 whose body is wrong (e.g. an Alexa error speech) as an error."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the bench only sends traffic to this machine")
    return asyncio.run(_drive(host, port, requests, concurrency, max_seconds, check))
