"""End to end: [java] (a pushed JDK) and [service] (launcher, service user) on the simulated
hosts. Every host's system java is hidden (an empty tmpfs over /usr/lib/jvm in the host's
own mount namespace, so /usr/bin/java dangles), a service user is created on the machine (the
hosts share its /etc/passwd), and the seed ensemble must run on the JDK zkctl pushes, as that
user. The tests run in file order and share one ensemble."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lab import REPO
from zk_helpers import Zkctl, inventory_variant, modes, wait_status

HOSTS = ("node1", "node2", "node3", "nn01")
ZK_PATTERN = r"org\.apache\.zookeeper\.server\.quorum\.QuorumPeerMain"
USER = "zkctl-svc"
UNIT = Path("/etc/systemd/system/zkctl-seed-zookeeper.service")


@pytest.fixture(scope="module")
def jdk_dist() -> Path:
    out = subprocess.run([str(REPO / "tests" / "fixtures" / "jdk-dist.sh")], check=True,
                         text=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=600)
    return Path(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def svc(lab, zk_dist, zkctl_bin, tmp_path_factory):
    lab.reset(HOSTS)
    created = subprocess.run(["id", "-u", USER], capture_output=True).returncode != 0
    if created:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        USER], check=True)
    for host in HOSTS:
        lab.exec(host, "mountpoint -q /usr/lib/jvm || mount -t tmpfs -o mode=755,size=1m "
                       "zkctl-nojava /usr/lib/jvm", check=True)
    try:
        yield Zkctl(zkctl_bin, tmp_path_factory.mktemp("zkctl-home"))
    finally:
        lab.reset(HOSTS)
        for host in HOSTS:
            lab.exec(host, "! mountpoint -q /usr/lib/jvm || umount /usr/lib/jvm")
        if created:
            subprocess.run(["userdel", USER], check=False)


def variant(tmp_path: Path, text: str) -> Path:
    return inventory_variant(tmp_path / "inv.toml", append="\n" + text)


def test_hosts_have_no_usable_java(lab, svc):
    for host in HOSTS:
        proc = lab.ssh(host, "command -v java || java -version")
        assert proc.returncode != 0, (host, proc.stdout, proc.stderr)


def test_systemd_launcher_on_hosts_without_systemd_fails_preflight(lab, svc, jdk_dist, tmp_path):
    inv = variant(tmp_path, f'[service]\nlauncher = "systemd"\n[java]\ndistribution = "{jdk_dist}"\n')
    proc = svc.run("deploy", str(inv))
    assert proc.returncode == 5, proc.stderr
    assert "nothing was changed" in proc.stderr
    for host in HOSTS:
        assert (f"{host}: launcher = \"systemd\" but PID 1 on this host is 'sshd', not systemd"
                in proc.stderr), proc.stderr
        assert lab.exec(host, "ls -A /opt /var/lib/zookeeper").stdout.split() == \
            ["/opt:", "/var/lib/zookeeper:"], host
    assert not UNIT.exists()


def test_without_a_pushed_jdk_preflight_names_the_missing_java(lab, svc, tmp_path):
    inv = variant(tmp_path, f'[service]\nuser = "{USER}"\n')
    proc = svc.run("deploy", str(inv))
    assert proc.returncode == 5, proc.stderr
    for host in HOSTS:
        assert f"{host}: java not found in PATH" in proc.stderr, proc.stderr
    assert "[java] distribution" in proc.stderr
    for host in HOSTS:
        assert lab.exec(host, "ls -A /opt").stdout.strip() == "", host


def test_unknown_service_user_fails_preflight(lab, svc, jdk_dist, tmp_path):
    inv = variant(tmp_path, f'[service]\nuser = "zkctl-nobody"\n[java]\ndistribution = "{jdk_dist}"\n')
    proc = svc.run("deploy", str(inv))
    assert proc.returncode == 5, proc.stderr
    assert "service user 'zkctl-nobody' does not exist" in proc.stderr, proc.stderr


def jdk_inventory(tmp_path: Path, jdk: Path) -> Path:
    return variant(tmp_path, f'[service]\nuser = "{USER}"\n[java]\ndistribution = "{jdk}"\n')


def test_ensemble_runs_on_the_pushed_jdk_as_the_service_user(lab, svc, jdk_dist, tmp_path):
    inv = jdk_inventory(tmp_path, jdk_dist)
    proc = svc.run("deploy", str(inv))
    assert proc.returncode == 0, proc.stderr
    assert "started 4" in proc.stdout, proc.stdout
    for host in HOSTS:
        assert f"[{host}] upload jdk: ok" in proc.stderr, proc.stderr
    st = wait_status(svc, lambda s: sorted(modes(s).values()) ==
                     ["follower", "follower", "leader", "observer"], 60)
    assert st
    for host in HOSTS:
        pid = lab.pid_of(host, ZK_PATTERN)
        assert pid, host
        exe = lab.exec(host, ["readlink", f"/proc/{pid}/exe"], check=True).stdout.strip()
        assert exe.startswith("/opt/zookeeper/java/releases/") and exe.endswith("/bin/java"), \
            (host, exe)
        user = lab.exec(host, ["ps", "-o", "user=", "-p", str(pid)], check=True).stdout.strip()
        assert user == USER, (host, user)
        env = lab.read_file(host, "/opt/zookeeper/conf/zookeeper-env.sh")
        assert "export JAVA_HOME=/opt/zookeeper/java/current\n" in env
        stats = lab.exec(host, ["stat", "-c", "%n %a %U",
                                "/opt/zookeeper/conf/zoo.cfg",
                                "/opt/zookeeper/conf/zookeeper-env.sh",
                                "/var/lib/zookeeper/myid",
                                "/var/lib/zookeeper",
                                "/var/lib/zookeeper/version-2",
                                "/opt/zookeeper/logs"], check=True).stdout.split("\n")
        assert stats[:3] == [f"/opt/zookeeper/conf/zoo.cfg 644 {USER}",
                             f"/opt/zookeeper/conf/zookeeper-env.sh 644 {USER}",
                             f"/var/lib/zookeeper/myid 644 {USER}"], (host, stats)
        for line in stats[3:6]:
            assert line.endswith(f" {USER}"), (host, line)


def test_rerun_uploads_nothing_and_restart_keeps_jdk_and_user(lab, svc, jdk_dist, tmp_path):
    inv = jdk_inventory(tmp_path, jdk_dist)
    before = {h: lab.pid_of(h, ZK_PATTERN) for h in HOSTS}
    proc = svc.run("deploy", str(inv))
    assert proc.returncode == 0, proc.stderr
    assert "uploaded to 0, configs changed on 0, started 0, restarted 0" in proc.stdout, \
        proc.stdout
    for host in HOSTS:
        assert f"[{host}] upload jdk" not in proc.stderr, proc.stderr  # not planned at all
    assert {h: lab.pid_of(h, ZK_PATTERN) for h in HOSTS} == before

    proc = svc.run("restart", "node1")
    assert proc.returncode == 0, proc.stderr
    pid = lab.pid_of("node1", ZK_PATTERN)
    assert pid and pid != before["node1"]
    assert lab.exec("node1", ["ps", "-o", "user=", "-p", str(pid)]).stdout.strip() == USER
    exe = lab.exec("node1", ["readlink", f"/proc/{pid}/exe"]).stdout.strip()
    assert exe.startswith("/opt/zookeeper/java/releases/"), exe


def test_changing_the_service_user_restarts_every_server_as_the_new_one(lab, svc, jdk_dist,
                                                                         tmp_path):
    # Same configs, another user (root): nothing to write, but every server must restart.
    inv = variant(tmp_path, f'[java]\ndistribution = "{jdk_dist}"\n')
    plan = svc.run("plan", str(inv))
    assert plan.returncode == 0 and plan.stdout.count("(zookeeper): restart") == 4, plan.stdout
    proc = svc.run("deploy", str(inv))
    assert proc.returncode == 0, proc.stderr
    assert "restarted 4" in proc.stdout, proc.stdout
    for host in HOSTS:
        pid = lab.pid_of(host, ZK_PATTERN)
        assert lab.exec(host, ["ps", "-o", "user=", "-p", str(pid)]).stdout.strip() == "root"
    again = svc.run("deploy", str(inv))
    assert again.returncode == 0 and "restarted 0" in again.stdout, again.stdout
