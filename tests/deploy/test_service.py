"""The systemd unit shipped in deploy/: systemd's own checker finds nothing to say about it,
and it runs the command, signals and paths the bot and docs/deploy.md use."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.support.paths import ROOT

UNIT = ROOT / "deploy" / "marjaa.service"
INSTALLED = "/srv/marjaa"  # where the unit and docs/deploy.md put the clone


def test_systemd_analyze_verify_finds_nothing(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian: apt-get install systemd)")
    marjaa = ROOT / ".venv" / "bin" / "marjaa"
    if not marjaa.is_file():
        pytest.skip(f"{marjaa} is missing (make install creates it)")
    # this clone stands in for /srv/marjaa: verify checks that ExecStart can be run
    unit = tmp_path / "marjaa.service"
    unit.write_text(UNIT.read_text("utf-8").replace(INSTALLED, str(ROOT)), "utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    # verify exits 0 even for keys it ignores: every warning it prints is a failure here
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), done.stderr


def test_the_unit_runs_the_bot_and_reloads_it_with_sighup():
    text = UNIT.read_text("utf-8")
    assert f"ExecStart={INSTALLED}/.venv/bin/marjaa bot\n" in text
    assert "ExecReload=/bin/kill -HUP $MAINPID" in text  # what bot/telegram/reload.py handles
    assert f"WorkingDirectory={INSTALLED}\n" in text  # where marjaa reads .env
    assert f"ReadWritePaths={INSTALLED}/data {INSTALLED}/corpus" in text
    assert "RestartPreventExitStatus=2" in text  # exit 2: no token (bot/telegram/run.py)
    deploy = (ROOT / "docs" / "deploy.md").read_text("utf-8")
    assert "deploy/marjaa.service" in deploy and "deploy/nginx-marjaa.conf" in deploy
