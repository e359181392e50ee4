"""End to end: the README's quick start. scripts/sandbox.sh's deploy-and-verify part
(`sandbox.sh deploy`, everything after packages, build, distributions and `lab.sh add`) on the
lab's fresh seed hosts, exactly as the script runs it for a newcomer: deploy of
inventories/seed-kafka.toml, both status tables, verify through two brokers; a second run that
changes nothing and says so; then the commands it prints as next steps, the KRaft ones included,
run as printed. Tests run in file order and share the sandbox."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from lab import REPO
from zk_helpers import Zkctl

SANDBOX = REPO / "scripts" / "sandbox.sh"
SEED_HOSTS = ["node1", "node2", "node3", "nn01"]
BROKERS = {"node1": 11, "node2": 12, "node3": 13}
ZK_PATTERN = r"QuorumPeerMain"
KAFKA_PATTERN = r"kafka\.Kafka "
KRAFT_HOSTS = ["kf1", "kf2", "kf3"]


class Sandbox:
    """Runs `scripts/sandbox.sh deploy` and the commands it prints, with the binary under test
    and a state dir of its own."""

    def __init__(self, zkctl_bin, home):
        self.zkctl_bin = str(zkctl_bin)
        self.zk = Zkctl(zkctl_bin, home)
        self.env = dict(self.zk.env, ZKCTL_BIN=self.zkctl_bin)
        self.last_stdout = ""

    def run(self) -> subprocess.CompletedProcess:
        proc = subprocess.run(["bash", str(SANDBOX), "deploy"], cwd=REPO, env=self.env, text=True,
                              capture_output=True, timeout=600, stdin=subprocess.DEVNULL)
        print(f"$ bash scripts/sandbox.sh deploy  -> exit {proc.returncode}\n{proc.stdout}"
              f"{proc.stderr[-4000:]}")
        self.last_stdout = proc.stdout
        return proc

    def shell(self, line: str, timeout: float = 900) -> subprocess.CompletedProcess:
        """One printed command line, as a user pastes it (zkctl: the binary under test)."""
        line = line.replace("./build/src/zkctl", self.zkctl_bin)
        proc = subprocess.run(["bash", "-c", line], cwd=REPO, env=self.env, text=True,
                              capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        print(f"$ {line}  -> exit {proc.returncode}\n{proc.stdout}{proc.stderr[-4000:]}")
        return proc


def printed_commands(stdout: str, after: str, until: str) -> list[str]:
    """The command lines (comments cut) printed between the line starting `after` and the
    line starting `until`."""
    lines = stdout.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith(after))
    end = next(i for i, l in enumerate(lines) if i > start and l.startswith(until))
    return [l.split("  #")[0].strip() for l in lines[start + 1:end] if l.startswith("  ")]


def pids(lab, pattern: str, hosts) -> dict[str, int | None]:
    return {h: lab.pid_of(h, pattern) for h in hosts}


@pytest.fixture(scope="module")
def sandbox(lab, zk_dist, kafka3_dist, zkctl_bin, tmp_path_factory):
    lab.reset(SEED_HOSTS)
    yield Sandbox(zkctl_bin, tmp_path_factory.mktemp("zkctl-home-sandbox"))
    # Leave every host the module used (kf1..kf3 too) as just started.
    lab.reset(list(lab.list()))


def test_first_run_deploys_the_ensemble_and_brokers_prints_both_tables_and_verifies(sandbox):
    proc = sandbox.run()
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "deployed seed: 4 servers; distribution uploaded to 4, configs changed on 4, started 4" in out
    assert "kafka (zookeeper mode): 3 nodes; distribution uploaded to 3, configs changed on 3" in out
    # zkctl status: the ZooKeeper table, the quorum verdict, the Kafka table and its verdict.
    assert re.search(r"(?m)^HOST +ID +ROLE +MODE +ZXID", out)
    for host, sid in (("node1", 1), ("node2", 2), ("node3", 3)):
        assert re.search(rf"(?m)^{host} +{sid} +voter +(leader|follower) ", out), host
    assert re.search(r"(?m)^nn01 +4 +observer +observer ", out)
    assert "quorum OK: 3/3 voters serving, majority 2, leader node" in out
    assert re.search(r"(?m)^HOST +ID +ROLES +PROCESS +REGISTERED +CONTROLLER +LISTENER", out)
    for host, bid in BROKERS.items():
        assert re.search(rf"(?m)^{host} +{bid} +broker +up \(pid \d+\) +yes +\S+ +:9092 ok$", out), host
    assert re.search(r"kafka OK: 3/3 brokers registered \(zookeeper mode\), controller 1[123], "
                     r"0 under-replicated", out)
    # zkctl verify: the ZooKeeper round trip, and produce and consume through two brokers.
    assert re.search(r"(?m)^ok +zookeeper round trip +wrote /zkctl-verify-\S+ through (\S+):2181, "
                     r"read it back through (\S+):2181", out)
    produce = re.search(r"(?m)^ok +kafka produce +100/100 acknowledged \(acks=all\) through (node\d):9092", out)
    consume = re.search(r"(?m)^ok +kafka consume +100/100 read back through (node\d):9092", out)
    assert produce and consume and produce.group(1) != consume.group(1)
    assert re.search(r"(?m)^verify: OK$", out)
    assert "The sandbox is deployed and verified." in out and "Nothing changed" not in out
    # What the script printed, seen from zkctl's JSON: the whole seed layout runs.
    code, status = sandbox.zk.status()
    assert code == 0 and status["quorum"]["ok"] and status["kafka"]["ok"]
    assert sorted(n["id"] for n in status["kafka"]["nodes"] if n["registered"]) == [11, 12, 13]
    # $ZKCTL_HOME is private: the recorded inventory copy and all else 0600 in 0700 dirs.
    home = sandbox.zk.home
    for path in [home, *home.rglob("*")]:
        if not path.is_symlink():
            assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600), path


def test_second_run_changes_nothing_and_says_so(lab, sandbox):
    zk_before = pids(lab, ZK_PATTERN, SEED_HOSTS)
    kafka_before = pids(lab, KAFKA_PATTERN, BROKERS)
    assert None not in zk_before.values() and None not in kafka_before.values()
    proc = sandbox.run()
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "deployed seed: 4 servers; distribution uploaded to 0, configs changed on 0, started 0, restarted 0" in out
    assert ("kafka (zookeeper mode): 3 nodes; distribution uploaded to 0, configs changed on 0, "
            "storage formatted on 0, started 0, restarted 0") in out
    assert "Nothing changed: the sandbox was already deployed and running" in out
    assert "verify: OK" in out
    assert pids(lab, ZK_PATTERN, SEED_HOSTS) == zk_before
    assert pids(lab, KAFKA_PATTERN, BROKERS) == kafka_before


def test_printed_plan_and_logs_commands_work(sandbox):
    cmds = printed_commands(sandbox.last_stdout, "Try next", "Kafka 4 in KRaft mode")
    plan = [c for c in cmds if " plan " in c]
    logs = [c for c in cmds if " logs " in c]
    assert plan and logs, cmds
    proc = sandbox.shell(plan[0])
    assert proc.returncode == 0 and "plan: no changes" in proc.stdout
    proc = sandbox.shell(logs[0])
    assert proc.returncode == 0 and "INFO" in proc.stdout


def test_printed_kraft_steps_deploy_and_verify_kafka4_next_to_the_sandbox(lab, sandbox):
    cmds = printed_commands(sandbox.last_stdout, "Kafka 4 in KRaft mode", "Remove the sandbox")
    assert any("inventories/kraft.toml" in c for c in cmds), cmds
    # A newcomer's kf hosts are new: clean any that an earlier module left in the lab.
    present = [h for h in KRAFT_HOSTS if h in lab.list()]
    if present:
        lab.reset(present)
    zk_before = pids(lab, ZK_PATTERN, SEED_HOSTS)
    results = []
    for cmd in cmds:
        if cmd.startswith("bash tests/lab/lab.sh up "):
            # `up` keeps a running lab only if every host it has is named: a newcomer's lab is
            # the sandbox's four hosts; this one may hold more from other modules, named too.
            named = cmd.split()[3:]
            assert set(SEED_HOSTS + KRAFT_HOSTS) <= set(named), cmd
            cmd = " ".join([cmd, *(h for h in lab.list() if h not in named)])
        proc = sandbox.shell(cmd)
        assert proc.returncode == 0, f"{cmd}: {proc.stderr[-2000:]}"
        results.append(proc.stdout)
    text = "\n".join(results)
    assert "kafka OK: 3/3 brokers registered (kraft mode)" in text
    assert re.search(r"(?m)^verify: OK$", text)
    # Next to the sandbox: the seed ensemble kept running, untouched.
    assert pids(lab, ZK_PATTERN, SEED_HOSTS) == zk_before
    code, status = sandbox.zk.status("-c", "seed")
    assert code == 0 and status["kafka"]["ok"], json.dumps(status)
