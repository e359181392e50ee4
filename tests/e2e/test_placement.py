"""End to end: racks and rack-batched rolls (#15). Six Kafka 3.9 brokers in ZooKeeper mode, two
per host on node1..node3 (own ports, install and log dirs, small heaps), racks r1..r3 = hosts,
over a 3-voter ensemble (open cluster). One shared deployed cluster; tests run in file order.
An acks=all producer and a consumer run through each roll case."""

from __future__ import annotations

import json
import re
from collections import Counter
import signal
import subprocess
import time
import uuid

import pytest

from kafka_helpers import BackgroundConsumer, SequencedProducer, consume_all, create_topic
from zk_helpers import tail, Zkctl, record_case

BOOTSTRAP = "node1:9092,node2:9092,node3:9092"
HOSTS = ("node1", "node2", "node3")
# Broker id -> (host, rack, install dir): 11..13 in /opt/kafka on port 9092, 14..16 in
# /opt/kafka-b on 9192.
BROKERS = {11: ("node1", "r1", "/opt/kafka"), 12: ("node2", "r2", "/opt/kafka"),
           13: ("node3", "r3", "/opt/kafka"), 14: ("node1", "r1", "/opt/kafka-b"),
           15: ("node2", "r2", "/opt/kafka-b"), 16: ("node3", "r3", "/opt/kafka-b")}
RACK_OF = {b: rack for b, (_, rack, _) in BROKERS.items()}
# librdkafka's idempotent producer ends a leader change, now and then, by resetting its
# sequence numbers: the first in-flight batch fails OUT_OF_ORDER_SEQUENCE_NUMBER, those queued
# behind it _PURGE_QUEUE, none acknowledged. An application produces them again; every
# other delivery error counts as one.
RESEND_ON = ("OUT_OF_ORDER_SEQUENCE_NUMBER", "_PURGE_QUEUE")


def inventory(lab, zk_dist, kafka_dist, zk_racks=("r1", "r2", "r3")) -> str:
    text = f"""[cluster]
name = "racks"

[ssh]
identity_file = "{lab.key_path}"
known_hosts = "{lab.known_hosts}"

[security]
tls = false
authentication = "none"
authorization = false

[zookeeper]
distribution = "{zk_dist}"
heap_mb = 128
"""
    for i, host in enumerate(HOSTS):
        text += f'\n[[zookeeper.servers]]\nhost = "{host}"\nid = {i + 1}\nrack = "{zk_racks[i]}"\n'
    text += f"""
[kafka]
mode = "zookeeper"
distribution = "{kafka_dist}"
heap_mb = 256

[kafka.config]
"num.partitions" = 3
"group.initial.rebalance.delay.ms" = 0
"""
    for b, (host, rack, install) in BROKERS.items():
        text += f'\n[[kafka.nodes]]\nhost = "{host}"\nid = {b}\nrack = "{rack}"\n'
        if install != "/opt/kafka":
            text += (f'listener_port = 9192\ninstall_dir = "{install}"\n'
                     f'log_dirs = ["/var/lib/kafka/b-data"]\n')
    return text


def broker_pid(lab, broker: int) -> int | None:
    host, _, install = BROKERS[broker]
    return lab.pid_of(host, rf"kafka\.Kafka {install}/config/server\.properties")


def broker_pids(lab) -> dict[int, int | None]:
    return {b: broker_pid(lab, b) for b in BROKERS}


def metadata(topic: str):
    from confluent_kafka.admin import AdminClient
    return AdminClient({"bootstrap.servers": BOOTSTRAP}).list_topics(topic, timeout=10).topics[topic]


def wait_kafka(zk: Zkctl, predicate, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        _, last = zk.status()
        if predicate(last["kafka"]):
            return last
        time.sleep(1)
    raise AssertionError(f"kafka status never matched; last: {last}")


@pytest.fixture(scope="module")
def rk(lab, zk_dist, kafka3_dist, zkctl_bin, tmp_path_factory):
    lab.reset()
    d = tmp_path_factory.mktemp("racks")
    inv = d / "racks.toml"
    inv.write_text(inventory(lab, zk_dist, kafka3_dist))
    zk = Zkctl(zkctl_bin, tmp_path_factory.mktemp("zkctl-home-racks"))
    zk.inventory = inv
    # The same cluster with two voters in rack r1: one rack's loss breaks the quorum.
    zk.skewed = d / "racks-skewed.toml"
    zk.skewed.write_text(inventory(lab, zk_dist, kafka3_dist, zk_racks=("r1", "r1", "r2")))
    yield zk
    zk.run("stop", "--all", "-i", str(inv))


def test_six_brokers_in_three_racks_deploy_with_broker_rack(lab, rk):
    proc = rk.run("deploy", str(rk.inventory))
    assert proc.returncode == 0, proc.stderr
    assert "kafka (zookeeper mode): 6 nodes" in proc.stdout
    status = wait_kafka(rk, lambda k: k["ok"])
    k = status["kafka"]
    assert {n["id"]: n["rack"] for n in k["nodes"]} == RACK_OF
    assert [n["rack"] for n in status["nodes"]] == ["r1", "r2", "r3"]
    for b, (host, rack, install) in BROKERS.items():
        assert f"broker.rack={rack}\n" in lab.read_file(host, f"{install}/config/server.properties")
    # Kafka's CreateTopics without an assignment (the admin path zkctl's verify uses) places
    # every partition's 3 replicas in the 3 racks.
    topic = f"e2e-spread-{uuid.uuid4().hex[:8]}"
    create_topic(BOOTSTRAP, topic, partitions=6, replication=3)
    parts = metadata(topic).partitions
    assert all(len({RACK_OF[r] for r in p.replicas}) == 3 for p in parts.values()), \
        {p.id: p.replicas for p in parts.values()}
    proc = rk.run("verify", "-n", "20")
    assert proc.returncode == 0, tail(proc)


def test_check_and_plan_warn_about_racks(lab, rk):
    # A topic placed by hand in one rack (RF 2 in r1 although 2 racks could hold it), and an
    # inventory whose rack r1 holds 2 of the 3 voters.
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    admin.create_topics([NewTopic("one-rack", 1, replica_assignment=[[11, 14]])])["one-rack"].result(30)
    proc = rk.run("check", str(rk.skewed))
    out = proc.stdout
    assert "racks" in out and "WARN" in out, out
    assert ("topic one-rack: 1 of 1 partitions have their replicas in fewer racks than they "
            "could (one-rack-0: replicas 11@r1, 14@r1, 1 of 2 racks it could use)") in out, out
    assert ("zookeeper: losing rack r1 (voters node1, node2) leaves 1 of 3 voters; a quorum "
            "needs 2") in out, out
    proc = rk.run("plan", str(rk.skewed))
    assert proc.returncode == 0, proc.stderr
    assert "warning: racks: zookeeper: losing rack r1" in proc.stdout, proc.stdout
    assert "warning: racks: topic one-rack:" in proc.stdout, proc.stdout
    # The inventory as deployed: the topic's warning only; then without the topic, none.
    admin.delete_topics(["one-rack"])["one-rack"].result(30)
    deadline = time.monotonic() + 30
    while "one-rack" in admin.list_topics(timeout=10).topics and time.monotonic() < deadline:
        time.sleep(0.5)
    proc = rk.run("check", str(rk.inventory))
    assert "every quorum survives the loss of any one rack" in proc.stdout, proc.stdout
    record_case("racks: check and plan warnings", "2 of 3 voters in r1; a topic in one rack",
                "WARN racks: the rack, its voters, the topic and a partition named")


def test_restart_by_rack_rolls_rack_after_rack_under_load(lab, rk):
    _, status = rk.status()
    controller = status["kafka"]["controller"]
    before = broker_pids(lab)
    topic = f"e2e-byrack-{uuid.uuid4().hex[:8]}"
    create_topic(BOOTSTRAP, topic, partitions=6, replication=3)
    consumer = BackgroundConsumer(BOOTSTRAP, topic).start()
    producer = SequencedProducer(BOOTSTRAP, topic, resend_on=RESEND_ON).start()
    try:
        consumer.wait_reading()
        t0 = time.monotonic()
        proc = rk.run("restart", "--by-rack", timeout=900)
        took = time.monotonic() - t0
        time.sleep(2)
    finally:
        producer.stop()
    lost = consumer.stop(producer.acked)
    print(f"restart --by-rack: {took:.1f} s; produced {producer.sent}, acknowledged "
          f"{len(producer.acked)}, delivery errors {len(producer.errors)}, produced again "
          f"after a sequence reset {len(producer.resent)}, lost {len(lost)}; "
          f"errors: {Counter(producer.errors).most_common(3)}")
    record_case("rack-batched roll under acks=all load (6 brokers, 3 racks, min ISR 2)",
                "zkctl restart --by-rack", f"exit {proc.returncode}, 3 racks restarted together "
                f"in {took:.0f} s", messages_sent=producer.sent,
                messages_acknowledged=len(producer.acked), messages_lost=len(lost),
                delivery_errors=len(producer.errors),
                produced_again_after_sequence_reset=len(producer.resent))
    assert proc.returncode == 0, tail(proc)
    for rack, ids in (("r1", "11, 14"), ("r2", "12, 15"), ("r3", "13, 16")):
        assert f"rack {rack} (brokers {ids}) restarted together" in proc.stdout + proc.stderr
    assert "one at a time instead" not in proc.stdout + proc.stderr
    # The controller's rack last: its brokers come last in the roll's order.
    order = proc.stdout.strip().split("done: ")[1].split(" -> ")
    last_rack = RACK_OF[controller]
    assert {RACK_OF[int(o.split("kafka ")[1].rstrip(")"))] for o in order[-2:]} == {last_rack}
    after = broker_pids(lab)
    assert all(after[b] not in (None, before[b]) for b in BROKERS), (before, after)
    assert len(producer.acked) > 100 and lost == set()
    # Every batch kept min.insync.replicas in sync: no message failed beyond its retries
    # (NOT_ENOUGH_REPLICAS, timeouts...), and nothing is left unresolved.
    assert producer.errors == [], Counter(producer.errors).most_common(3)
    assert producer.unresolved == 0
    status = wait_kafka(rk, lambda k: k["ok"] and k["under_replicated"] == 0)


def test_restart_by_rack_stops_at_a_partition_below_min_isr_and_names_it(lab, rk):
    # A broker of rack r3 stopped outside zkctl (r3 is never the roll's first rack: racks go
    # in inventory order, the controller's last): its partitions sit at ISR 2/3 = min 2, so
    # neither the first rack together nor its first broker alone may go; the roll stops,
    # exit 4, naming a partition, and restarts no broker.
    _, status = rk.status()
    down = 16 if status["kafka"]["controller"] == 13 else 13
    topic = f"e2e-byrack-gate-{uuid.uuid4().hex[:8]}"
    create_topic(BOOTSTRAP, topic, partitions=3, replication=3)
    consumer = BackgroundConsumer(BOOTSTRAP, topic).start()
    producer = SequencedProducer(BOOTSTRAP, topic, resend_on=RESEND_ON).start()
    try:
        lab.kill("node3", broker_pid(lab, down), signal.SIGTERM)
        wait_kafka(rk, lambda k: k["under_replicated"] > 0, 60)
        deadline = time.monotonic() + 60  # its controlled shutdown ends with the JVM gone
        while broker_pid(lab, down) is not None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert broker_pid(lab, down) is None, f"broker {down} still runs after SIGTERM"
        before = broker_pids(lab)
        proc = rk.run("restart", "--by-rack", "--wait-timeout", "30")
        after = broker_pids(lab)
        time.sleep(1)
    finally:
        producer.stop()
    lost = consumer.stop(producer.acked)
    record_case("rack-batched roll with a partition already at min ISR (a broker stopped)",
                f"SIGTERM of broker {down} (r3); zkctl restart --by-rack",
                f"exit {proc.returncode}, partition named, no broker restarted",
                messages_sent=producer.sent, messages_acknowledged=len(producer.acked),
                messages_lost=len(lost))
    try:
        assert proc.returncode == 4, tail(proc)
        err = proc.stderr
        assert "ISR 2/3 (min 2), 1 without broker" in err and "stopped at" in err, err
        assert after == before
        assert lost == set()
    finally:
        # Restore, whatever happened: the stopped broker back, everything in sync (the
        # module's next case rolls the same cluster).
        restart = rk.run("start")
        assert restart.returncode == 0, restart.stderr
        wait_kafka(rk, lambda k: k["ok"] and k["under_replicated"] == 0)


def test_deploy_by_rack_restarts_each_racks_brokers_together(lab, rk, tmp_path):
    # A changed server.properties on every broker: deploy --by-rack restarts them rack by rack:
    # a rack's first broker's step restarts both, the second's then has nothing left to do.
    changed = tmp_path / "racks-changed.toml"
    changed.write_text(rk.inventory.read_text().replace('"num.partitions" = 3',
                                                        '"num.partitions" = 4'))
    before = broker_pids(lab)
    t0 = time.monotonic()
    proc = rk.run("deploy", "--by-rack", str(changed), timeout=900)
    took = time.monotonic() - t0
    assert proc.returncode == 0, tail(proc)
    assert "restarted 0" in proc.stdout  # ZooKeeper: nothing changed
    after = broker_pids(lab)
    assert all(after[b] not in (None, before[b]) for b in BROKERS), (before, after)
    out = proc.stdout + proc.stderr
    # (a real restart takes seconds; the rack's second broker's step under one)
    assert len(re.findall(r"kafka 1\d rolling restart: ok \(0\.\ds\)", out)) == 3, out
    assert "one at a time instead" not in out
    record_case("deploy --by-rack of a changed server.properties", "num.partitions 3 -> 4",
                f"exit 0, 6 brokers restarted rack by rack in {took:.0f} s")


def test_restart_names_one_of_a_hosts_two_brokers_by_its_id(lab, rk):
    # node1 holds brokers 11 and 14: NODE "14" restarts that broker alone, and its steps say
    # which broker they are; a name that is neither a host nor an id lists what is.
    before = broker_pids(lab)
    proc = rk.run("restart", "14")
    assert proc.returncode == 0, tail(proc)
    assert "[node1] kafka 14 stop: ok" in proc.stderr, proc.stderr
    after = broker_pids(lab)
    assert after[14] not in (None, before[14])
    assert all(after[b] == before[b] for b in BROKERS if b != 14), (before, after)
    bad = rk.run("restart", "17")
    assert bad.returncode == 2, bad.stderr
    assert "no node '17' in cluster racks" in bad.stderr and "node1 (kafka 14)" in bad.stderr
    wait_kafka(rk, lambda k: k["ok"] and k["under_replicated"] == 0)


# Drain, removal and rebalance (#15). The previous case deployed num.partitions = 4: the
# inventories below keep it, so deploy changes nothing on the brokers that stay.
def deployed_inventory(rk) -> str:
    return rk.inventory.read_text().replace('"num.partitions" = 3', '"num.partitions" = 4')


def without_broker(text: str, broker: int) -> str:
    # The node's table: its header, then every line up to the next table's (a value may hold
    # a "[", as log_dirs does).
    out = re.sub(rf'\n\[\[kafka\.nodes\]\]\nhost = "[^"]+"\nid = {broker}\n(?:[^\[\n][^\n]*\n|\n)*',
                 "\n", text)
    assert f"id = {broker}\n" not in out
    return out


def replicas_per_broker() -> dict[int, int]:
    from confluent_kafka.admin import AdminClient
    counts = {b: 0 for b in BROKERS}
    for t in AdminClient({"bootstrap.servers": BOOTSTRAP}).list_topics(timeout=10).topics.values():
        for p in t.partitions.values():
            for r in p.replicas:
                counts[r] = counts.get(r, 0) + 1
    return counts


def leaders_of(broker: int) -> int:
    from confluent_kafka.admin import AdminClient
    topics = AdminClient({"bootstrap.servers": BOOTSTRAP}).list_topics(timeout=10).topics
    return sum(p.leader == broker for t in topics.values() for p in t.partitions.values())


def under_load(topic: str, action):
    """Runs `action()` between a started acks=all producer (min ISR 2) and consumer on a new
    topic; returns (action's result, producer, lost sequence numbers)."""
    create_topic(BOOTSTRAP, topic, partitions=6, replication=3)
    consumer = BackgroundConsumer(BOOTSTRAP, topic).start()
    producer = SequencedProducer(BOOTSTRAP, topic, resend_on=RESEND_ON).start()
    try:
        consumer.wait_reading()
        result = action()
        time.sleep(2)
    finally:
        producer.stop()
    return result, producer, consumer.stop(producer.acked)


def run_creating_a_topic_midway(rk, topic: str, *args: str) -> subprocess.CompletedProcess:
    """`zkctl ARGS`, with `topic` (6 partitions, 3 replicas: some on every broker) created once
    its first moves are under way, so after the plan was read."""
    out, err = rk.home / f"{topic}.out", rk.home / f"{topic}.err"
    with out.open("w") as o, err.open("w") as e:
        proc = subprocess.Popen([str(rk.binary), *args], env=rk.env, text=True, stdout=o, stderr=e,
                                stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while "partition(s) left" not in err.read_text() and proc.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    create_topic(BOOTSTRAP, topic, partitions=6, replication=3)
    proc.wait(timeout=900)
    done = subprocess.CompletedProcess(args, proc.returncode, out.read_text(), err.read_text())
    print(f"$ zkctl {' '.join(args)}  -> exit {done.returncode}\n{done.stdout}{done.stderr}")
    return done


def test_drain_moves_every_replica_and_leader_off_a_broker_under_load(lab, rk):
    # The rolls above left leadership on the brokers restarted last (Kafka moves it back
    # within leader.imbalance.check.interval.seconds, 5 min): preferred leaders first, so
    # broker 11 leads partitions the drain must move.
    elect = lab.exec("node1", ["/opt/kafka/current/bin/kafka-leader-election.sh",
                               "--bootstrap-server", "node1:9092", "--election-type", "PREFERRED",
                               "--all-topic-partitions"], timeout=120)
    assert leaders_of(11) > 0, elect.stdout + elect.stderr
    dry = rk.run("drain", "11", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    plan = json.loads(dry.stdout)
    assert plan["what"] == "drain broker 11" and plan["refusals"] == []
    assert plan["partitions"] == replicas_per_broker()[11] == len(plan["moves"])
    for m in plan["moves"]:
        assert 11 in m["from"] and 11 not in m["to"]
        assert len({RACK_OF[r] for r in m["to"]}) == len({RACK_OF[r] for r in m["from"]})
    assert broker_pid(lab, 11) is not None
    t0 = time.monotonic()
    # A topic created while the drain runs has replicas on 11 its plan could not know of: the
    # drain reads the metadata again after its moves and drains those too.
    midway = f"e2e-midway-{uuid.uuid4().hex[:8]}"
    proc, producer, lost = under_load(
        f"e2e-drain-{uuid.uuid4().hex[:8]}",
        lambda: run_creating_a_topic_midway(rk, midway, "drain", "11", "--throttle", "20000000"))
    took = time.monotonic() - t0
    record_case("drain of a broker holding leaders under acks=all load (min ISR 2)",
                "zkctl drain 11 --throttle 20000000",
                f"exit {proc.returncode}, broker 11 holds {replicas_per_broker()[11]} replicas, "
                f"leads {leaders_of(11)}, {took:.0f} s", messages_sent=producer.sent,
                messages_acknowledged=len(producer.acked), messages_lost=len(lost),
                delivery_errors=len(producer.errors),
                produced_again_after_sequence_reset=len(producer.resent))
    assert proc.returncode == 0, tail(proc)
    assert "partition(s) left" in proc.stderr, proc.stderr  # progress per poll
    assert "replica(s) on it: draining again" in proc.stderr, proc.stderr
    assert "throttles removed, preferred leaders elected" in proc.stdout, proc.stdout
    assert replicas_per_broker()[11] == 0 and leaders_of(11) == 0
    assert not (rk.home / "clusters" / "racks" / "reassign.json").exists()
    assert len(producer.acked) > 100 and lost == set()
    assert producer.errors == [] and producer.unresolved == 0, Counter(producer.errors)
    # Done means nothing left to do: a rerun moves nothing.
    again = rk.run("drain", "11")
    assert again.returncode == 0 and "nothing to move" in again.stdout, again.stdout


def test_a_broker_dropped_from_the_inventory_is_drained_then_stopped(lab, rk, tmp_path):
    # Broker 16 still holds data (11, emptied by the previous case, would be trivial).
    assert replicas_per_broker()[16] > 0
    smaller = tmp_path / "racks-without-16.toml"
    smaller.write_text(without_broker(deployed_inventory(rk), 16))
    plan = rk.run("plan", str(smaller))
    assert plan.returncode == 0, plan.stderr
    # node3 holds 13 and 16: the plan names which of them goes.
    assert "node3 (kafka 16): stop (controlled shutdown), its replicas drained first if any" \
        in plan.stdout, plan.stdout
    before = broker_pids(lab)
    proc, producer, lost = under_load(f"e2e-remove-{uuid.uuid4().hex[:8]}",
                                      lambda: rk.run("deploy", str(smaller), timeout=900))
    after = broker_pids(lab)
    record_case("removal of a broker holding data from the inventory, under load",
                "broker 16 dropped; zkctl deploy",
                f"exit {proc.returncode}, drained ({replicas_per_broker()[16]} replicas left), "
                "then stopped", messages_sent=producer.sent,
                messages_acknowledged=len(producer.acked), messages_lost=len(lost),
                delivery_errors=len(producer.errors),
                produced_again_after_sequence_reset=len(producer.resent))
    assert proc.returncode == 0, tail(proc)
    assert after[16] is None
    assert all(after[b] == before[b] for b in BROKERS if b != 16), (before, after)
    assert replicas_per_broker()[16] == 0
    assert lost == set()
    assert producer.errors == [] and producer.unresolved == 0, Counter(producer.errors)


def test_a_broker_added_back_gets_replicas_from_rebalance(lab, rk):
    full = rk.inventory.with_name("racks-deployed.toml")
    full.write_text(deployed_inventory(rk))
    proc = rk.run("deploy", str(full), timeout=900)
    assert proc.returncode == 0, tail(proc)
    wait_kafka(rk, lambda k: k["ok"])
    assert replicas_per_broker()[16] == 0
    dry = rk.run("rebalance", "--dry-run")
    assert dry.returncode == 0 and "rebalance: " in dry.stdout, tail(dry)
    t0 = time.monotonic()
    proc = rk.run("rebalance", "--throttle", "20000000", timeout=900)
    took = time.monotonic() - t0
    counts = replicas_per_broker()
    record_case("broker added back + rebalance", "deploy with broker 16; zkctl rebalance",
                f"exit {proc.returncode}, replicas per broker {counts}, {took:.0f} s")
    assert proc.returncode == 0, tail(proc)
    assert counts[16] > 0 and counts[11] > 0
    for a, b in ((11, 14), (12, 15), (13, 16)):  # each rack's two brokers evened out
        assert abs(counts[a] - counts[b]) <= 1, counts
    assert leaders_of(16) > 0
    # Balanced: a second plan has nothing to move.
    again = rk.run("rebalance", "--dry-run", "--json")
    assert json.loads(again.stdout)["partitions"] == 0, again.stdout
