"""End to end: a ZooKeeper rolling upgrade as an inventory edit, under write load. The seed
ensemble (node1..node3 voters, nn01 observer) is deployed on 3.8.0; its distribution pointed
at the newest 3.9 release makes `plan` name the upgrade per server and the order, and `deploy`
roll it one server at a time, the leader last: one election, nothing lost. A deploy back to
3.8.0 is then refused and changes nothing. One cluster, one lifecycle; the tests run in file
order."""

from __future__ import annotations

import re
import time

import pytest

from zk_helpers import (Zkctl, ZnodeWriter, epoch, inventory_variant, leader_of, modes,
                        record_case, wait_status)

VOTERS = ("node1", "node2", "node3")
HOSTS = ("node1", "node2", "node3", "nn01")
ZK_PATTERN = r"org\.apache\.zookeeper\.server\.quorum\.QuorumPeerMain"
CLIENTS = "node1:2181,node2:2181,node3:2181"


def version_of(path) -> str:
    """3.9.5 of .../apache-zookeeper-3.9.5-bin.tar.gz."""
    return re.search(r"apache-zookeeper-(\d+\.\d+\.\d+)-bin", str(path)).group(1)


@pytest.fixture(scope="module")
def zku(lab, zk_dist, zk39_dist, zkctl_bin, tmp_path_factory) -> Zkctl:
    lab.reset()
    zk = Zkctl(zkctl_bin, tmp_path_factory.mktemp("zkctl-home"))
    inv = tmp_path_factory.mktemp("inv")
    zk.old = inventory_variant(inv / "seed-3.8.toml", replace={"distribution": f'"{zk_dist}"'})
    zk.new = inventory_variant(inv / "seed-3.9.toml", replace={"distribution": f'"{zk39_dist}"'})
    zk.new_version = version_of(zk39_dist)
    return zk


def versions(status: dict) -> dict[str, str]:
    """Each server's version as its srvr reports it ("3.9.5"), "" when it does not answer."""
    return {n["host"]: (n.get("version") or "").split("-")[0] for n in status["nodes"]}


def in_sync(status: dict) -> bool:
    m = modes(status)
    return (status["quorum"]["ok"] and leader_of(status) is not None
            and m.get("nn01") == "observer"
            and sorted(m[h] for h in VOTERS) == ["follower", "follower", "leader"])


def leader_epoch(status: dict) -> int:
    leader = leader_of(status)
    return epoch(next(n["zxid"] for n in status["nodes"] if n["host"] == leader))


def test_the_seed_ensemble_runs_3_8_0(lab, zku):
    proc = zku.run("deploy", str(zku.old))
    assert proc.returncode == 0, proc.stderr
    status = wait_status(zku, in_sync)
    assert versions(status) == {h: "3.8.0" for h in HOSTS}


def test_plan_names_the_upgrade_per_server_and_the_leader_last(lab, zku):
    _, status = zku.status()
    leader = leader_of(status)
    pids = {h: lab.pid_of(h, ZK_PATTERN) for h in HOSTS}
    proc = zku.run("plan", str(zku.new))
    assert proc.returncode == 0, proc.stderr
    roll = proc.stdout.split("  restart (one at a time, observers, followers, the leader last")[1]
    jobs = []
    for line in roll.splitlines()[1:]:  # the stage's jobs: indented, up to the next stage
        if not line.startswith("    "):
            break
        jobs.append(line.strip())
    assert jobs == [f"{h}: rolling restart (upgrade 3.8.0 -> {zku.new_version})"
                    for h in ["nn01", *[v for v in VOTERS if v != leader], leader]], proc.stdout
    assert {h: lab.pid_of(h, ZK_PATTERN) for h in HOSTS} == pids  # plan changed nothing


def test_rolling_upgrade_under_write_load_elects_once_and_loses_nothing(lab, zku):
    _, status = zku.status()
    leader = leader_of(status)
    epoch_before = leader_epoch(status)
    writer = ZnodeWriter(CLIENTS).start()
    try:
        time.sleep(1)
        proc = zku.run("deploy", str(zku.new), timeout=900)
        time.sleep(1)
    finally:
        writer.stop()
    assert proc.returncode == 0, proc.stderr
    # The roll's progress lines, in order: the observer first, the old leader last.
    order = [m.group(1) for m in re.finditer(r"\[(\S+)\] rolling restart: ok", proc.stderr)]
    assert order[0] == "nn01" and order[-1] == leader and sorted(order) == sorted(HOSTS), \
        proc.stderr
    status = wait_status(zku, in_sync)
    assert versions(status) == {h: zku.new_version for h in HOSTS}
    epoch_after = leader_epoch(status)
    missing = writer.missing("nn01:2181")
    record_case(f"ZooKeeper rolling upgrade 3.8.0 -> {zku.new_version} of the 3+1 ensemble",
                "distribution changed, zkctl deploy",
                f"exit 0, order {' -> '.join(order)}, epoch +{epoch_after - epoch_before}",
                znodes_attempted=writer.attempted, znodes_acknowledged=len(writer.acked),
                client_retries=writer.failed_attempts, znodes_lost=len(missing))
    writer.close()
    assert epoch_after == epoch_before + 1, "more than one election during the upgrade"
    assert len(writer.acked) > 50
    assert missing == []
    verify = zku.run("verify")  # a znode through two upgraded servers
    assert verify.returncode == 0 and "verify: OK" in verify.stdout, verify.stdout


def test_a_downgrade_to_3_8_is_refused_and_changes_nothing(lab, zku):
    pids = {h: lab.pid_of(h, ZK_PATTERN) for h in HOSTS}
    plan = zku.run("plan", str(zku.old))
    proc = zku.run("deploy", str(zku.old))
    assert plan.returncode == 4 and proc.returncode == 4, proc.stderr
    for host in HOSTS:
        line = f"  {host}: downgrade {zku.new_version} -> 3.8.0 goes back to an older minor line"
        assert line in proc.stderr and line in plan.stderr, proc.stderr
    assert "deploy refused; nothing was changed on any host" in proc.stderr
    assert "--force" in proc.stderr
    assert {h: lab.pid_of(h, ZK_PATTERN) for h in HOSTS} == pids
    _, status = zku.status()
    assert versions(status) == {h: zku.new_version for h in HOSTS}
