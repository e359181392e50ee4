"""End to end: Kafka clusters deployed by zkctl on the simulated hosts, real brokers.
ZooKeeper mode: Kafka 3.9 brokers 11-13 on node1..node3 over the 3+1 ensemble.
KRaft: Kafka 4.x, three combined broker+controller nodes kf1..kf3.
Tests run in file order and share the clusters."""

from __future__ import annotations

import re
import signal
import time
import uuid

import pytest

from kafka_helpers import SequencedProducer, consume_all, create_topic
from lab import REPO
from zk_helpers import tail, record_case, scrape, with_metrics, Zkctl, ZnodeWriter

# seed-kafka.toml with the ensemble's transaction log in its own dir (data_log_dir, under
# /var/log: private to each lab host), so destroy --purge-data is seen to remove it too.
# The zkk fixture writes it.
SEED_KAFKA = REPO / "inventories" / "seed-kafka.toml"
TXLOG = "/var/log/zookeeper-txlog"
KRAFT = REPO / "inventories" / "kraft.toml"
KAFKA_PATTERN = r"kafka\.Kafka "
BOOTSTRAP_ZK = "node1:9092,node2:9092,node3:9092"
# What the metrics endpoints must serve ([metrics]; templates/kafka/jmx-exporter.yml.mustache).
ZK_METRICS = {"outstanding_requests", "avg_latency", "znode_count", "num_alive_connections"}
KAFKA_METRICS = {"kafka_server_replicamanager_underreplicatedpartitions",
                 "kafka_server_replicamanager_underminisrpartitioncount",
                 "kafka_server_replicamanager_isrshrinks_total",
                 "kafka_controller_kafkacontroller_activecontrollercount",
                 "kafka_controller_kafkacontroller_offlinepartitionscount",
                 "kafka_network_requestmetrics_totaltimems", "jvm_memory_used_bytes"}
KRAFT_METRICS = {"kafka_server_raft_current_state", "kafka_server_raft_current_leader"}


def check_metrics(zk_hosts, kafka_hosts, kafka_names) -> dict[str, dict]:
    """Scrapes every node's endpoints over plain HTTP; asserts the expected names; returns the
    Kafka nodes' samples by host."""
    for h in zk_hosts:
        names = set(scrape(f"http://{h}:7000/metrics"))
        assert ZK_METRICS <= names, (h, sorted(ZK_METRICS - names))
    out = {}
    for h in kafka_hosts:
        out[h] = scrape(f"http://{h}:7071/metrics")
        assert kafka_names <= set(out[h]), (h, sorted(kafka_names - set(out[h])))
    return out


def kafka_of(status: dict) -> dict:
    return status["kafka"]


def wait_kafka(zk: Zkctl, predicate, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        _, last = zk.status()
        if predicate(last):
            return last
        time.sleep(1)
    raise AssertionError(f"kafka status never matched; last: {last}")


def kafka_pids(lab, hosts) -> dict[str, int | None]:
    return {h: lab.pid_of(h, KAFKA_PATTERN) for h in hosts}


# ---- ZooKeeper mode ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def zkk(lab, zk_dist, kafka3_dist, jmx_agent, zkctl_bin, tmp_path_factory) -> Zkctl:
    global SEED_KAFKA
    lab.reset()
    variant = tmp_path_factory.mktemp("inventory") / "seed-kafka.toml"
    text, n = re.subn(r'(?m)^data_log_dir = "".*$', f'data_log_dir = "{TXLOG}"',
                      SEED_KAFKA.read_text(), count=1)
    assert n == 1
    variant.write_text(with_metrics(text, jmx_agent))
    SEED_KAFKA = variant
    return Zkctl(zkctl_bin, tmp_path_factory.mktemp("zkctl-home-kafka"))


def test_zk_mode_deploy_registers_every_broker(lab, zkk):
    proc = zkk.run("deploy", str(SEED_KAFKA))
    assert proc.returncode == 0, proc.stderr
    assert "kafka (zookeeper mode): 3 nodes" in proc.stdout and "started 3" in proc.stdout
    code, status = zkk.status()
    assert code == 0, status
    k = kafka_of(status)
    assert k["ok"] and k["mode"] == "zookeeper"
    assert sorted(n["id"] for n in k["nodes"] if n["registered"]) == [11, 12, 13]
    assert k["controller"] in (11, 12, 13)
    assert [n["host"] for n in k["nodes"] if n["controller"]] == \
        [{11: "node1", 12: "node2", 13: "node3"}[k["controller"]]]
    assert all(n["process_up"] and n["listener_ok"] for n in k["nodes"])
    assert status["quorum"]["ok"]
    table = zkk.run("status").stdout
    assert "kafka OK: 3/3 brokers registered (zookeeper mode), controller" in table
    # The broker registered under the chroot in ZooKeeper.
    ls = lab.ssh("node1", "/opt/zookeeper/current/bin/zkCli.sh -server node1:2181 ls /kafka/brokers/ids")
    assert "[11, 12, 13]" in ls.stdout


def test_zk_mode_verify_passes(zkk):
    proc = zkk.run("verify", "--json")
    assert proc.returncode == 0, tail(proc)
    import json
    report = json.loads(proc.stdout)
    assert report["ok"] and report["lost"] == 0 and report["produced"] == 100
    assert [s["step"] for s in report["steps"]] == [
        "zookeeper round trip", "kafka create topic", "kafka produce", "kafka consume",
        "kafka delete topic"]
    text = zkk.run("verify", "-n", "20")
    assert text.returncode == 0 and "verify: OK" in text.stdout


def test_zk_mode_redeploy_changes_nothing(lab, zkk):
    before = kafka_pids(lab, ["node1", "node2", "node3"])
    proc = zkk.run("deploy", str(SEED_KAFKA))
    assert proc.returncode == 0, proc.stderr
    assert ("distribution uploaded to 0, configs changed on 0, storage formatted on 0, "
            "started 0, restarted 0") in proc.stdout
    assert kafka_pids(lab, ["node1", "node2", "node3"]) == before


def test_zk_mode_every_node_serves_metrics_with_the_expected_names(zkk):
    code, status = zkk.status()
    assert code == 0, status
    zk_hosts = [n["host"] for n in status["nodes"]]
    leader = [n["host"] for n in status["nodes"] if n["mode"] == "leader"][0]
    kafka = check_metrics(zk_hosts, ["node1", "node2", "node3"], KAFKA_METRICS)
    assert "synced_followers" in scrape(f"http://{leader}:7000/metrics")
    active = sum(v for s in kafka.values()
                 for _, v in s["kafka_controller_kafkacontroller_activecontrollercount"])
    assert active == 1
    for samples in kafka.values():
        quantiles = {labels for labels, _ in samples["kafka_network_requestmetrics_totaltimems"]}
        assert any('request="Produce"' in q and 'quantile="0.99"' in q for q in quantiles)


def test_broker_restart_under_a_producer_loses_no_acknowledged_message(lab, zkk):
    topic = f"e2e-restart-{uuid.uuid4().hex[:8]}"
    create_topic(BOOTSTRAP_ZK, topic)
    old = lab.pid_of("node2", KAFKA_PATTERN)
    producer = SequencedProducer(BOOTSTRAP_ZK, topic).start()
    try:
        time.sleep(2)
        proc = zkk.run("restart", "node2")
        time.sleep(2)
    finally:
        producer.stop()
    assert proc.returncode == 0, proc.stderr
    assert "registered, no under-replicated partitions" in proc.stdout
    assert lab.pid_of("node2", KAFKA_PATTERN) not in (None, old)
    seen = consume_all(BOOTSTRAP_ZK, topic, producer.acked)
    lost = producer.acked - seen
    print(f"produced {producer.sent}, acknowledged {len(producer.acked)}, "
          f"delivery errors {len(producer.errors)}, lost {len(lost)}")
    record_case("broker restart under a producer", "zkctl restart node2 (broker 12)",
                "exit 0, registered, 0 under-replicated", messages_sent=producer.sent,
                messages_acknowledged=len(producer.acked), messages_lost=len(lost))
    assert len(producer.acked) > 100
    assert lost == set()


def test_killing_the_controllers_broker_moves_the_controller(lab, zkk):
    _, status = zkk.status()
    old = kafka_of(status)["controller"]
    host = {11: "node1", 12: "node2", 13: "node3"}[old]
    lab.kill(host, lab.pid_of(host, KAFKA_PATTERN), signal.SIGKILL)
    # Whatever the metadata still says, a configured node's process is down: not OK, named.
    proc = zkk.run("status")
    verdict = next(line for line in proc.stdout.splitlines() if "brokers registered" in line)
    assert proc.returncode == 3 and verdict.startswith("KAFKA UNHEALTHY"), proc.stdout
    assert f"{host} ({old}) process down" in verdict, proc.stdout
    status = wait_kafka(zkk, lambda s: kafka_of(s)["controller"] not in (None, old))
    assert kafka_of(status)["controller"] in {11, 12, 13} - {old}
    proc = zkk.run("verify", "-n", "50")
    assert proc.returncode == 0, tail(proc)
    # Bring it back; the `node already exists` window of the old session is waited out.
    proc = zkk.run("start", host)
    assert proc.returncode == 0, proc.stderr
    code, status = zkk.status()
    assert code == 0 and kafka_of(status)["ok"]


def test_zk_mode_rolling_restart_rolls_the_brokers_too_controller_last(lab, zkk):
    _, status = zkk.status()
    controller = kafka_of(status)["controller"]
    before = kafka_pids(lab, ["node1", "node2", "node3"])
    # Load on both through the whole roll: sequenced znodes and acks=all messages.
    topic = f"e2e-roll-{uuid.uuid4().hex[:8]}"
    create_topic(BOOTSTRAP_ZK, topic)
    writer = ZnodeWriter("node1:2181,node2:2181,node3:2181", root="/zkctl-kafka-roll").start()
    producer = SequencedProducer(BOOTSTRAP_ZK, topic).start()
    try:
        time.sleep(1)
        proc = zkk.run("restart")
        time.sleep(1)
    finally:
        producer.stop()
        writer.stop()
    assert proc.returncode == 0, proc.stderr
    lost_messages = producer.acked - consume_all(BOOTSTRAP_ZK, topic, producer.acked)
    lost_znodes = writer.missing("nn01:2181")
    writer.close()
    print(f"whole-cluster roll: znodes attempted {writer.attempted}, acknowledged "
          f"{len(writer.acked)}, lost {len(lost_znodes)}; messages produced {producer.sent}, "
          f"acknowledged {len(producer.acked)}, delivery errors {len(producer.errors)}, "
          f"lost {len(lost_messages)}")
    record_case("whole-cluster roll (ZooKeeper then brokers) under load", "zkctl restart",
                "exit 0, controller's broker last", znodes_acknowledged=len(writer.acked),
                znodes_lost=len(lost_znodes), messages_sent=producer.sent,
                messages_acknowledged=len(producer.acked), messages_lost=len(lost_messages))
    assert len(writer.acked) > 50 and len(producer.acked) > 100
    assert lost_znodes == [] and lost_messages == set()
    order = proc.stdout.strip().split("done: ")[1].split(" -> ")
    host = {11: "node1", 12: "node2", 13: "node3"}[controller]
    assert order[0] == "nn01" and len(order) == 7  # 4 ZooKeeper servers, then 3 brokers
    assert all("(kafka" not in o for o in order[:4]) and all("(kafka" in o for o in order[4:])
    assert order[-1] == f"{host} (kafka {controller})"  # the active controller last
    after = kafka_pids(lab, ["node1", "node2", "node3"])
    assert all(after[h] not in (None, before[h]) for h in before)
    code, status = zkk.status()
    assert code == 0 and kafka_of(status)["under_replicated"] == 0


def test_zk_mode_roll_stops_at_a_partition_below_min_isr_and_names_it(lab, zkk):
    # A topic of RF 3 with min.insync.replicas 2, and one of its brokers stopped outside
    # zkctl: ISR 2/3, so restarting any other broker would leave 1 < 2. The roll (the
    # controller's broker last) must stop at the first broker it would restart, exit 4,
    # naming the partition, and restart no broker.
    _, status = zkk.status()
    controller = kafka_of(status)["controller"]
    hosts = {11: "node1", 12: "node2", 13: "node3"}
    first, down = [b for b in (11, 12, 13) if b != controller]  # down: rolled after first
    topic = f"e2e-gate-{uuid.uuid4().hex[:8]}"
    create_topic(BOOTSTRAP_ZK, topic, partitions=1, replication=3)
    lab.kill(hosts[down], lab.pid_of(hosts[down], KAFKA_PATTERN), signal.SIGTERM)
    wait_kafka(zkk, lambda s: kafka_of(s)["under_replicated"] > 0, 60)
    before = kafka_pids(lab, [hosts[first], hosts[controller]])
    proc = zkk.run("restart", "--wait-timeout", "30")
    assert proc.returncode == 4, tail(proc)
    assert f"{topic}-0 ISR 2/3 (min 2), 1 without broker {first}" in proc.stderr, proc.stderr
    assert f"stopped at {hosts[first]} (kafka {first})" in proc.stderr, proc.stderr
    assert kafka_pids(lab, [hosts[first], hosts[controller]]) == before
    record_case("roll with a partition already at min ISR (a broker stopped outside the roll)",
                f"SIGTERM of broker {down}; zkctl restart",
                f"exit 4 before any broker restarted, {topic}-0 named")
    # Restore: the stopped broker back, everything in sync for the tests that follow.
    proc = zkk.run("start", hosts[down])
    assert proc.returncode == 0, proc.stderr
    wait_kafka(zkk, lambda s: kafka_of(s)["ok"] and kafka_of(s)["under_replicated"] == 0)


def test_zk_mode_zookeeper_leader_killed_under_load_loses_nothing(lab, zkk):
    _, status = zkk.status()
    zk_leader = next(n["host"] for n in status["nodes"] if n["mode"] == "leader")
    topic = f"e2e-zkfault-{uuid.uuid4().hex[:8]}"
    create_topic(BOOTSTRAP_ZK, topic)
    writer = ZnodeWriter("node1:2181,node2:2181,node3:2181", root="/zkctl-kafka-fault").start()
    producer = SequencedProducer(BOOTSTRAP_ZK, topic).start()
    try:
        time.sleep(2)
        lab.kill(zk_leader, lab.pid_of(zk_leader, r"QuorumPeerMain"), signal.SIGKILL)
        status = wait_kafka(zkk, lambda s: s["quorum"]["ok"], 60)
        assert next(n["host"] for n in status["nodes"] if n["mode"] == "leader") != zk_leader
        proc = zkk.run("start", zk_leader)
        assert proc.returncode == 0, proc.stderr
        time.sleep(2)
    finally:
        producer.stop()
        writer.stop()
    lost_messages = producer.acked - consume_all(BOOTSTRAP_ZK, topic, producer.acked)
    lost_znodes = writer.missing("nn01:2181")
    writer.close()
    print(f"ZooKeeper leader {zk_leader} killed: znodes attempted {writer.attempted}, "
          f"acknowledged {len(writer.acked)}, lost {len(lost_znodes)}; messages produced "
          f"{producer.sent}, acknowledged {len(producer.acked)}, delivery errors "
          f"{len(producer.errors)}, lost {len(lost_messages)}")
    record_case("ZooKeeper leader killed under Kafka load", f"SIGKILL of {zk_leader}'s ZooKeeper",
                "new leader, zkctl start exit 0, brokers registered",
                znodes_acknowledged=len(writer.acked), znodes_lost=len(lost_znodes),
                messages_sent=producer.sent, messages_acknowledged=len(producer.acked),
                messages_lost=len(lost_messages))
    assert len(producer.acked) > 100
    assert lost_znodes == [] and lost_messages == set()
    status = wait_kafka(zkk, lambda s: kafka_of(s)["ok"])
    assert kafka_of(status)["under_replicated"] == 0


def test_zk_mode_stop_all_then_start_all(lab, zkk):
    proc = zkk.run("stop", "--all")
    assert proc.returncode == 0, proc.stderr
    for h in ("node1", "node2", "node3", "nn01"):
        assert lab.pid_of(h, KAFKA_PATTERN) is None
        assert lab.pid_of(h, r"QuorumPeerMain") is None
    # Brokers went down before the ensemble (their controlled shutdown needs it).
    lines = proc.stderr.splitlines()
    first_zk_stop = min(i for i, l in enumerate(lines) if "] stop:" in l)
    assert all(i < first_zk_stop for i, l in enumerate(lines) if "kafka stop:" in l)
    proc = zkk.run("start")
    assert proc.returncode == 0, proc.stderr
    code, status = zkk.status()
    assert code == 0 and kafka_of(status)["ok"]


def test_zk_mode_adding_a_broker_registers_it_and_removal_drains_it_first(lab, zkk, tmp_path):
    four = tmp_path / "four-brokers.toml"
    four.write_text(SEED_KAFKA.read_text() + '\n[[kafka.nodes]]\nhost = "nn01"\nid = 14\n')
    proc = zkk.run("deploy", str(four))
    assert proc.returncode == 0, proc.stderr
    assert "kafka (zookeeper mode): 4 nodes" in proc.stdout and "started 1" in proc.stdout
    status = wait_kafka(zkk, lambda s: 14 in [n["id"] for n in kafka_of(s)["nodes"]
                                                if n["registered"]])
    assert kafka_of(status)["ok"]
    # A topic on all four brokers cannot live on three: removing 14 is refused, the topic named.
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP_ZK})
    admin.create_topics([NewTopic("wide", 1, replica_assignment=[[11, 12, 13, 14]])])["wide"].result(30)
    # A topic whose only replica (and leader) lives on broker 14, holding messages: drained
    # onto the other brokers before 14 goes (#15; this was refused before).
    admin.create_topics([NewTopic("solo-on-14", 1, replica_assignment=[[14]])])["solo-on-14"].result(30)
    producer = Producer({"bootstrap.servers": BOOTSTRAP_ZK, "acks": "all", "log_level": 0})
    for i in range(20):
        producer.produce("solo-on-14", f"seq-{i}".encode())
    assert producer.flush(30) == 0
    pid = lab.pid_of("nn01", KAFKA_PATTERN)
    proc = zkk.run("deploy", str(SEED_KAFKA))
    assert proc.returncode == 4, proc.stderr
    assert "topic wide has replication factor 4" in proc.stderr, proc.stderr
    assert lab.pid_of("nn01", KAFKA_PATTERN) == pid
    admin.delete_topics(["wide"])["wide"].result(30)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        proc = zkk.run("deploy", str(SEED_KAFKA))
        if proc.returncode != 4:
            break
        time.sleep(2)  # the deletion reaches every broker's metadata cache shortly
    assert proc.returncode == 0, proc.stderr
    assert "[nn01] kafka stop removed node: ok" in proc.stderr and "removed 1" in proc.stdout
    assert re.search(r"drain broker 14: \d+ partition\(s\) moved", proc.stderr), proc.stderr
    assert lab.pid_of("nn01", KAFKA_PATTERN) is None
    assert lab.pid_of("nn01", r"QuorumPeerMain") is not None  # its ZooKeeper observer stays
    status = wait_kafka(zkk, lambda s: kafka_of(s)["ok"])
    assert sorted(n["id"] for n in kafka_of(status)["nodes"]) == [11, 12, 13]
    replicas = admin.list_topics("solo-on-14", timeout=10).topics["solo-on-14"].partitions[0].replicas
    assert len(replicas) == 1 and replicas[0] in (11, 12, 13), replicas
    assert consume_all(BOOTSTRAP_ZK, "solo-on-14", set(range(20))) == set(range(20))


def test_zk_mode_destroy_keeps_data_unless_purged(lab, zkk):
    proc = zkk.run("destroy")  # no confirmation on stdin: refused, nothing changed
    assert proc.returncode == 2 and "not confirmed" in proc.stderr
    assert lab.pid_of("node1", KAFKA_PATTERN) is not None
    # A file zkctl did not put into node1's Kafka install dir keeps that dir.
    lab.exec("node1", "echo mine > /opt/kafka/notes.txt", check=True)
    proc = zkk.run("destroy", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert ("kept node1:/opt/kafka (it holds 'notes.txt', which zkctl did not put there; "
            "destroy --force removes it anyway)") in proc.stdout
    assert f"kept node2:{TXLOG} (data; --purge-data removes it)" in proc.stdout
    assert lab.exec("node1", "test -f /opt/kafka/notes.txt && test -d /opt/kafka/releases").returncode == 0
    for h in ("node1", "node2", "node3"):
        assert lab.exec(h, "test -e /opt/zookeeper").returncode != 0
        assert h == "node1" or lab.exec(h, "test -e /opt/kafka").returncode != 0
        assert lab.exec(h, "test -f /var/lib/zookeeper/myid && test -f /var/lib/kafka/data/meta.properties "
                           f"&& test -d {TXLOG}/version-2").returncode == 0
        assert lab.pid_of(h, KAFKA_PATTERN) is None
    # --purge-data: data_dir (a mount point in the lab: emptied), data_log_dir and log dirs.
    proc = zkk.run("destroy", "--yes", "--purge-data")
    assert proc.returncode == 0, proc.stderr
    assert f"removed node3:{TXLOG}\n" in proc.stdout
    for h in ("node1", "node2", "node3"):
        assert lab.exec(h, f"test -e {TXLOG} || test -e /var/lib/kafka/data || "
                           "test -e /var/lib/zookeeper/myid").returncode != 0, h
    assert lab.exec("node1", "test -f /opt/kafka/notes.txt").returncode == 0


# ---- KRaft ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kraft(lab, kafka4_dist, jmx_agent, zkctl_bin, tmp_path_factory) -> Zkctl:
    global KRAFT
    variant = tmp_path_factory.mktemp("inventory") / "kraft.toml"
    variant.write_text(with_metrics(KRAFT.read_text(), jmx_agent))
    KRAFT = variant
    lab.add_hosts("kf1", "kf2", "kf3")
    lab.reset(["kf1", "kf2", "kf3"])
    return Zkctl(zkctl_bin, tmp_path_factory.mktemp("zkctl-home-kraft"))


def test_kraft_deploy_formats_once_and_forms_a_quorum(lab, kraft):
    proc = kraft.run("deploy", str(KRAFT))
    assert proc.returncode == 0, proc.stderr
    assert "kafka (kraft mode): 3 nodes" in proc.stdout
    assert "storage formatted on 3, started 3" in proc.stdout
    cluster_id = proc.stdout.split("cluster id ")[1].strip()
    assert len(cluster_id) == 22
    meta = lab.read_file("kf2", "/var/lib/kafka/data/meta.properties")
    assert f"cluster.id={cluster_id}" in meta and "node.id=2" in meta
    code, status = kraft.status()
    assert code == 0, status
    k = kafka_of(status)
    assert k["mode"] == "kraft" and k["ok"]
    assert sorted(k["quorum"]["voters"]) == [1, 2, 3]
    assert k["quorum"]["leader_id"] in (1, 2, 3) and k["controller"] == k["quorum"]["leader_id"]
    assert sorted(k["registered"]) == [1, 2, 3]


def test_kraft_every_node_serves_metrics_with_the_quorum_state(kraft):
    kafka = check_metrics([], ["kf1", "kf2", "kf3"], KAFKA_METRICS | KRAFT_METRICS)
    states = sorted(labels for s in kafka.values()
                    for labels, v in s["kafka_server_raft_current_state"] if v == 1)
    assert sum('state="leader"' in s for s in states) == 1, states
    leaders = {v for s in kafka.values() for _, v in s["kafka_server_raft_current_leader"]}
    assert len(leaders) == 1 and leaders <= {1.0, 2.0, 3.0}, leaders


def test_kraft_verify_passes(kraft):
    proc = kraft.run("verify")
    assert proc.returncode == 0, tail(proc)
    assert "100/100 read back" in proc.stdout


def test_kraft_redeploy_never_reformats(lab, kraft):
    before = kafka_pids(lab, ["kf1", "kf2", "kf3"])
    meta_before = lab.read_file("kf1", "/var/lib/kafka/data/meta.properties")
    proc = kraft.run("deploy", str(KRAFT))
    assert proc.returncode == 0, proc.stderr
    assert "storage formatted on 0, started 0, restarted 0" in proc.stdout
    assert kafka_pids(lab, ["kf1", "kf2", "kf3"]) == before
    assert lab.read_file("kf1", "/var/lib/kafka/data/meta.properties") == meta_before


def test_kraft_killed_quorum_leader_is_replaced(lab, kraft):
    _, status = kraft.status()
    old = kafka_of(status)["quorum"]["leader_id"]
    host = f"kf{old}"
    lab.kill(host, lab.pid_of(host, KAFKA_PATTERN), signal.SIGKILL)
    # Whatever the metadata still says, a configured node's process is down: not OK, named.
    proc = kraft.run("status")
    verdict = next(line for line in proc.stdout.splitlines() if "brokers registered" in line)
    assert proc.returncode == 3 and verdict.startswith("KAFKA UNHEALTHY"), proc.stdout
    assert f"{host} ({old}) process down" in verdict, proc.stdout
    status = wait_kafka(kraft, lambda s: kafka_of(s).get("quorum", {}).get("leader_id") not in (None, -1, old))
    # Once the cluster has fenced the dead broker (its session expired), the rest works.
    status = wait_kafka(kraft, lambda s: sorted(kafka_of(s)["registered"]) == sorted({1, 2, 3} - {old}))
    assert kraft.status()[0] == 3  # a configured broker is not registered: unhealthy
    proc = kraft.run("verify", "-n", "50")
    assert proc.returncode == 0, tail(proc)
    proc = kraft.run("start", host)
    assert proc.returncode == 0, proc.stderr
    code, status = kraft.status()
    assert code == 0 and sorted(kafka_of(status)["registered"]) == [1, 2, 3]


class QuorumWatch:
    """Scrapes every controller's raft metrics every half second in a thread: `gap` is the
    longest time no node reported itself the quorum leader, `leaders` every leader seen."""

    def __init__(self, hosts):
        import threading
        self.hosts, self.gap, self.leaders, self.polls = list(hosts), 0.0, set(), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _leader(self):
        for h in self.hosts:
            try:
                s = scrape(f"http://{h}:7071/metrics", timeout=1)
            except Exception:  # a killed or not yet started node
                continue
            if any('state="leader"' in labels and v == 1
                   for labels, v in s.get("kafka_server_raft_current_state", [])):
                return h
        return None

    def _run(self):
        last = time.monotonic()
        while not self._stop.is_set():
            leader = self._leader()
            self.polls += 1
            now = time.monotonic()
            if leader:
                self.leaders.add(leader)
                last = now
            self.gap = max(self.gap, now - last)
            time.sleep(0.5)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=30)


def test_kraft_controllers_added_and_removed_live_under_load(lab, kraft):
    """#15, KIP-853: the cluster was formatted with a dynamic quorum; a fourth and fifth
    controller join (observers caught up, then voters), the quorum leader is SIGKILLed, one
    controller is removed (out of the voters, then stopped): an acks=all producer
    (min.insync.replicas=2) loses nothing and the quorum always has a leader again soon."""
    props = lab.read_file("kf1", "/opt/kafka/config/server.properties")
    assert "controller.quorum.bootstrap.servers=kf1:9093,kf2:9093,kf3:9093" in props, props
    assert "controller.quorum.voters" not in props
    lab.add_hosts("kf4", "kf5")
    lab.reset(["kf4", "kf5"])
    base = KRAFT.read_text()
    ctl = '\n[[kafka.nodes]]\nhost = "{0}"\nid = {1}\nroles = ["controller"]\n'
    five = KRAFT.parent / "kraft-five.toml"
    five.write_text(base + ctl.format("kf4", 4) + ctl.format("kf5", 5))
    four = KRAFT.parent / "kraft-four.toml"
    four.write_text(base + ctl.format("kf4", 4))
    topic = f"e2e-quorum-{uuid.uuid4().hex[:8]}"
    bootstrap = "kf1:9092,kf2:9092,kf3:9092"
    create_topic(bootstrap, topic)
    watch = QuorumWatch(["kf1", "kf2", "kf3", "kf4", "kf5"]).start()
    producer = SequencedProducer(bootstrap, topic).start()
    try:
        time.sleep(2)
        plan = kraft.run("plan", str(five))
        assert plan.returncode == 0, tail(plan)
        assert "add controller" in plan.stdout, plan.stdout
        added = kraft.run("deploy", str(five))
        assert added.returncode == 0, tail(added)
        progress = added.stdout + added.stderr
        assert re.search(r"observer 4 caught up; add-controller", progress), progress
        assert re.search(r"voter 5 of the controller quorum", progress), progress
        _, status = kraft.status()
        assert sorted(kafka_of(status)["quorum"]["voters"]) == [1, 2, 3, 4, 5], status
        assert "directory.id=" in lab.read_file("kf4", "/var/lib/kafka/data/meta.properties")
        # The quorum leader killed in between: a new one among the other four voters.
        old = kafka_of(status)["quorum"]["leader_id"]
        lab.kill(f"kf{old}", lab.pid_of(f"kf{old}", KAFKA_PATTERN), signal.SIGKILL)
        wait_kafka(kraft, lambda s: kafka_of(s).get("quorum", {}).get("leader_id")
                   not in (None, -1, old))
        proc = kraft.run("start", f"kf{old}")
        assert proc.returncode == 0, proc.stderr
        wait_kafka(kraft, lambda s: kafka_of(s)["ok"], timeout=120)
        removed = kraft.run("deploy", str(four))
        assert removed.returncode == 0, tail(removed)
        assert "remove-controller 5" in removed.stdout + removed.stderr, removed.stderr
        _, status = kraft.status()
        assert sorted(kafka_of(status)["quorum"]["voters"]) == [1, 2, 3, 4], status
        assert lab.pid_of("kf5", KAFKA_PATTERN) is None
        time.sleep(2)
    finally:
        producer.stop()
        watch.stop()
    seen = consume_all(bootstrap, topic, producer.acked)
    lost = producer.acked - seen
    print(f"quorum watch: {watch.polls} polls, leaders {sorted(watch.leaders)}, longest gap "
          f"{watch.gap:.1f}s; produced {producer.sent}, acknowledged {len(producer.acked)}, "
          f"errors {len(producer.errors)}, lost {len(lost)}")
    record_case("KRaft controllers 3 -> 5 -> 4, quorum leader SIGKILLed in between",
                f"deploy +kf4 +kf5, kill -9 controller {old}, deploy -kf5",
                f"exit 0 twice, voters 1-5 then 1-4, longest leaderless {watch.gap:.1f}s",
                messages_sent=producer.sent, messages_acknowledged=len(producer.acked),
                messages_lost=len(lost))
    assert len(producer.acked) > 100
    assert lost == set()
    assert watch.polls > 10 and watch.gap < 15, watch.gap


def test_kraft_destroy_with_purge_removes_every_marked_dir(lab, kraft):
    # Kafka 4's install and log dirs carry the cluster's mark and nothing foreign: all go.
    proc = kraft.run("destroy", "--yes", "--purge-data")
    assert proc.returncode == 0, proc.stderr
    assert "kept " not in proc.stdout, proc.stdout
    for h in ("kf1", "kf2", "kf3"):
        assert f"removed {h}:/opt/kafka\n" in proc.stdout
        assert f"removed {h}:/var/lib/kafka/data\n" in proc.stdout
        assert lab.exec(h, "test -e /opt/kafka || test -e /var/lib/kafka/data").returncode != 0
        assert lab.pid_of(h, KAFKA_PATTERN) is None
