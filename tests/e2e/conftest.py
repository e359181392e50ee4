"""pytest plumbing for zkctl's end-to-end tests: the simulated-host lab, the ZooKeeper
distribution fixture and the zkctl binary. The lab needs root (namespaces, a bridge)."""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lab import REPO, SEED_HOSTS, Lab, zookeeper_dist  # noqa: E402


def _lab_unavailable() -> str | None:
    if os.geteuid() != 0:
        return "the lab needs root"
    for tool in ("ip", "unshare", "nsenter", "ssh", "ssh-keygen"):
        if shutil.which(tool) is None:
            return f"{tool} missing (run scripts/setup.sh)"
    if not Path("/usr/sbin/sshd").exists():
        return "/usr/sbin/sshd missing (run scripts/setup.sh)"
    return None


def _skipped_modules() -> set[str]:
    """Modules $ZKCTL_E2E_SKIP names (space or comma separated, `migration` for
    test_migration.py): left out of a run, e.g. to run the rest quicker while working."""
    words = os.environ.get("ZKCTL_E2E_SKIP", "").replace(",", " ").split()
    return {w if w.startswith("test_") else f"test_{w}" for w in words}


def pytest_collection_modifyitems(config, items):
    skipped = _skipped_modules()
    for item in items:
        if item.path.stem in skipped:
            item.add_marker(pytest.mark.skip(reason=f"{item.path.stem} named in ZKCTL_E2E_SKIP"))


def pytest_configure(config):
    # A SIGTERM (CI timeout, kill) must still run the teardown and the atexit hook.
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


@pytest.fixture(scope="session")
def lab():
    """The seed layout node1 node2 node3 nn01, started fresh once per session and always torn
    down at the end (also on failure, KeyboardInterrupt, SIGTERM: atexit as well)."""
    reason = _lab_unavailable()
    if reason:
        pytest.skip(reason)
    # The lab is machine-wide (one bridge, fixed names): a second test run on this machine waits
    # here until the first has torn its lab down.
    lock = open("/run/zkctl-lab.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    the_lab = Lab(SEED_HOSTS)
    atexit.register(the_lab.down)
    try:
        the_lab.up(fresh=True)
        yield the_lab
    finally:
        the_lab.down()
        atexit.unregister(the_lab.down)
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


@pytest.fixture(scope="session")
def zk_dist() -> Path:
    """Path of apache-zookeeper-3.8.0-bin.tar.gz built by tests/fixtures/zookeeper-dist.sh (the
    seed inventory's distribution; the upgrade tests start from it)."""
    return zookeeper_dist("3.8")


@pytest.fixture(scope="session")
def zk39_dist() -> Path:
    """Path of apache-zookeeper-3.9.N-bin.tar.gz (the newest 3.9 release) built by
    tests/fixtures/zookeeper-dist.sh 3.9: the main ZooKeeper cases run on it."""
    return zookeeper_dist("3.9")


@pytest.fixture(scope="session")
def zkctl_bin() -> Path:
    """The zkctl binary under test: $ZKCTL_BIN, default <repo>/build/src/zkctl."""
    path = Path(os.environ.get("ZKCTL_BIN", REPO / "build" / "src" / "zkctl"))
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"zkctl binary not found at {path} (build it or set ZKCTL_BIN)")
    return path


def _kafka_dist(version: str) -> Path:
    import subprocess
    out = subprocess.run([str(REPO / "tests" / "fixtures" / "kafka-dist.sh"), version], check=True,
                         text=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=900)
    return Path(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def jmx_agent() -> Path:
    """The Prometheus JMX exporter agent jar ([metrics] jmx_agent) fetched by
    tests/fixtures/jmx-agent.sh."""
    import subprocess
    out = subprocess.run([str(REPO / "tests" / "fixtures" / "jmx-agent.sh")], check=True, text=True,
                         capture_output=True, stdin=subprocess.DEVNULL, timeout=900)
    return Path(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def kafka3_dist() -> Path:
    """Kafka 3.9.x tarball (ZooKeeper mode) built by tests/fixtures/kafka-dist.sh."""
    return _kafka_dist("3.9")


@pytest.fixture(scope="session")
def kafka_older_dist() -> Path:
    """An older Kafka 3.x tarball (3.8.1, ZooKeeper mode) built by tests/fixtures/kafka-dist.sh:
    the Kafka upgrade tests start from it (tests/e2e/test_upgrade.py)."""
    return _kafka_dist("3.8.1")


@pytest.fixture(scope="session")
def kafka4_dist() -> Path:
    """Kafka 4.x tarball (KRaft) built by tests/fixtures/kafka-dist.sh."""
    return _kafka_dist("4")


_MODULE_SECONDS: dict[str, float] = {}


# On each lab host: the last errors and warnings (not the replica fetchers' routine "marked as
# failed") of every Kafka and ZooKeeper log zkctl's installs write (<install>/logs).
_LOG_TAILS = r"""
for f in /opt/*/logs/server.log /opt/*/logs/controller.log /opt/*/logs/zookeeper*.log \
         /opt/*/logs/zookeeper*.out; do
  [ -f "$f" ] || continue
  errors=$(grep -E ' (ERROR|FATAL) ' "$f" | tail -n 10)
  warnings=$(grep -E ' WARN ' "$f" | grep -v 'marked as failed' | tail -n 5)
  [ -n "$errors$warnings" ] && printf '== %s\n%s\n%s\n' "$f" "$errors" "$warnings"
done
exit 0
"""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed case that used the lab gets the hosts' recent log warnings and errors in its
    report: a CI run shows why a broker or server did not come back, not only that."""
    outcome = yield
    report = outcome.get_result()
    lab = item.funcargs.get("lab") if hasattr(item, "funcargs") else None
    if report.when != "call" or not report.failed or lab is None:
        return
    tails = []
    for name in list(lab.names):
        try:
            out = lab.exec(name, ["sh", "-c", _LOG_TAILS], timeout=20).stdout
        except Exception as e:  # noqa: BLE001 - a report must not fail
            out = f"(unreadable: {e})\n"
        if out.strip():
            tails.append(f"--- {name}\n{out}")
    if tails:
        report.sections.append(("lab log warnings and errors at the failure", "".join(tails)))


def pytest_runtest_logreport(report):
    """Sums each module's setup, call and teardown time (the suite's budget is per module)."""
    module = report.nodeid.split("::")[0]
    _MODULE_SECONDS[module] = _MODULE_SECONDS.get(module, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    """Each module's time, then the fault cases' numbers, one line each
    (zk_helpers.record_case)."""
    from zk_helpers import CASES
    if _MODULE_SECONDS:
        terminalreporter.section("time per module")
        for module, secs in sorted(_MODULE_SECONDS.items(), key=lambda kv: -kv[1]):
            terminalreporter.write_line(f"{secs:7.1f} s  {module}")
    if not CASES:
        return
    terminalreporter.section("fault cases: what was injected, what zkctl reported, writes")
    for c in CASES:
        counts = ", ".join(f"{k} {v}" for k, v in c.items()
                           if k not in ("case", "injected", "reported"))
        terminalreporter.write_line(f"{c['case']}: injected {c['injected']}; zkctl: "
                                    f"{c['reported']}; {counts}")
