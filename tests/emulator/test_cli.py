"""``python -m gcal_emulator`` as a real process: it prints its URL and serves until stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import requests

from gcal_emulator.latency import GOOGLE


def test_the_command_prints_its_base_url_and_serves_until_terminated() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "gcal_emulator", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert requests.get(f"{base_url}/_emulator/health", timeout=10).json()["status"] == "ok"
        assert requests.post(f"{base_url}/_emulator/users", json={"email": "cli@example.com"}, timeout=10).status_code == 201
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    assert process.returncode == 0


def test_the_command_answers_as_slowly_as_google_when_asked() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "gcal_emulator", "--port", "0", "--google-latency", "--latency", "page_ms=0,write_ms=35"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        base_url = process.stdout.readline().strip()
        latency = requests.get(f"{base_url}/_emulator/latency", timeout=10).json()
        assert {key: latency[key] for key in GOOGLE} == GOOGLE | {"page_ms": 0, "write_ms": 35}
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def test_the_command_refuses_an_unknown_latency_setting() -> None:
    answer = subprocess.run([sys.executable, "-m", "gcal_emulator", "--port", "0", "--latency", "per_event_ms=3"],
                            capture_output=True, text=True, timeout=60)
    assert answer.returncode == 2 and not answer.stdout
    assert "Unknown latency settings: ['per_event_ms']" in answer.stderr
