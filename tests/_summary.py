"""A pytest plugin (registered in pyproject's addopts with `-p tests._summary`): skipped tests are summed up
by reason, one line each with a count, instead of one SKIPPED line per test (`-ra` printed hundreds when
PostgreSQL is absent). Failures and errors are still listed one by one (`-rfE`)."""
from collections import Counter


def skip_reason(report) -> str:
    """The reason a skipped test report gives, without pytest's "Skipped: " prefix."""
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return reason.removeprefix("Skipped: ")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    reasons = Counter(skip_reason(report) for report in terminalreporter.stats.get("skipped", ()))
    if not reasons:
        return
    terminalreporter.section(f"{sum(reasons.values())} skipped, by reason", sep="-")
    for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        terminalreporter.write_line(f"{count:6d}  {reason}")
