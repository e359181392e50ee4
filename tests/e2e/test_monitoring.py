"""End to end: the monitoring host. The seed ensemble (3 voters + the observer) with Kafka 3.9
brokers 11 and 12 on node1 and node2, a host agent on every host and Prometheus on nn01
scraping every 2 s. Prometheus is asked through its HTTP API: every target up after deploy;
a broker killed -> KafkaBrokerDown firing within two scrape intervals (and the broker back);
broker 13 added to the inventory and deployed -> scraped without editing anything by hand.
Tests run in file order and share the cluster."""

from __future__ import annotations

import json
import re
import signal
import time
from datetime import datetime
import urllib.request

import pytest

from lab import REPO
from zk_helpers import tail, record_case, with_metrics, Zkctl

SEED_KAFKA = REPO / "inventories" / "seed-kafka.toml"
INTERVAL = 2
PROMETHEUS = "http://nn01:9090"
KAFKA_PATTERN = r"kafka\.Kafka "
MONITORING = f"""
[monitoring]
host = "nn01"
scrape_interval_s = {INTERVAL}
install_dir = "/opt/zkctl-monitoring"
# The lab's hosts share this machine's disk, filled by the build, not by the cluster: the disk
# alert's threshold is set where it cannot fire here (df counts reserved blocks as used).
disk_alert_percent = 99
"""


def api(path: str) -> dict:
    with urllib.request.urlopen(PROMETHEUS + path, timeout=5) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return body["data"]


def targets() -> dict[str, str]:
    """'job instance' -> health of every active target."""
    return {f'{t["labels"]["job"]} {t["labels"]["instance"]}': t["health"]
            for t in api("/api/v1/targets?state=active")["activeTargets"]}


def firing() -> list[dict]:
    return [a["labels"] for a in api("/api/v1/alerts")["alerts"] if a["state"] == "firing"]


def active_at(alertname: str) -> float | None:
    """When Prometheus' rule evaluation first saw the alert's condition (its own clock, the same
    host's), seconds since the epoch; None while it does not fire."""
    for a in api("/api/v1/alerts")["alerts"]:
        if a["labels"]["alertname"] == alertname and a["state"] == "firing":
            return stamp(a["activeAt"])
    return None


def stamp(text: str) -> float:
    """Prometheus' RFC 3339 time (nanoseconds, Z) as seconds since the epoch."""
    return datetime.fromisoformat(re.sub(r"(\.\d{6})\d*", r"\1", text)
                                  .replace("Z", "+00:00")).timestamp()


def rules_evaluated_since(since: float) -> bool:
    """Whether every rule group was evaluated after `since` (Prometheus' clock, this machine's)."""
    groups = api("/api/v1/rules")["groups"]
    return bool(groups) and all(stamp(g["lastEvaluation"]) > since for g in groups)


def all_up(want: set[str]) -> dict[str, str] | None:
    t = targets()
    return t if set(t) == want and all(v == "up" for v in t.values()) else None


def wait_for(what: str, predicate, timeout: float, show=None):
    """predicate() until it is true (returned); on timeout the failure names what `show()` (else
    the last value) says."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except OSError as e:  # Prometheus not answering yet
            last = e
        if last and not isinstance(last, OSError):
            return last
        time.sleep(0.25)
    raise AssertionError(f"{what}: never true; last: {show() if show else last}")


def inventory(tmp, brokers: int, agent):
    text = with_metrics(SEED_KAFKA.read_text(), agent)
    if brokers < 3:
        text, n = re.subn(r'\[\[kafka\.nodes\]\]\nhost = "node3"\nid = 13\n', "", text)
        assert n == 1
    path = tmp / f"monitored-{brokers}.toml"
    path.write_text(text + MONITORING)
    return path


@pytest.fixture(scope="module")
def mon(lab, zk_dist, kafka3_dist, jmx_agent, zkctl_bin, tmp_path_factory):
    lab.reset()
    tmp = tmp_path_factory.mktemp("inventory")
    zk = Zkctl(zkctl_bin, tmp_path_factory.mktemp("zkctl-home-monitoring"))
    yield zk, tmp, jmx_agent
    zk.run("destroy", "--yes", "--purge-data")


def test_deploy_brings_every_target_up(lab, mon):
    zk, tmp, agent = mon
    proc = zk.run("deploy", str(inventory(tmp, 2, agent)))
    assert proc.returncode == 0, tail(proc)
    want = {f"zookeeper {h}:7000" for h in ("node1", "node2", "node3", "nn01")} | \
        {"kafka node1:7071", "kafka node2:7071"} | \
        {f"host {h}:9100" for h in ("node1", "node2", "node3", "nn01")}
    seen = wait_for("every target up", lambda: all_up(want), 60, show=targets)
    assert set(seen) == want
    # The rules are evaluated every scrape interval, apart from the scrapes: an alert that fired
    # while a target was not up yet ends at the first evaluation after every target is.
    up_at = time.time()
    wait_for("the rules evaluated again", lambda: rules_evaluated_since(up_at), 3 * INTERVAL)
    code, status = zk.status()
    assert status["monitoring"]["up"] and status["monitoring"]["targets_up"] == len(want), status
    assert status["monitoring"]["alerts_firing"] == []
    assert f"targets {len(want)}/{len(want)} up, alerts firing: none" in zk.run("status").stdout
    # The Debian unit is not used: zkctl runs Prometheus from its install dir as the service user.
    assert lab.pid_of("nn01", r"--config.file=/opt/zkctl-monitoring/prometheus.yml")


def test_killed_broker_fires_its_alert_within_two_scrapes(lab, mon):
    zk, tmp, agent = mon
    pid = lab.pid_of("node2", KAFKA_PATTERN)
    assert pid
    assert not firing(), firing()
    killed = time.time()
    lab.kill("node2", pid, signal.SIGKILL)
    try:
        alert = wait_for("KafkaBrokerDown", lambda: [a for a in firing()
                                                     if a["alertname"] == "KafkaBrokerDown"], 30,
                         show=firing)
        assert alert[0]["node"] == "node2" and alert[0]["id"] == "12", alert
        # Prometheus' own timestamp, not this test's polling: the first failed scrape comes
        # within one interval of the kill and the next rule evaluation within another.
        took = active_at("KafkaBrokerDown") - killed
        assert took <= 2 * INTERVAL, took
        table = zk.run("status").stdout
        assert "KafkaBrokerDown (node2)" in table, table
        record_case("monitoring: broker killed", "SIGKILL broker 12",
                    f"KafkaBrokerDown firing after {took:.1f} s", scrape_interval_s=INTERVAL)
    finally:
        assert zk.run("start", "node2").returncode == 0
    wait_for("broker back, no alert", lambda: not [a for a in firing()
                                                   if a["alertname"] == "KafkaBrokerDown"]
             and targets().get("kafka node2:7071") == "up", 90)


def test_scale_out_is_scraped_without_editing_anything(lab, mon):
    zk, tmp, agent = mon
    before = lab.pid_of("nn01", r"--config.file=/opt/zkctl-monitoring/prometheus.yml")
    proc = zk.run("deploy", str(inventory(tmp, 3, agent)))
    assert proc.returncode == 0, tail(proc)
    wait_for("broker 13 scraped", lambda: targets().get("kafka node3:7071") == "up", 60)
    # Reloaded (SIGHUP), not restarted.
    assert lab.pid_of("nn01", r"--config.file=/opt/zkctl-monitoring/prometheus.yml") == before


def test_destroy_keeps_the_metrics_history_unless_purged(lab, mon):
    """Prometheus' TSDB lives in the monitoring install dir: destroy without --purge-data removes
    the rest of that dir and keeps the TSDB; --purge-data then removes the dir."""
    zk, tmp, agent = mon
    proc = zk.run("destroy", "--yes")
    assert proc.returncode == 0, tail(proc)
    assert "nn01:/opt/zkctl-monitoring/data (data; --purge-data removes it)" in \
        proc.stdout + proc.stderr, tail(proc)
    left = lab.exec("nn01", ["ls", "-A", "/opt/zkctl-monitoring"], check=True).stdout.split()
    assert sorted(left) == [".zkctl-cluster", "data"], left
    tsdb = lab.exec("nn01", ["ls", "/opt/zkctl-monitoring/data"], check=True).stdout.split()
    assert "wal" in tsdb, tsdb  # the TSDB's write-ahead log is still there
    proc = zk.run("destroy", "--yes", "--purge-data")
    assert proc.returncode == 0, tail(proc)
    gone = lab.exec("nn01", ["test", "-e", "/opt/zkctl-monitoring"])
    assert gone.returncode == 1, "the monitoring dir is still there after --purge-data"
