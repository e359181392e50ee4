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


# A pass-through secret (util::is_secret_key): zoo.cfg must become 0640 root:<USER's group>.
# (Not an ssl.* key: those come from [security] and [zookeeper.config] refuses them.)
SECRET_KEY = '"DigestAuthenticationProvider.superDigest" = "s3cret-pass"'


def jdk_inventory(tmp_path: Path, jdk: Path) -> Path:
    return inventory_variant(tmp_path / "inv.toml",
                             replace={'"autopurge.purgeInterval"': "24\n" + SECRET_KEY},
                             append=f'\n[service]\nuser = "{USER}"\n[java]\n'
                                    f'distribution = "{jdk}"\n')


def group_of(user: str) -> str:
    return subprocess.run(["id", "-gn", user], check=True, capture_output=True,
                          text=True).stdout.strip()


def as_service(lab, host: str, script: str) -> subprocess.CompletedProcess:
    """`script` run on `host` by the service account (a hostile one, in the tests below)."""
    return lab.exec(host, ["setpriv", f"--reuid={USER}", f"--regid={group_of(USER)}",
                           "--init-groups", "--", "sh", "-c", script])


def modes_of(lab, host: str, *paths: str) -> list[str]:
    return lab.exec(host, ["stat", "-c", "%n %a %U %G", *paths], check=True).stdout.splitlines()


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
        group = group_of(USER)
        stats = modes_of(lab, host, "/opt/zookeeper/conf/zoo.cfg",
                         "/opt/zookeeper/conf/zookeeper-env.sh",
                         "/opt/zookeeper/conf/log4j.properties",
                         "/opt/zookeeper/conf", "/opt/zookeeper",
                         "/var/lib/zookeeper/myid", "/var/lib/zookeeper/.zkctl-cluster",
                         "/var/lib/zookeeper", "/var/lib/zookeeper/version-2",
                         "/opt/zookeeper/logs")
        # Root owns what root sources or reads as configuration; zoo.cfg holds a secret:
        # readable by the service's group only. The data and logs are the service's.
        assert stats[:5] == [f"/opt/zookeeper/conf/zoo.cfg 640 root {group}",
                             "/opt/zookeeper/conf/zookeeper-env.sh 644 root root",
                             "/opt/zookeeper/conf/log4j.properties 644 root root",
                             "/opt/zookeeper/conf 755 root root",
                             "/opt/zookeeper 755 root root"], (host, stats)
        assert stats[5:7] == [f"/var/lib/zookeeper/myid 644 {USER} {group}",
                              f"/var/lib/zookeeper/.zkctl-cluster 644 {USER} {group}"], stats
        for line in stats[7:]:
            assert line.endswith(f" {USER} {group}"), (host, line)
        # zkctl's configs never enable dynamic reconfig: ZooKeeper writes nothing into its
        # root-owned conf dir (no zoo.cfg.dynamic.*, no zoo.cfg.bak), so it needs no write there.
        conf = lab.exec(host, ["ls", "-A", "/opt/zookeeper/conf"], check=True).stdout.split()
        assert not [n for n in conf if n.startswith("zoo.cfg.")], (host, conf)


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


def test_a_hostile_service_account_gains_nothing(lab, svc, jdk_dist, tmp_path):
    """Whoever holds the service account rewrites what it can and plants links in the
    data dir it owns; deploy, plan and restart must neither chown, print nor run as root
    anything it points them at."""
    inv = jdk_inventory(tmp_path, jdk_dist)
    for host in HOSTS:
        lab.exec(host, "rm -f /root/zkctl-pwned", check=True)
        # The env file and the conf dir (java.env, sourced by zkEnv.sh) are root's.
        hostile = as_service(lab, host, "echo 'touch /root/zkctl-pwned' "
                                        ">> /opt/zookeeper/conf/zookeeper-env.sh")
        assert hostile.returncode != 0, (host, "the service user rewrote the env file")
        hostile = as_service(lab, host, "echo 'touch /root/zkctl-pwned' "
                                        "> /opt/zookeeper/conf/java.env")
        assert hostile.returncode != 0, (host, "the service user wrote into the conf dir")

    # node2: myid -> a root-only secret. plan must not print it (nor deploy).
    lab.exec("node2", "umask 077; echo TOPSECRET-zkctl > /root/zkctl-secret", check=True)
    assert as_service(lab, "node2", "cd /var/lib/zookeeper && mv myid myid.saved && "
                                    "ln -s /root/zkctl-secret myid").returncode == 0
    for cmd in ("plan", "deploy"):
        proc = svc.run(cmd, str(inv))
        assert "TOPSECRET" not in proc.stdout + proc.stderr, (cmd, proc.stdout, proc.stderr)
        assert proc.returncode == 5, (cmd, proc.stdout, proc.stderr)  # myid unreadable: refused
        assert "node2: data dir /var/lib/zookeeper holds ZooKeeper data (version-2/) but no " \
               "myid" in proc.stderr, proc.stderr
    assert as_service(lab, "node2", "cd /var/lib/zookeeper && rm myid && "
                                    "mv myid.saved myid").returncode == 0

    # node3: myid -> a root-only file holding the right id: a chown through the link would
    # hand it to the service user.
    lab.exec("node3", "umask 077; echo 3 > /root/zkctl-same-id", check=True)
    assert as_service(lab, "node3", "cd /var/lib/zookeeper && mv myid myid.saved && "
                                    "ln -s /root/zkctl-same-id myid").returncode == 0
    proc = svc.run("deploy", str(inv))
    assert modes_of(lab, "node3", "/root/zkctl-same-id") == ["/root/zkctl-same-id 600 root root"]
    assert proc.returncode == 5, proc.stderr
    assert as_service(lab, "node3", "cd /var/lib/zookeeper && rm myid && "
                                    "mv myid.saved myid").returncode == 0

    # node1: links to root's files and dirs planted in the data dir while deploy chowns it.
    lab.exec("node1", "umask 077; mkdir -p /root/zkctl-dir && echo x > /root/zkctl-dir/f && "
                      "echo x > /root/zkctl-file", check=True)
    assert as_service(lab, "node1", "cd /var/lib/zookeeper && ln -s /root/zkctl-file f && "
                                    "ln -s /root/zkctl-dir d").returncode == 0
    proc = svc.run("deploy", str(inv))
    assert proc.returncode == 0, proc.stderr
    assert "configs changed on 0" in proc.stdout, proc.stdout
    assert modes_of(lab, "node1", "/root/zkctl-file", "/root/zkctl-dir", "/root/zkctl-dir/f") == \
        ["/root/zkctl-file 600 root root", "/root/zkctl-dir 700 root root",
         "/root/zkctl-dir/f 600 root root"]
    proc = svc.run("restart", "node1")
    assert proc.returncode == 0, proc.stderr
    for host in HOSTS:
        assert lab.exec(host, "test -e /root/zkctl-pwned").returncode != 0, host
    lab.exec("node1", "rm -rf /var/lib/zookeeper/f /var/lib/zookeeper/d /root/zkctl-dir "
                      "/root/zkctl-file", check=True)
    lab.exec("node2", "rm -f /root/zkctl-secret", check=True)
    lab.exec("node3", "rm -f /root/zkctl-same-id", check=True)


def test_changing_the_service_user_restarts_every_server_as_the_new_one(lab, svc, jdk_dist,
                                                                         tmp_path):
    # Same configs, another user (root): nothing to write, but every server must restart.
    inv = inventory_variant(tmp_path / "inv.toml",
                            replace={'"autopurge.purgeInterval"': "24\n" + SECRET_KEY},
                            append=f'\n[java]\ndistribution = "{jdk_dist}"\n')
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
    # The secret's group follows the service user (root's now), the data stays readable.
    assert modes_of(lab, "node1", "/opt/zookeeper/conf/zoo.cfg") == \
        ["/opt/zookeeper/conf/zoo.cfg 640 root root"]
