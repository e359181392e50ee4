"""Smoke tests of the simulated-host lab itself."""

import re
import signal


def test_every_host_answers_ssh_with_strict_host_key_checking(lab):
    for name in lab.names:
        r = lab.ssh(name, "hostname")
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == name
        # ... also by address (known_hosts holds both).
        r = lab.ssh(lab.address(name), "hostname")
        assert r.returncode == 0, r.stderr


def test_unknown_host_key_is_refused(lab):
    r = lab.ssh(lab.names[0], "true", known_hosts=lab.known_hosts_empty)
    assert r.returncode == 255
    assert re.search(r"host key|Host key verification failed", r.stderr, re.I), r.stderr


def test_hostnames_and_addresses_differ(lab):
    names = {lab.exec(n, "hostname", check=True).stdout.strip() for n in lab.names}
    assert names == set(lab.names)
    addrs = [lab.address(n) for n in lab.names]
    assert addrs == [f"10.231.0.{11 + i}" for i in range(len(lab.names))]


def test_hosts_resolve_each_other_without_loopback_alias(lab):
    hosts = lab.read_file(lab.names[0], "/etc/hosts")
    assert "127.0.1.1" not in hosts
    for n in lab.names:
        r = lab.exec(lab.names[0], ["getent", "hosts", n], check=True)
        assert r.stdout.split()[0] == lab.address(n)


def test_private_mounts(lab):
    a, b = lab.names[0], lab.names[1]
    lab.exec(a, "echo mine > /opt/marker && echo t > /tmp/marker", check=True)
    try:
        assert lab.read_file(a, "/opt/marker") == "mine\n"
        assert lab.exec(b, "test -e /opt/marker").returncode != 0
        assert lab.exec(b, "test -e /tmp/marker").returncode != 0
    finally:
        lab.exec(a, "rm -f /opt/marker /tmp/marker")


def test_pid_namespaces_isolate(lab):
    for n in lab.names:
        procs = lab.processes(n)
        sshds = [p for p, c in procs.items() if "sshd" in c and "[listener]" in c]
        assert sshds == [1], procs  # only the host's own sshd, as PID 1
        r = lab.exec(n, ["ps", "-eo", "pid=,args="], check=True)
        assert sum("[listener]" in line for line in r.stdout.splitlines()) == 1, r.stdout


def test_pid_of_and_kill(lab):
    n = lab.names[0]
    lab.exec(n, "nohup sleep 300 >/dev/null 2>&1 &", check=True)
    pid = lab.pid_of(n, r"^sleep 300$")
    assert pid is not None
    assert lab.pid_of(lab.names[1], r"^sleep 300$") is None
    lab.kill(n, pid, signal.SIGKILL)
    for _ in range(50):
        if lab.pid_of(n, r"^sleep 300$") is None:
            break
    assert lab.pid_of(n, r"^sleep 300$") is None


def test_link_down_partitions_a_host(lab):
    a, b = lab.names[0], lab.names[1]
    probe = f"timeout 2 bash -c 'exec 3<>/dev/tcp/{b}/22'"
    assert lab.exec(a, probe).returncode == 0
    lab.link_down(b)
    try:
        assert lab.exec(a, probe).returncode != 0
    finally:
        lab.link_up(b)
    for _ in range(20):
        if lab.exec(a, probe).returncode == 0:
            break
    assert lab.exec(a, probe).returncode == 0
