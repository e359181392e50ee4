"""End to end: scaling the seed ensemble out and in with `zkctl deploy`, on real servers,
while a real client keeps writing sequenced znodes (nothing acknowledged may be lost).
node4 joins as a fifth server (voter, id 5), is made the leader, and is taken out again;
going below 3 voters is refused without --force. The tests run in file order."""

from __future__ import annotations

import time

import pytest

from zk_helpers import (SEED, Zkctl, ZnodeWriter, inventory_variant, leader_of, modes, record_case,
                        wait_status)

ZK_PATTERN = r"org\.apache\.zookeeper\.server\.quorum\.QuorumPeerMain"
NODE4 = '\n[[zookeeper.servers]]\nhost = "node4"\nid = 5\n'
WRITE_THROUGH = "node1:2181,node2:2181,node3:2181"


@pytest.fixture(scope="module")
def zks(lab, zk_dist, zkctl_bin, tmp_path_factory) -> Zkctl:
    lab.reset()
    lab.add_hosts("node4")
    lab.reset(["node4"])
    zk = Zkctl(zkctl_bin, tmp_path_factory.mktemp("zkctl-home-scaling"))
    proc = zk.run("deploy", str(SEED))
    assert proc.returncode == 0, proc.stderr
    return zk


@pytest.fixture(scope="module")
def writer(zks):
    w = ZnodeWriter(WRITE_THROUGH, root="/zkctl-scaling").start()
    yield w
    w.stop()
    w.close()


def zoo_cfg(lab, host: str) -> str:
    return lab.read_file(host, "/opt/zookeeper/conf/zoo.cfg")


def test_adding_a_voter_brings_it_up_and_rolls_every_member(lab, zks, writer, tmp_path):
    pids_before = {h: lab.pid_of(h, ZK_PATTERN) for h in ("node1", "node2", "node3", "nn01")}
    inv = inventory_variant(tmp_path / "five.toml", append=NODE4)
    plan = zks.run("plan", str(inv))
    assert plan.returncode == 0 and "node4 (zookeeper): start" in plan.stdout
    proc = zks.run("deploy", str(inv))
    assert proc.returncode == 0, proc.stderr
    assert "4 voters tolerate no more failures than 3" in proc.stderr  # even: a warning
    assert "started 1, restarted 4" in proc.stdout
    code, status = zks.status()
    assert code == 0 and status["quorum"]["voters"] == 4 and status["quorum"]["majority"] == 3
    assert modes(status)["node4"] in ("leader", "follower")
    for h in ("node1", "node2", "node3", "nn01", "node4"):
        assert "server.5=node4:2888:3888" in zoo_cfg(lab, h)
        assert lab.pid_of(h, ZK_PATTERN) != pids_before.get(h)  # every member restarted


def test_removing_the_leader_hands_leadership_over_then_stops_it(lab, zks, writer, tmp_path):
    five = inventory_variant(tmp_path / "five.toml", append=NODE4)
    # Make node4 the leader: restart whoever leads until node4 wins (highest id, same zxid).
    for _ in range(3):
        _, status = zks.status()
        if leader_of(status) == "node4":
            break
        assert zks.run("restart", leader_of(status)).returncode == 0
    _, status = zks.status()
    assert leader_of(status) == "node4", status
    assert zks.run("deploy", str(five)).returncode == 0  # in sync: nothing to do
    proc = zks.run("deploy", str(SEED))
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr
    assert "[node4] move leadership: ok" in err
    # node4 leaves last: after every remaining member runs the new membership.
    assert err.index("[node4] stop removed node: ok") > max(
        err.index(f"[{h}] rolling restart: ok") for h in ("node1", "node2", "node3", "nn01"))
    assert "removed 1" in proc.stdout
    assert lab.pid_of("node4", ZK_PATTERN) is None
    assert lab.exec("node4", "test -f /var/lib/zookeeper/myid").returncode == 0  # data kept
    code, status = zks.status()
    assert code == 0 and status["quorum"]["voters"] == 3 and leader_of(status) != "node4"
    for h in ("node1", "node2", "node3", "nn01"):
        assert "node4" not in zoo_cfg(lab, h)
    # The record follows: a second deploy of the seed changes nothing.
    again = zks.run("deploy", str(SEED))
    assert again.returncode == 0 and "restarted 0" in again.stdout and "removed" not in again.stdout


def test_going_below_three_voters_is_refused_without_force(lab, zks, writer, tmp_path):
    text = SEED.read_text()
    two = tmp_path / "two.toml"
    two.write_text(text.replace('[[zookeeper.servers]]\nhost = "node3"\nid = 3\n\n', ""))
    assert "node3" not in two.read_text().split("[[zookeeper.servers]]", 1)[1]
    pid = lab.pid_of("node3", ZK_PATTERN)
    proc = zks.run("deploy", str(two))
    assert proc.returncode == 4, proc.stderr
    assert "removing 1 voter(s) leaves 2 (fewer than 3" in proc.stderr
    assert "nothing was changed" in proc.stderr
    assert lab.pid_of("node3", ZK_PATTERN) == pid
    assert "server.3=node3" in zoo_cfg(lab, "node1")
    assert zks.run("plan", str(two)).returncode == 4


def test_no_acknowledged_write_was_lost_while_scaling(zks, writer):
    time.sleep(1)
    writer.stop()
    wait_status(zks, lambda s: s["quorum"]["ok"])
    missing = writer.missing("nn01:2181")
    print(f"scaling: writes attempted {writer.attempted}, acknowledged {len(writer.acked)}, "
          f"client retries {writer.failed_attempts}, lost {len(missing)}")
    record_case("scale out to 5 (node4 voter) and back in, node4 leading", "deploy with node4 "
                "added, then removed", "exit 0 both; leadership handed over; <3 voters refused",
                znodes_attempted=writer.attempted, znodes_acknowledged=len(writer.acked),
                znodes_lost=len(missing))
    assert len(writer.acked) > 100
    assert missing == []


def test_a_data_dir_of_another_cluster_or_history_is_refused(lab, zks, tmp_path):
    # node4 left the ensemble with its data kept (marked as cluster "seed").
    assert lab.read_file("node4", "/var/lib/zookeeper/.zkctl-cluster").strip() == "seed"
    other = tmp_path / "other.toml"
    other.write_text(SEED.read_text().replace('name = "seed"', 'name = "other"').split(
        "\n[[zookeeper.servers]]\n")[0] + NODE4)
    proc = zks.run("deploy", str(other))
    assert proc.returncode == 5, proc.stderr
    assert ("node4: data dir /var/lib/zookeeper belongs to cluster 'seed', not 'other'"
            in proc.stderr)
    assert lab.pid_of("node4", ZK_PATTERN) is None
    # Unmarked data whose history is ahead of the running ensemble (another ensemble's).
    lab.exec("node4", "rm /var/lib/zookeeper/.zkctl-cluster && "
                      "echo 999 > /var/lib/zookeeper/version-2/currentEpoch", check=True)
    five = inventory_variant(tmp_path / "five.toml", append=NODE4)
    proc = zks.run("deploy", str(five))
    assert proc.returncode == 5, proc.stderr
    assert "node4: data dir /var/lib/zookeeper has epoch 999, ahead of the running" in proc.stderr
    assert lab.pid_of("node4", ZK_PATTERN) is None
    assert "node4" not in zoo_cfg(lab, "node1")  # nothing changed anywhere
