"""End to end: the SSH habits of issue 5 on the simulated hosts.

(a) deploy + status of the seed ensemble as a non-root SSH user `zkops` with NOPASSWD sudo
    (`[ssh] become = "sudo"`): files land root-owned, ZooKeeper runs; a user whose sudo wants a
    password gets the one-line refusal naming host and user;
(b) an ssh config file with Host aliases: the inventory names only aliases; HostName, User, Port
    and IdentityFile come from the config;
(c) ProxyJump: nn01 refuses SSH from the machine (nft inside nn01's namespace) and is reached
    through node1 only, with the jump host's key checked like any other.

The lab hosts share /etc/passwd, /etc/sudoers.d and /home with the machine: the users are made
there, once for the module, and everything this module made is removed at its end. The sudo
rules name only the lab hosts (sudo matches the host's own name), so the users get no rights on
the machine itself.
"""

from __future__ import annotations

import json
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest

from zk_helpers import tail, SEED, Zkctl, modes

HOSTS = ("node1", "node2", "node3", "nn01")
ZK_PATTERN = r"org\.apache\.zookeeper\.server\.quorum\.QuorumPeerMain"
SUDOERS = Path("/etc/sudoers.d/zkctl-e2e")
USER = "zkops"        # NOPASSWD sudo on the lab hosts
PW_USER = "zkpw"      # sudo that wants a password (the account has none)
# seed.toml's explicit open [security] table: these tests are about SSH, not TLS.
OPEN_SECURITY = '[security]\ntls = false\nauthentication = "none"\nauthorization = false\n\n'


def _make_user(name: str, pubkey: str) -> bool:
    """Creates `name` with the lab key authorized; returns True if this call created it."""
    try:
        pwd.getpwnam(name)
        created = False
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
        created = True
    # "*": no password, but not locked (sshd without PAM refuses locked accounts' keys too).
    subprocess.run(["usermod", "-p", "*", name], check=True)
    home = Path(pwd.getpwnam(name).pw_dir)
    ssh_dir = home / ".ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    (ssh_dir / "authorized_keys").write_text(pubkey)
    shutil.chown(ssh_dir, name, name)
    shutil.chown(ssh_dir / "authorized_keys", name, name)
    (ssh_dir / "authorized_keys").chmod(0o600)
    return created


@pytest.fixture(scope="module")
def users(lab):
    """zkops (NOPASSWD sudo on the lab hosts) and zkpw (sudo with a password); removed at the
    end if this module created them."""
    if shutil.which("sudo") is None or shutil.which("nft") is None:
        pytest.skip("sudo and nftables are needed (run scripts/setup.sh)")
    pubkey = Path(str(lab.key_path) + ".pub").read_text()
    created = [u for u in (USER, PW_USER) if _make_user(u, pubkey)]
    hosts = ",".join(HOSTS)
    SUDOERS.write_text(f"# zkctl e2e (tests/e2e/test_ssh_habits.py); removed by the test\n"
                       f"{USER} {hosts} = (root) NOPASSWD: ALL\n"
                       f"{PW_USER} {hosts} = (root) ALL\n")
    SUDOERS.chmod(0o440)
    check = subprocess.run(["visudo", "-c", "-f", str(SUDOERS)], capture_output=True, text=True)
    try:
        assert check.returncode == 0, tail(check)
        yield USER
    finally:
        SUDOERS.unlink(missing_ok=True)
        for u in created:
            subprocess.run(["userdel", "--remove", u], check=False, capture_output=True)


@pytest.fixture(scope="module")
def zk(lab, zk_dist, zkctl_bin, users, tmp_path_factory) -> Zkctl:
    lab.reset()
    return Zkctl(zkctl_bin, tmp_path_factory.mktemp("zkctl-home"))


def sudo_inventory(dest: Path, lab, *, extra_ssh: str = "", server_extra: dict | None = None,
                   hosts=HOSTS) -> Path:
    """The seed ensemble (seed.toml's layout) logging in as zkops with become = sudo."""
    seed = SEED.read_text()
    zk_section = seed[seed.index("[zookeeper]"):seed.index("[[zookeeper.servers]]")]
    servers = ""
    for i, host in enumerate(hosts, start=1):
        servers += f'\n[[zookeeper.servers]]\nhost = "{host}"\nid = {i}\n'
        if host == "nn01":
            servers += 'role = "observer"\n'
        servers += (server_extra or {}).get(host, "")
    dest.write_text(f'[cluster]\nname = "habits"\n\n'
                    f'[ssh]\n{extra_ssh}'
                    f'known_hosts = "{lab.known_hosts}"\n'
                    f'connect_timeout = 5\n\n'
                    f'{OPEN_SECURITY}{zk_section}{servers}')
    return dest


def exec_json(zk: Zkctl, inv: Path, *args: str) -> tuple[int, list[dict]]:
    """exec without the cluster lock (it would connect to every host first): these tests
    look at each host's own outcome."""
    proc = zk.run("exec", "-i", str(inv), "--json", "--no-lock", *args)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else []


# ---- (a) non-root SSH user with sudo -----------------------------------------------------

def test_deploy_and_status_as_non_root_user_with_sudo(lab, zk, tmp_path):
    inv = sudo_inventory(tmp_path / "sudo.toml", lab,
                         extra_ssh=f'user = "{USER}"\nbecome = "sudo"\n'
                                   f'identity_file = "{lab.key_path}"\nconfig_file = "none"\n')
    proc = zk.run("deploy", str(inv))
    assert proc.returncode == 0, proc.stderr
    code, status = zk.status("-i", str(inv))
    assert code == 0, status
    m = modes(status)
    assert sorted(m[h] for h in HOSTS[:3]) == ["follower", "follower", "leader"]
    assert m["nn01"] == "observer"
    for host in HOSTS:
        # zkctl logged in as zkops and got root through sudo.
        log = lab.console_log(host)
        assert f"Accepted publickey for {USER} from 10.231.0.1 " in log, log[-2000:]
        # Uploads and rendered files landed root-owned, whole, with their modes.
        out = lab.exec(host, "stat -c '%U:%G %a %n' /opt/zookeeper/conf/zoo.cfg "
                             "/var/lib/zookeeper/myid /opt/zookeeper/current/",
                       check=True).stdout.split("\n")
        assert out[0] == "root:root 644 /opt/zookeeper/conf/zoo.cfg", out
        assert out[1].startswith("root:root ") and out[1].endswith(" /var/lib/zookeeper/myid")
        assert out[2].startswith("root:root "), out
        # No staging file in /tmp, no temp name beside the files.
        leftovers = lab.exec(host, "ls -A /tmp /opt/zookeeper/conf /opt/zookeeper/releases "
                                   "/var/lib/zookeeper", check=True).stdout
        assert ".zkctl-upload-" not in leftovers and ".zkctl-tmp-" not in leftovers, leftovers
        # The cluster lock was taken as root through sudo, in root's own dir.
        assert lab.exec(host, "stat -c '%a %U' /run/zkctl").stdout.split() == ["700", "root"]
        # ZooKeeper runs, as root.
        pid = lab.pid_of(host, ZK_PATTERN)
        assert pid is not None, host
        owner = lab.exec(host, ["stat", "-c", "%U", f"/proc/{pid}"], check=True).stdout.strip()
        assert owner == "root", (host, owner)

    code, results = exec_json(zk, inv, "--", "sh", "-c", 'echo "$SUDO_USER"; id -un')
    assert code == 0, results
    assert [r["stdout"] for r in results] == [f"{USER}\nroot\n"] * len(HOSTS)

    # Re-running with nothing changed uploads nothing (checksums read back through sudo).
    pids = {h: lab.pid_of(h, ZK_PATTERN) for h in HOSTS}
    again = zk.run("deploy", str(inv))
    assert again.returncode == 0, again.stderr
    assert "uploaded to 0, configs changed on 0, started 0, restarted 0" in again.stdout
    for host in HOSTS:
        assert f"[{host}] upload" not in again.stderr, again.stderr  # not planned at all
    assert {h: lab.pid_of(h, ZK_PATTERN) for h in HOSTS} == pids


def test_sudo_that_wants_a_password_is_refused_with_one_line(lab, zk, tmp_path):
    # Per-server ssh_user override: node2 logs in as zkpw, whose sudo wants a password.
    inv = sudo_inventory(tmp_path / "pw.toml", lab,
                         extra_ssh=f'user = "{USER}"\nbecome = "sudo"\n'
                                   f'identity_file = "{lab.key_path}"\nconfig_file = "none"\n',
                         server_extra={"node2": f'ssh_user = "{PW_USER}"\n'})
    code, results = exec_json(zk, inv, "--", "true")
    assert code != 0
    by_host = {r["host"]: r for r in results}
    assert by_host["node2"]["error"] == (
        f"sudo on node2 needs a password; zkctl needs NOPASSWD sudo for user {PW_USER}")
    assert all(by_host[h]["error"] == "" and by_host[h]["exit_status"] == 0
               for h in ("node1", "node3", "nn01")), results
    # The lock cannot be taken there: refused, naming why.
    proc = zk.run("deploy", str(inv))
    assert proc.returncode == 6, proc.stderr
    assert f"cannot lock cluster habits on node2: sudo on node2 needs a password" in proc.stderr
    # Pre-flight reports it the same way and changes nothing.
    proc = zk.run("deploy", str(inv), "--no-lock")
    assert proc.returncode == 5, proc.stderr
    assert f"sudo on node2 needs a password; zkctl needs NOPASSWD sudo for user {PW_USER}" \
        in proc.stderr


# ---- (b) ssh config: Host aliases ----------------------------------------------------------

def test_host_aliases_from_ssh_config(lab, zk, zk_dist, tmp_path):
    cfg = tmp_path / "ssh_config"
    blocks = ""
    for i, host in enumerate(HOSTS[:3], start=1):
        blocks += (f"Host zk-alias-{i}\n"
                   f"  HostName {lab.address(host)}\n"
                   f"  User {USER}\n"
                   f"  Port 22\n"
                   f"  IdentityFile {lab.key_path}\n")
    cfg.write_text(blocks)
    inv = tmp_path / "alias.toml"
    # No user, port or key in the inventory: all from the config.
    inv.write_text(f'[cluster]\nname = "aliases"\n\n'
                   f'[ssh]\nconfig_file = "{cfg}"\nbecome = "sudo"\n'
                   f'known_hosts = "{lab.known_hosts}"\nconnect_timeout = 5\n\n'
                   + OPEN_SECURITY +
                   f'[zookeeper]\ndistribution = "{zk_dist}"\n'
                   + "".join(f'\n[[zookeeper.servers]]\nhost = "zk-alias-{i}"\nid = {i}\n'
                             for i in (1, 2, 3)))
    code, results = exec_json(zk, inv, "--", "sh", "-c", 'hostname; echo "$SUDO_USER"')
    assert code == 0, results
    assert {r["host"]: r["stdout"] for r in results} == {
        f"zk-alias-{i}": f"{host}\n{USER}\n" for i, host in enumerate(HOSTS[:3], start=1)}


def test_an_ssh_config_proxycommand_is_refused_even_for_check(lab, zk, tmp_path):
    pwned = tmp_path / "PWNED"
    cfg = tmp_path / "ssh_config"
    cfg.write_text(f"Host nn01\n  proxycommand=sh -c 'touch {pwned}'\n")
    inv = sudo_inventory(tmp_path / "proxy.toml", lab,
                         extra_ssh=f'user = "{USER}"\nbecome = "sudo"\n'
                                   f'identity_file = "{lab.key_path}"\nconfig_file = "{cfg}"\n')
    proc = zk.run("check", str(inv))
    assert proc.returncode != 0, proc.stdout
    assert (f"nn01: the ssh config {cfg} line 2 has ProxyCommand, which would run a command on "
            "this machine") in proc.stdout + proc.stderr
    assert "--allow-proxy-command" in proc.stdout + proc.stderr
    assert not pwned.exists()


# ---- (c) ProxyJump to a host the machine cannot reach over SSH ------------------------------

def test_proxyjump_reaches_a_host_the_machine_cannot(lab, zk, tmp_path):
    key_opts = (f'user = "{USER}"\nbecome = "sudo"\nidentity_file = "{lab.key_path}"\n')
    direct = sudo_inventory(tmp_path / "direct.toml", lab,
                            extra_ssh=key_opts + 'config_file = "none"\n')
    cfg = tmp_path / "ssh_config"
    cfg.write_text("Host nn01\n  ProxyJump node1\n")
    jumped = sudo_inventory(tmp_path / "jump.toml", lab,
                            extra_ssh=key_opts + f'config_file = "{cfg}"\n')
    lab.block_ssh_from_machine("nn01")
    try:
        # Direct: refused (so anything that works below went through node1).
        code, results = exec_json(zk, direct, "nn01", "--", "hostname")
        assert code != 0
        assert "cannot connect to nn01 port 22" in results[0]["error"], results

        before = lab.console_log("nn01").count(f"Accepted publickey for {USER} from 10.231.0.11 ")
        code, results = exec_json(zk, jumped, "nn01", "--", "hostname")
        assert code == 0, results
        assert results[0]["stdout"] == "nn01\n"
        after = lab.console_log("nn01").count(f"Accepted publickey for {USER} from 10.231.0.11 ")
        assert after == before + 1  # nn01 saw the login come from node1 (10.231.0.11)

        # The whole cluster through the same config: re-deploy (no change) and status.
        proc = zk.run("deploy", str(jumped))
        assert proc.returncode == 0, proc.stderr
        code, status = zk.status("-i", str(jumped))
        assert code == 0 and modes(status)["nn01"] == "observer", status

        # The jump host's key is checked like a direct host's: unknown -> refused.
        only_nn01 = tmp_path / "known_hosts.nn01"
        only_nn01.write_text("".join(l + "\n" for l in lab.known_hosts.read_text().splitlines()
                                     if l.startswith("nn01 ")))
        strict = tmp_path / "strict.toml"
        strict.write_text(jumped.read_text().replace(str(lab.known_hosts), str(only_nn01)))
        code, results = exec_json(zk, strict, "nn01", "--", "true")
        assert code != 0
        assert results[0]["error"].startswith("nn01 (jump host node1): host key not known"), \
            results
    finally:
        lab.unblock_ssh_from_machine("nn01")
