"""Helpers for the ZooKeeper end-to-end tests: run zkctl, read its JSON, make inventory
variants. Kept apart from lab.py (which knows nothing of zkctl)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

from lab import REPO

SEED = REPO / "inventories" / "seed.toml"


class Zkctl:
    """Runs the zkctl binary with its own state dir ($ZKCTL_HOME)."""

    def __init__(self, binary: Path, home: Path):
        self.binary = binary
        self.env = dict(os.environ, ZKCTL_HOME=str(home), NO_COLOR="1")

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(self.binary), *args], env=self.env, text=True,
                              capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        print(f"$ zkctl {' '.join(args)}  -> exit {proc.returncode}\n{proc.stdout}{proc.stderr}")
        return proc

    def status(self, *args: str) -> tuple[int, dict]:
        proc = self.run("status", "--json", *args)
        return proc.returncode, json.loads(proc.stdout)


def modes(status: dict) -> dict[str, str]:
    return {n["host"]: n["mode"] for n in status["nodes"]}


def leader_of(status: dict) -> str | None:
    leaders = [h for h, m in modes(status).items() if m == "leader"]
    return leaders[0] if len(leaders) == 1 else None


def wait_status(zk: Zkctl, predicate, timeout: float = 60, *args: str) -> dict:
    """Polls `zkctl status --json` until predicate(status) holds; returns that status."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        _, last = zk.status(*args)
        if predicate(last):
            return last
        time.sleep(0.25)
    raise AssertionError(f"status never matched within {timeout}s; last: {json.dumps(last)}")


def inventory_variant(dest: Path, *, replace: dict[str, str] | None = None,
                      append: str = "") -> Path:
    """Copy of seed.toml with `key = ...` lines replaced (first match) and text appended."""
    text = SEED.read_text()
    for key, value in (replace or {}).items():
        text, n = re.subn(rf"(?m)^{re.escape(key)}\s*=.*$", f"{key} = {value}", text, count=1)
        assert n == 1, f"no '{key} =' line in seed.toml"
    dest.write_text(text + append)
    return dest
