"""The bench's printed results: one table row per (scenario, concurrency), the ratios to the baselines, and
PASS/MISS against the targets (reported, never asserted)."""
from dataclasses import dataclass

from bench.loadgen import Outcome

P99_TARGET_MS = 20.0
P99_TARGET_CONCURRENCY = 8
THROUGHPUT_TARGET = 0.6  # of the matching baseline, at every concurrency


@dataclass(frozen=True)
class Row:
    """One measured run."""

    scenario: str
    concurrency: int
    outcome: Outcome
    baseline: str | None  # the scenario this one is compared with


def ratios(row: Row, rows: list[Row]) -> tuple[float, float] | None:
    """(throughput ÷ baseline throughput, p99 ÷ baseline p99) at the same concurrency, if measured."""
    base = next((r for r in rows if r.scenario == row.baseline and r.concurrency == row.concurrency), None)
    if base is None or not base.outcome.rate:
        return None
    return row.outcome.rate / base.outcome.rate, row.outcome.percentile_ms(99) / base.outcome.percentile_ms(99)


def table(rows: list[Row]) -> str:
    """The results table, in the order measured."""
    head = (f"{'scenario':<22}{'conc':>5}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
            f"{'x base req/s':>14}{'x base p99':>12}{'gen cpu':>9}")
    lines = [head, "-" * len(head)]
    for row in rows:
        out, ratio = row.outcome, ratios(row, rows)
        tail = f"{ratio[0]:>14.2f}{ratio[1]:>12.2f}" if ratio else f"{'-':>14}{'-':>12}"
        lines.append(f"{row.scenario:<22}{row.concurrency:>5}{out.rate:>9.0f}{out.percentile_ms(50):>9.2f}"
                     f"{out.percentile_ms(99):>9.2f}{out.errors:>8}{tail}{out.client_share:>9.0%}")
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def targets(rows: list[Row]) -> str:
    """PASS/MISS per compared scenario: p99 at concurrency 8, and throughput ratio at each concurrency."""
    lines = [f"Targets: p99 <= {P99_TARGET_MS:g} ms at concurrency {P99_TARGET_CONCURRENCY}; "
             f"throughput >= {THROUGHPUT_TARGET:g} x baseline"]
    for name in dict.fromkeys(r.scenario for r in rows if r.baseline):
        mine = [r for r in rows if r.scenario == name]
        at8 = next((r for r in mine if r.concurrency == P99_TARGET_CONCURRENCY), None)
        p99 = "p99 @8: not measured" if at8 is None else (
            f"p99 @8 {at8.outcome.percentile_ms(99):6.2f} ms "
            f"{verdict(at8.outcome.percentile_ms(99) <= P99_TARGET_MS)}")
        shares = [(r.concurrency, ratios(r, rows)) for r in mine]
        rate = "  ".join(f"@{c} {q[0]:.2f}x {verdict(q[0] >= THROUGHPUT_TARGET)}" for c, q in shares if q)
        lines.append(f"  {name:<20}{p99}   throughput {rate}")
    return "\n".join(lines)


def error_details(rows: list[Row]) -> str:
    """Where the errors came from, for rows that had any."""
    lines = []
    for row in rows:
        out = row.outcome
        if out.errors:
            statuses = ", ".join(f"HTTP {s}: {n}" for s, n in sorted(out.statuses.items()) if s != 200)
            lines.append(f"  {row.scenario} @{row.concurrency}: {statuses or 'no bad statuses'}; "
                         f"bad 200 bodies {out.bad_bodies}; transport errors {out.transport_errors}")
    return "\n".join(["Errors:"] + lines) if lines else "Errors: none"
