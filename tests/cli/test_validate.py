"""``mentorsim validate``: a one-line verdict."""

import subprocess
import sys

from sim import cli
from tests.paths import MENTORING


def test_validate_ok(capsys):
    assert cli.main(["validate", str(MENTORING)]) == 0
    assert "ok" in capsys.readouterr().out


def test_console_script_end_to_end(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[organisation]\nheadcount = -5\n")
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "validate", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"mentorsim: error: {bad}: organisation.headcount = -5: "
        "Input should be greater than or equal to 2"
    )
