"""Fault injection on the simulated hosts, real processes: a leader killed in the middle of a
rolling restart, a host cut off, the SSH connection killed in the middle of a deploy. A real
client keeps writing sequenced znodes through the faults; nothing acknowledged may be lost."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from zk_helpers import (SEED, Zkctl, ZnodeWriter, inventory_variant, leader_of, modes, record_case,
                        wait_status)

HOSTS = ("node1", "node2", "node3", "nn01")
VOTERS = ("node1", "node2", "node3")
ZK_PATTERN = r"org\.apache\.zookeeper\.server\.quorum\.QuorumPeerMain"


@pytest.fixture(scope="module")
def zk(lab, zk_dist, zkctl_bin, tmp_path_factory) -> Zkctl:
    lab.reset(HOSTS)
    return Zkctl(zkctl_bin, tmp_path_factory.mktemp("zkctl-home-faults"))


def test_ssh_connection_killed_mid_upload_leaves_no_half_written_file(lab, zk, zk_dist, tmp_path):
    # A distribution big enough that the upload takes a while: the real one plus padding.
    big = tmp_path / "apache-zookeeper-3.8.0-bin.tar.gz"
    subprocess.run(f"set -e; cd {tmp_path}; mkdir x; tar -xzf {zk_dist} -C x; "
                   f"head -c 150000000 /dev/urandom > x/apache-zookeeper-3.8.0-bin/lib/padding.bin; "
                   f"tar -czf {big} -C x apache-zookeeper-3.8.0-bin; rm -rf x",
                   shell=True, check=True)
    inv = inventory_variant(tmp_path / "big.toml", replace={"distribution": f'"{big}"'})
    # A running ensemble under write load: the big distribution is an upgrade of it.
    assert zk.run("deploy", str(SEED)).returncode == 0
    writer = ZnodeWriter("node1:2181,node2:2181,node3:2181", root="/zkctl-faults-ssh").start()
    # On nn01: as soon as the upload's temp file appears, kill every sshd session (the
    # connection zkctl uses), not the listening sshd (PID 1).
    watcher = subprocess.Popen(
        [str(lab_sh()), "exec", "nn01", "--", "sh", "-c",
         "end=$(( $(date +%s) + 60 )); "
         "while [ $(date +%s) -lt $end ]; do "
         "  for f in /opt/zookeeper/releases/.*zkctl-tmp*; do [ -e \"$f\" ] && break 2; done; "
         "done; "
         "for d in /proc/[0-9]*; do p=${d#/proc/}; [ \"$p\" = 1 ] && continue; "
         "  case $(tr '\\0' ' ' < $d/cmdline 2>/dev/null) in 'sshd: root'*) kill -9 $p;; esac; done; "
         "echo killed"],
        stdout=subprocess.PIPE, text=True)
    proc = zk.run("deploy", str(inv))
    out, _ = watcher.communicate(timeout=90)
    assert "killed" in out
    assert proc.returncode == 1, proc.stderr
    assert "nn01" in proc.stderr.split("deploy failed:")[1]
    # Whole or absent: no `current` pointing at a partial unpack, no partial config.
    current = lab.exec("nn01", "test -e /opt/zookeeper/current")
    if current.returncode == 0:
        assert lab.exec("nn01", "test -f /opt/zookeeper/current/.zkctl-release && "
                                "test -x /opt/zookeeper/current/bin/zkServer.sh").returncode == 0
    cfg = lab.exec("nn01", "cat /opt/zookeeper/conf/zoo.cfg")
    assert cfg.returncode != 0 or "server.4=nn01:2888:3888:observer" in cfg.stdout
    # The other hosts went on; a rerun completes and leaves no temp file behind.
    proc = zk.run("deploy", str(inv))
    assert proc.returncode == 0, proc.stderr
    assert lab.exec("nn01", "ls -a /opt/zookeeper/releases | grep -c zkctl-tmp").stdout.strip() == "0"
    code, status = zk.status()
    assert code == 0 and modes(status)["nn01"] == "observer"
    writer.stop()
    missing = writer.missing("nn01:2181")
    print(f"sshd session killed mid-upload: writes attempted {writer.attempted}, acknowledged "
          f"{len(writer.acked)}, client retries {writer.failed_attempts}, lost {len(missing)}")
    record_case("sshd session killed mid-deploy (upload)", "kill -9 of nn01's sshd sessions",
                "deploy exit 1 naming nn01; nothing half-written; rerun exit 0",
                znodes_attempted=writer.attempted, znodes_acknowledged=len(writer.acked),
                znodes_lost=len(missing))
    writer.close()
    assert len(writer.acked) > 50 and missing == []


def lab_sh():
    from lab import LAB_SH
    return LAB_SH


def test_leader_killed_during_a_rolling_restart_stops_the_roll_and_a_rerun_completes(lab, zk):
    _, status = zk.status()
    leader = leader_of(status)
    writer = ZnodeWriter("node1:2181,node2:2181,node3:2181").start()
    try:
        roll = subprocess.Popen([str(zk.binary), "restart", "--wait-timeout", "15"], env=zk.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Kill the leader as soon as the roll has moved past the observer.
        deadline = time.monotonic() + 60
        seen = ""
        while time.monotonic() < deadline:
            line = roll.stderr.readline()
            seen += line
            if "[nn01] restart: ok" in line or not line:
                break
        lab.kill(leader, lab.pid_of(leader, ZK_PATTERN), signal.SIGKILL)
        out, err = roll.communicate(timeout=180)
        err = seen + err
        print(err)
        # The ensemble elects a new leader from the two voters left.
        wait_status(zk, lambda s: s["quorum"]["ok"], 30)
        assert zk.run("start", leader).returncode == 0
        # The roll either stopped with a report of where, or adapted and finished.
        if roll.returncode != 0:
            assert "rolling restart of seed stopped at" in err and "re-running is safe" in err
        proc = zk.run("restart")
        assert proc.returncode == 0, proc.stderr
        time.sleep(1)
    finally:
        writer.stop()
    code, status = zk.status()
    assert code == 0
    missing = writer.missing("nn01:2181")
    print(f"writes attempted {writer.attempted}, acknowledged {len(writer.acked)}, "
          f"client retries {writer.failed_attempts}, lost {len(missing)}")
    record_case("leader killed during a rolling restart", f"SIGKILL of leader {leader}",
                f"roll exit {roll.returncode}; quorum back; rerun exit 0",
                znodes_attempted=writer.attempted, znodes_acknowledged=len(writer.acked),
                znodes_lost=len(missing))
    writer.close()
    assert missing == []


def test_a_cut_off_voter_is_down_and_a_restart_that_would_break_the_majority_is_refused(lab, zk):
    _, status = zk.status()
    cut = next(h for h in VOTERS if modes(status)[h] == "follower")
    other = next(h for h in VOTERS if h != cut)
    writer = ZnodeWriter(",".join(f"{h}:2181" for h in VOTERS if h != cut),
                         root="/zkctl-faults-cut").start()
    time.sleep(1)
    lab.link_down(cut)
    try:
        t0 = time.monotonic()
        code, status = zk.status("--probe-timeout", "1000", "--connect-timeout", "2")
        elapsed = time.monotonic() - t0
        print(f"status with {cut} cut off: {elapsed:.2f}s")
        assert modes(status)[cut] == "down" and code == 7  # 2 of 3 serve: degraded
        assert status["quorum"]["ok"] and status["quorum"]["problems"] == [f"{cut} down"]
        locked = zk.run("restart", other, "--connect-timeout", "2", "--probe-timeout", "1000")
        assert locked.returncode == 6, locked.stderr  # the cut-off host cannot be locked
        assert f"cannot lock cluster seed on {cut}" in locked.stderr
        proc = zk.run("restart", other, "--connect-timeout", "2", "--probe-timeout", "1000",
                      "--no-lock")
        assert proc.returncode == 4, proc.stderr
        assert "would leave 1 of 3 voters serving" in proc.stderr
    finally:
        lab.link_up(cut)
    wait_status(zk, lambda s: s["quorum"]["voters_serving"] == 3, 60)
    time.sleep(1)
    writer.stop()
    missing = writer.missing(f"{cut}:2181")  # read back through the host that was cut off
    print(f"{cut} cut off: writes attempted {writer.attempted}, acknowledged "
          f"{len(writer.acked)}, client retries {writer.failed_attempts}, lost {len(missing)}")
    record_case("one voter cut off", f"link of {cut} down",
                f"status: {cut} down in {elapsed:.1f}s, exit 7 (degraded); restart {other}: lock refused "
                f"(exit 6), with --no-lock refused (exit 4)",
                znodes_attempted=writer.attempted, znodes_acknowledged=len(writer.acked),
                znodes_lost=len(missing))
    writer.close()
    assert len(writer.acked) > 20 and missing == []
