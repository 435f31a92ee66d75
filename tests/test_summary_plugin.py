"""tests/_summary.py: a run with many skips prints one line per reason with its count, not one per test."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_skips_are_grouped_by_reason_with_counts(tmp_path):
    (tmp_path / "test_many.py").write_text(
        "import pytest\n"
        "@pytest.mark.parametrize('n', range(40))\n"
        "def test_needs_a_server(n):\n    pytest.skip('no server here')\n"
        "def test_other():\n    pytest.skip('another reason')\n"
        "def test_fails():\n    assert 1 == 2\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE",
                          "-p", "tests._summary", "--rootdir", str(tmp_path), str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    out = run.stdout
    assert run.returncode == 1, out + run.stderr
    assert "41 skipped, by reason" in out
    assert "    40  no server here" in out and "     1  another reason" in out
    assert "SKIPPED [" not in out  # no per-test skip lines
    assert "FAILED " in out and "test_many.py::test_fails" in out  # failures are still listed
