"""End to end: a ZooKeeper rolling upgrade as an inventory edit, under write load. The seed
ensemble (node1..node3 voters, nn01 observer) is deployed on 3.8.0; its distribution pointed
at the newest 3.9 release makes `plan` name the upgrade per server and the order, and `deploy`
roll it one server at a time, the leader last: one election, nothing lost. A deploy back to
3.8.0 is then refused and changes nothing.
Then Kafka on the same ensemble (#11 item 2): brokers 11-13 of an older 3.x release in
ZooKeeper mode upgraded to 3.9 under an acks=all producer and a consumer group, in two steps:
the roll keeps inter.broker.protocol.version at the old release (read from the brokers), and
`deploy --finalize-upgrade` raises it in a second roll; a downgrade is then refused. One
cluster, one lifecycle; the tests run in file order."""

from __future__ import annotations

import re
import threading
import time
import uuid

import pytest

from kafka_helpers import SequencedProducer, consume_all, create_topic
from lab import REPO
from zk_helpers import (tail, Zkctl, ZnodeWriter, epoch, inventory_variant, leader_of, modes,
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


# ---- Kafka in ZooKeeper mode: an older 3.x release -> 3.9, in two steps ----------------------

KAFKA_HOSTS = ("node1", "node2", "node3")
KAFKA_PATTERN = r"kafka\.Kafka "
BOOTSTRAP = "node1:9092,node2:9092,node3:9092"
IBP = "inter.broker.protocol.version"
LOAD = {}  # the producer and the consumer group running from the first step through the second


def kafka_version_of(path) -> str:
    """3.8.1 of .../kafka_2.13-3.8.1.tgz."""
    return re.search(r"kafka_2\.13-(\d+\.\d+\.\d+)\.tgz", str(path)).group(1)


def protocol_versions() -> dict[int, str]:
    """Each broker's effective inter.broker.protocol.version as it reports it (DescribeConfigs)."""
    from confluent_kafka.admin import AdminClient, ConfigResource
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    out = {}
    for broker in (11, 12, 13):
        res = ConfigResource("BROKER", str(broker))
        configs = admin.describe_configs([res])[res].result(30)
        out[broker] = configs[IBP].value
    return out


def lines(versions: dict[int, str]) -> set[str]:
    """{"3.8"} of {11: "3.8", 12: "3.8-IV0", ...}."""
    return {".".join(v.split("-")[0].split(".")[:2]) for v in versions.values()}


class GroupConsumer:
    """A consumer group member reading `topic` in a background thread, committing as it goes;
    `seen` holds every sequence number it read."""

    def __init__(self, topic: str, group: str):
        from confluent_kafka import Consumer
        self.topic, self.group = topic, group
        self.consumer = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": group,
                                  "auto.offset.reset": "earliest", "enable.auto.commit": True,
                                  "auto.commit.interval.ms": 500, "log_level": 0})
        self.seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.consumer.subscribe([self.topic])
        while not self._stop.is_set():
            msg = self.consumer.poll(0.2)
            if msg is not None and not msg.error():
                self.seen.add(int(msg.value().decode().split("-")[1]))

    def start(self) -> "GroupConsumer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self.consumer.close()  # commits what it read


@pytest.fixture(scope="module")
def kup(zku, zk39_dist, kafka3_dist, kafka_older_dist, tmp_path_factory) -> Zkctl:
    """The Kafka inventories on zku's ensemble (now on 3.9): the older release and 3.9."""
    inv = tmp_path_factory.mktemp("kinv")
    text = (REPO / "inventories" / "seed-kafka.toml").read_text()
    text, n = re.subn(r'(?m)^distribution = ".*apache-zookeeper.*$',
                      f'distribution = "{zk39_dist}"', text, count=1)
    assert n == 1
    for name, dist in (("old", kafka_older_dist), ("new", kafka3_dist)):
        variant, n = re.subn(r'(?m)^distribution = ".*kafka_2.*$', f'distribution = "{dist}"',
                             text, count=1)
        assert n == 1
        (inv / f"kafka-{name}.toml").write_text(variant)
    zku.kafka_old, zku.kafka_new = inv / "kafka-old.toml", inv / "kafka-new.toml"
    zku.kafka_old_version = kafka_version_of(kafka_older_dist)
    zku.kafka_new_version = kafka_version_of(kafka3_dist)
    return zku


def old_line(kup) -> str:
    return ".".join(kup.kafka_old_version.split(".")[:2])


def test_kafka_brokers_of_an_older_release_join_the_ensemble(lab, kup):
    proc = kup.run("deploy", str(kup.kafka_old), timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "kafka (zookeeper mode): 3 nodes" in proc.stdout and "started 3" in proc.stdout
    assert "restarted 0" in proc.stdout  # the ensemble is left as it was
    assert lines(protocol_versions()) == {old_line(kup)}


def test_kafka_plan_shows_both_steps_and_changes_nothing(lab, kup):
    pids = {h: lab.pid_of(h, KAFKA_PATTERN) for h in KAFKA_HOSTS}
    proc = kup.run("plan", str(kup.kafka_new))
    assert proc.returncode == 0, proc.stderr
    print(proc.stdout)  # the README's sample (pytest -rP shows it)
    step1 = (f"rolling restart (upgrade {kup.kafka_old_version} -> {kup.kafka_new_version}, "
             f"server.properties changed, {IBP} kept at {old_line(kup)})")
    assert sum(f"{h}: {step1}" in proc.stdout for h in KAFKA_HOSTS) == 3, proc.stdout
    assert f"kafka upgrade: upgrade (first step: every broker onto {kup.kafka_new_version} " \
        f"with {IBP} kept at {old_line(kup)}; second step, not run by this deploy: `zkctl " \
        "deploy --finalize-upgrade` rolls them again with it raised to 3.9)" in proc.stdout
    assert f"+{IBP}={old_line(kup)}" in proc.stdout  # server.properties' diff
    finalize = kup.run("plan", str(kup.kafka_new), "--finalize-upgrade")
    assert finalize.returncode == 4, tail(finalize)
    assert f"--finalize-upgrade: not every node runs {kup.kafka_new_version} yet" in finalize.stderr
    assert {h: lab.pid_of(h, KAFKA_PATTERN) for h in KAFKA_HOSTS} == pids


def test_kafka_first_step_rolls_the_brokers_with_the_protocol_kept(lab, kup):
    _, status = kup.status()
    controller = {11: "node1", 12: "node2", 13: "node3"}[status["kafka"]["controller"]]
    topic = f"e2e-upgrade-{uuid.uuid4().hex[:8]}"
    create_topic(BOOTSTRAP, topic)
    LOAD["topic"], LOAD["group"] = topic, f"e2e-upgrade-group-{uuid.uuid4().hex[:8]}"
    LOAD["producer"] = SequencedProducer(BOOTSTRAP, topic).start()
    LOAD["consumer"] = GroupConsumer(topic, LOAD["group"]).start()
    time.sleep(2)
    proc = kup.run("deploy", str(kup.kafka_new), timeout=900)
    assert proc.returncode == 0, proc.stderr
    order = [m.group(1) for m in re.finditer(r"\[(\S+)\] kafka rolling restart: ok", proc.stderr)]
    assert sorted(order) == sorted(KAFKA_HOSTS) and order[-1] == controller, proc.stderr
    assert "uploaded to 3" in proc.stdout.splitlines()[-1] and "restarted 3" in proc.stdout
    for h in KAFKA_HOSTS:
        jar = lab.ssh(h, "ls /opt/kafka/current/libs/").stdout
        assert f"kafka-clients-{kup.kafka_new_version}.jar" in jar
    assert lines(protocol_versions()) == {old_line(kup)}  # still the old release's
    assert f"first step done: every node runs {kup.kafka_new_version}, {IBP} {old_line(kup)}" \
        in proc.stderr, proc.stderr
    LOAD["step1_order"] = order
    # A later deploy keeps the pin: nothing restarts.
    again = kup.run("plan", str(kup.kafka_new))
    assert again.returncode == 0 and "rolling restart" not in again.stdout, again.stdout
    # ... and names the second step still to run.
    assert "--finalize-upgrade` rolls the brokers with it raised to 3.9" in again.stdout, \
        again.stdout


def test_kafka_finalize_raises_the_protocol_in_a_second_roll_losing_nothing(lab, kup):
    producer, consumer = LOAD["producer"], LOAD["consumer"]
    try:
        plan = kup.run("plan", str(kup.kafka_new), "--finalize-upgrade")
        assert plan.returncode == 0, plan.stderr
        print(plan.stdout)
        assert f"{IBP} {old_line(kup)} -> 3.9" in plan.stdout, plan.stdout
        proc = kup.run("deploy", str(kup.kafka_new), "--finalize-upgrade", timeout=900)
        time.sleep(2)
    finally:
        producer.stop()
        consumer.stop()
    assert proc.returncode == 0, proc.stderr
    assert "restarted 3" in proc.stdout
    raised = protocol_versions()
    assert lines(raised) == {"3.9"}, raised
    assert f"second step done: {IBP} raised {old_line(kup)} -> 3.9" in proc.stderr, proc.stderr
    # The group resumes from its committed offsets and reads what it had not read yet.
    rest = consume_all(BOOTSTRAP, LOAD["topic"], producer.acked - consumer.seen,
                       group=LOAD["group"])
    lost = producer.acked - consumer.seen - rest
    record_case(f"Kafka upgrade {kup.kafka_old_version} -> {kup.kafka_new_version} "
                "(ZooKeeper mode), two steps",
                "distribution changed: zkctl deploy, then deploy --finalize-upgrade",
                f"exit 0 and 0; order {' -> '.join(LOAD['step1_order'])}; {IBP} "
                f"{old_line(kup)} after step 1, {sorted(set(raised.values()))} after step 2",
                messages_produced=producer.sent, messages_acknowledged=len(producer.acked),
                delivery_errors=len(producer.errors), consumed_in_group=len(consumer.seen),
                messages_lost=len(lost))
    assert len(producer.acked) > 100
    assert not lost, sorted(lost)[:20]
    # Raised: nothing further to finalize.
    again = kup.run("plan", str(kup.kafka_new))
    assert again.returncode == 0 and "kafka upgrade" not in again.stdout, again.stdout


def test_kafka_downgrade_below_the_raised_protocol_is_refused_and_changes_nothing(lab, kup):
    pids = {h: lab.pid_of(h, KAFKA_PATTERN) for h in KAFKA_HOSTS}
    plan = kup.run("plan", str(kup.kafka_old))
    proc = kup.run("deploy", str(kup.kafka_old))
    assert plan.returncode == 4 and proc.returncode == 4, tail(proc)
    why = (f"kafka: downgrade {kup.kafka_new_version} -> {kup.kafka_old_version} refused: "
           f"{IBP} is 3.9")
    assert why in proc.stderr and why in plan.stderr, proc.stderr
    assert "deploy refused; nothing was changed on any host" in proc.stderr
    assert {h: lab.pid_of(h, KAFKA_PATTERN) for h in KAFKA_HOSTS} == pids
    assert lines(protocol_versions()) == {"3.9"}
