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
        self.home = home
        self.env = dict(os.environ, ZKCTL_HOME=str(home), NO_COLOR="1")

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(self.binary), *args], env=self.env, text=True,
                              capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        print(f"$ zkctl {' '.join(args)}  -> exit {proc.returncode}\n{proc.stdout}{proc.stderr}")
        return proc

    def status(self, *args: str) -> tuple[int, dict]:
        proc = self.run("status", "--json", *args)
        return proc.returncode, json.loads(proc.stdout)


def security_phase(zk: Zkctl, cluster: str) -> dict:
    """The security on-ramp's local record of `cluster` (phase, rolling_to, ...), {} before one."""
    path = zk.home / "clusters" / cluster / "security-phase"
    return json.loads(path.read_text()) if path.exists() else {}


def deploy_in_background(zk: Zkctl, name: str) -> tuple[subprocess.Popen, Path]:
    """`zkctl deploy` of `zk.inventory`, its output going to zk.tmp/deploy-NAME.log (never a
    full pipe)."""
    log = zk.tmp / f"deploy-{name}.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(zk.binary), "deploy", str(zk.inventory)], env=zk.env,
                                text=True, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    return proc, log


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
                      append: str = "", base: Path = SEED) -> Path:
    """Copy of `base` (seed.toml) with `key = ...` lines replaced (first match) and text
    appended."""
    text = base.read_text()
    for key, value in (replace or {}).items():
        text, n = re.subn(rf"(?m)^{re.escape(key)}\s*=.*$", f"{key} = {value}", text, count=1)
        assert n == 1, f"no '{key} =' line in {base.name}"
    dest.write_text(text + append)
    return dest


class ZnodeWriter:
    """A real ZooKeeper client (kazoo) writing sequenced znodes in a background thread, the
    way an application would: each write is retried until acknowledged or the writer stops.
    Records every acknowledged sequence number and every failed attempt."""

    def __init__(self, hosts: str, root: str = "/zkctl-load", client_args: dict | None = None):
        import threading

        from kazoo.client import KazooClient
        from kazoo.retry import KazooRetry

        self.root = root
        self.client_args = client_args or {}  # TLS: use_ssl, ca, certfile, keyfile
        self.client = KazooClient(hosts=hosts, timeout=10.0, **self.client_args,
                                  connection_retry=KazooRetry(max_tries=-1, delay=0.1,
                                                              max_delay=1.0))
        self.client.start(timeout=15)
        self.client.ensure_path(root)
        self.acked: list[int] = []
        self.failed_attempts = 0
        self.attempted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "ZnodeWriter":
        self._thread.start()
        return self

    def _run(self) -> None:
        seq = 0
        while not self._stop.is_set():
            seq += 1
            self.attempted += 1
            while not self._stop.is_set():
                try:
                    self.client.create(f"{self.root}/n-{seq:08d}", str(seq).encode())
                    self.acked.append(seq)
                    break
                except Exception as e:  # noqa: BLE001 - any failure is retried and counted
                    from kazoo.exceptions import NodeExistsError
                    if isinstance(e, NodeExistsError):  # acked, but the ack was lost
                        self.acked.append(seq)
                        break
                    self.failed_attempts += 1
                    time.sleep(0.05)
            time.sleep(0.01)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def missing(self, hosts: str) -> list[int]:
        """Acknowledged sequence numbers not readable through `hosts` (after a sync)."""
        from kazoo.client import KazooClient
        reader = KazooClient(hosts=hosts, timeout=10.0, **self.client_args)
        reader.start(timeout=15)
        try:
            reader.sync(self.root)
            present = {int(n.split("-")[1]) for n in reader.get_children(self.root)}
        finally:
            reader.stop()
            reader.close()
        return sorted(set(self.acked) - present)

    def close(self) -> None:
        self.client.stop()
        self.client.close()


def epoch(zxid: str) -> int:
    """The election epoch: the high 32 bits of a zxid; it grows by one per election."""
    return int(zxid, 16) >> 32


# Every fault case's numbers, printed as one table at the end of the run (conftest.py).
CASES: list[dict] = []


def record_case(case: str, injected: str, reported: str, **counts: int) -> None:
    """Records one fault case: what was injected, what zkctl reported, and the client's
    counts (writes/messages attempted, acknowledged, lost)."""
    CASES.append({"case": case, "injected": injected, "reported": reported, **counts})


def with_metrics(text: str, agent: Path) -> str:
    """Inventory `text` with a [metrics] table naming the JMX exporter agent jar, so every Kafka
    node runs it, and on a secure cluster every ZooKeeper server (on an open one ZooKeeper's own
    provider serves)."""
    return text + f'\n[metrics]\njmx_agent = "{agent}"\n'


def scrape(url: str, context=None, timeout: float = 10) -> dict[str, list[tuple[str, float]]]:
    """The samples of a Prometheus text page: metric name -> [(labels, value)]."""
    import urllib.request
    with urllib.request.urlopen(url, timeout=timeout, context=context) as r:
        text = r.read().decode()
    out: dict[str, list[tuple[str, float]]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)", line)
        if m:
            out.setdefault(m.group(1), []).append((m.group(2) or "", float(m.group(3))))
    return out


def tail(proc: subprocess.CompletedProcess, lines: int = 60) -> str:
    """The last `lines` lines of a run's output, for an assertion's message: a CI report shows
    the head of each failure, and a whole deploy's progress would push out where it ended."""
    text = ((proc.stdout or "") + (proc.stderr or "")).rstrip("\n").split("\n")
    cut = len(text) - lines
    return ("[%d earlier lines cut]\n" % cut if cut > 0 else "") + "\n".join(text[-lines:])
