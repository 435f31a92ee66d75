"""The in-process web profile with tiny numbers, in each of its three modes: every scenario answers (the
script asserts a 200 for each request), and each mode prints what it promises. Figures are not judged."""
import os
import re

import pytest

from bench import profile_web

pytestmark = pytest.mark.bench
SCENARIOS = ("alexa-launch", "alexa-checkin", "sms-checkin")


def test_profile_names_our_functions_for_each_scenario(capsys):
    assert profile_web.main(["--requests", "5", "--top", "3"]) == 0
    out = capsys.readouterr().out
    for name in SCENARIOS:
        assert re.search(rf"^{name}: [\d.]+ ms CPU, [\d.]+ ms wall, [\d.]+ statements per request", out, re.M), out
    assert out.count("our functions by cumulative time per request:") == len(SCENARIOS)


def test_statements_lists_what_one_request_sends(capsys):
    assert profile_web.main(["--statements"]) == 0
    out = capsys.readouterr().out
    blocks = dict(re.findall(r"^(\S+): (\d+) statements$", out, re.M))
    assert set(blocks) == set(SCENARIOS), out
    check_in = out.split("alexa-checkin:")[1].split("sms-checkin:")[0]
    assert "INSERT INTO check_in" in check_in  # a check-in stores its answer
    assert "BEGIN IMMEDIATE" in check_in  # and takes SQLite's write lock at once
    launch = out.split("alexa-launch:")[1].split("alexa-checkin:")[0]
    assert "INSERT" not in launch and "UPDATE" not in launch  # a second launch of the day only reads


def test_compare_gives_each_scenario_its_baselines(capsys):
    assert profile_web.main(["--compare", "--requests", "3", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()
            if line.split()[:1] and line.split()[0] in SCENARIOS}
    assert set(rows) == set(SCENARIOS), out
    assert rows["alexa-launch"][2] == "-"  # a launch writes nothing: no minimal writer to compare with
    assert all(float(value) > 0 for value in rows["sms-checkin"]), out


def test_compare_leaves_the_environment_as_it_found_it(capsys, monkeypatch):
    """The baselines read their key and database from the environment while they serve; a caller in the
    same process (the rest of the suite) must not inherit them."""
    monkeypatch.delenv("ENCRYPTION_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///kept-as-it-was.db")
    assert profile_web.main(["--compare", "--requests", "2", "--rounds", "1"]) == 0
    capsys.readouterr()
    assert "ENCRYPTION_KEY" not in os.environ
    assert os.environ["DATABASE_URL"] == "sqlite:///kept-as-it-was.db"
