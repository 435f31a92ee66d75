"""The bench's printed results: one table row per (scenario, concurrency), the ratios to the baselines, and
PASS/MISS against the targets (reported, never asserted)."""
from dataclasses import dataclass

from bench.loadgen import Outcome

TARGET_CONCURRENCY = 8
# Issue 17, at concurrency 8 in one run: throughput >= x its bare baseline, p99 <= x the baseline's p99.
TARGETS = {"alexa-launch": (0.6, 2.0), "alexa-checkin": (0.4, 3.0), "sms-checkin": (0.5, 3.0)}
FLOOR_TARGET = 0.8  # a write's throughput against the minimal correct handler doing the same write


@dataclass(frozen=True)
class Row:
    """One measured run."""

    scenario: str
    concurrency: int
    outcome: Outcome
    baseline: str | None  # the scenario this one is compared with
    floor: str | None = None  # the minimal correct handler, for writes


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
    """PASS/MISS per compared scenario at concurrency 8: throughput and p99 against its bare baseline, and
    a write's throughput against the minimal correct handler; other levels' ratios for reading."""
    lines = [f"Targets at concurrency {TARGET_CONCURRENCY} (issue 17): throughput >= t x bare baseline, p99 <= "
             f"p x the baseline's p99, writes >= {FLOOR_TARGET:g} x the minimal correct handler"]
    for name in dict.fromkeys(r.scenario for r in rows if r.baseline):
        mine = [r for r in rows if r.scenario == name]
        at8 = next((r for r in mine if r.concurrency == TARGET_CONCURRENCY), None)
        want_rate, want_p99 = TARGETS.get(name, (None, None))
        parts = []
        ratio = ratios(at8, rows) if at8 else None
        if ratio and want_rate is not None:
            parts.append(f"{ratio[0]:.2f}x (t {want_rate:g}) {verdict(ratio[0] >= want_rate)}")
            parts.append(f"p99 {ratio[1]:.1f}x (p {want_p99:g}) {verdict(ratio[1] <= want_p99)}")
        floor = next((r for r in rows if r.scenario == at8.floor and r.concurrency == TARGET_CONCURRENCY),
                     None) if at8 and at8.floor else None
        if floor is not None and floor.outcome.rate:
            share = at8.outcome.rate / floor.outcome.rate
            parts.append(f"vs minimal {share:.2f}x {verdict(share >= FLOOR_TARGET)}")
        others = "  ".join(f"@{r.concurrency} {q[0]:.2f}x" for r in mine if r is not at8 and (q := ratios(r, rows)))
        lines.append(f"  {name:<16}" + ("  ".join(parts) or "not measured at 8")
                     + (f"   (other levels: {others})" if others else ""))
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
