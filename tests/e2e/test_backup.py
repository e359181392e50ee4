"""End to end: `zkctl backup`, `backup verify`, `restore` and `recover` on the seed ensemble
with Kafka 3.9 brokers (ZooKeeper mode) on node1..node3, real clients (kazoo for a tree of
znodes with data and ACLs, confluent-kafka for a topic with configs). One lab, few deploys:
the tests run in file order and share the cluster and the archive."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time

import pytest

from kafka_helpers import consume_all, create_topic
from lab import REPO
from zk_helpers import Zkctl, inventory_variant, leader_of, record_case, wait_status

SEED_KAFKA = REPO / "inventories" / "seed-kafka.toml"
ZK_PATTERN = r"org\.apache\.zookeeper\.server\.quorum\.QuorumPeerMain"
ZK_HOSTS = "node1:2181,node2:2181,node3:2181"
BOOTSTRAP = "node1:9092,node2:9092,node3:9092"
TOPIC = "backed-up"
TREE = "/tree"
TREE_SIZE = 2000
MOVED_HOSTS = ("node5", "node6", "node7", "nn02")


def kazoo(hosts: str = ZK_HOSTS):
    from kazoo.client import KazooClient
    c = KazooClient(hosts=hosts, timeout=10.0)
    c.start(timeout=20)
    return c


def make_tree(client) -> None:
    """TREE_SIZE znodes under TREE in 40 branches, with data; every tenth with a digest ACL."""
    from kazoo.security import make_digest_acl
    acl = [make_digest_acl("app", "secret", all=True)]  # readable by "app" only
    client.ensure_path(TREE)
    for b in range(40):
        client.create(f"{TREE}/b{b:02d}", f"branch {b}".encode())
    ops = []
    for i in range(TREE_SIZE - 40):
        path = f"{TREE}/b{i % 40:02d}/n{i:05d}"
        ops.append(client.create_async(path, (f"value-{i}-" + "x" * (i % 200)).encode(),
                                       acl=acl if i % 10 == 0 else None))
    for op in ops:
        op.get(timeout=30)


def tree_digest(client) -> tuple[int, str]:
    """Every znode under TREE with its data and ACLs, walked by a client, as (count, sha256)."""
    client.add_auth("digest", "app:secret")
    h = hashlib.sha256()
    count = 0
    stack = [TREE]
    while stack:
        path = stack.pop()
        data, _ = client.get(path)
        acls, _ = client.get_acls(path)
        h.update(path.encode() + b"\0" + data + b"\0" +
                 repr(sorted((a.perms, a.id.scheme, a.id.id) for a in acls)).encode())
        count += 1
        stack.extend(sorted(f"{path}/{c}" for c in client.get_children(path)))
    return count, h.hexdigest()


class ZxidWriter:
    """Creates sequenced znodes under /load in a background thread; records each
    acknowledged one with the zxid that created it (its czxid)."""

    def __init__(self, hosts: str = ZK_HOSTS, root: str = "/load"):
        self.client = kazoo(hosts)
        self.root = root
        self.client.ensure_path(root)
        self.acked: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        seq = 0
        while not self._stop.is_set():
            seq += 1
            try:
                _, stat = self.client.create(f"{self.root}/n{seq:08d}", str(seq).encode(),
                                             include_data=True)
                self.acked[seq] = stat.czxid
            except Exception:  # noqa: BLE001 - a failed write is not acknowledged
                time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self.client.stop()
        self.client.close()


def present(hosts: str, seqs, root: str = "/load") -> set[int]:
    c = kazoo(hosts)
    try:
        c.sync(root)
        have = {int(n[1:]) for n in c.get_children(root)} if c.exists(root) else set()
    finally:
        c.stop()
        c.close()
    return have & set(seqs)


def manifest_of(proc) -> dict:
    return json.loads(proc.stdout)["manifest"]


@pytest.fixture(scope="module")
def cluster(lab, zk_dist, kafka3_dist, zkctl_bin, tmp_path_factory):
    lab.reset()
    zk = Zkctl(zkctl_bin, tmp_path_factory.mktemp("zkctl-home-backup"))
    proc = zk.run("deploy", str(SEED_KAFKA), timeout=600)
    assert proc.returncode == 0, proc.stderr
    return zk


@pytest.fixture(scope="module")
def state() -> dict:
    """What the tests hand on: the archive, its manifest, the tree's digest, the writes."""
    return {}


def test_backup_under_write_load_and_verify(lab, cluster, state, tmp_path_factory):
    c = kazoo()
    make_tree(c)
    state["tree"] = tree_digest(c)
    c.stop()
    c.close()
    create_topic(BOOTSTRAP, TOPIC, partitions=3, replication=3)
    from confluent_kafka.admin import AdminClient, ConfigResource
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    admin.alter_configs([ConfigResource("topic", TOPIC, set_config={"retention.ms": "4321000"})])[
        ConfigResource("topic", TOPIC)].result(30)
    out = tmp_path_factory.mktemp("archives") / "seed.tar"
    writer = ZxidWriter()
    try:
        time.sleep(2)
        proc = cluster.run("backup", "--out", str(out), "--json")
        assert proc.returncode == 0, proc.stderr
        m = manifest_of(proc)
        last = int(m["zxid"]["last"], 16)
        # The writer goes on until writes newer than the archive are acknowledged (on a loaded
        # machine one fsync may stall it for longer than a fixed pause).
        deadline = time.monotonic() + 60
        while (time.monotonic() < deadline
               and sum(z > last for z in list(writer.acked.values())) < 20):
            time.sleep(0.2)
    finally:
        writer.stop()  # a failed backup leaves no writer running into the next cases
    assert m["cluster"] == "seed" and m["server"]["mode"] in ("follower", "observer")
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    before = [s for s, z in writer.acked.items() if z <= last]
    after = [s for s, z in writer.acked.items() if z > last]
    assert before and after, "the backup was not taken under load"
    state.update(archive=out, manifest=m, before=before, after=after)
    verify = cluster.run("backup", "verify", str(out))
    assert verify.returncode == 0, verify.stderr
    assert f"ZooKeeper 3.8.0 loaded it: {m['znode_count']} znodes" in verify.stdout
    assert f"last zxid {m['zxid']['last']}" in verify.stdout
    assert m["znode_count"] >= TREE_SIZE + len(before)
    record_case("backup under write load", "kazoo writes during backup",
                f"backup from {m['server']['host']} up to {m['zxid']['last']}",
                znodes=m["znode_count"], writes_before=len(before), writes_after=len(after))


def test_corrupted_archive_is_refused_and_nothing_touched(lab, cluster, state, tmp_path):
    bad = tmp_path / "bad.tar"
    data = bytearray(state["archive"].read_bytes())
    data[len(data) // 2] ^= 0x55  # inside the snapshot or a log
    bad.write_bytes(bytes(data))
    pids = {h: lab.pid_of(h, ZK_PATTERN) for h in ("node1", "node2", "node3", "nn01")}
    verify = cluster.run("backup", "verify", str(bad))
    assert verify.returncode == 1 and "sha256" in verify.stderr
    proc = cluster.run("restore", str(bad), "--yes")
    assert proc.returncode == 2 and "archive is damaged" in proc.stderr
    assert "nothing was changed" in proc.stderr
    assert {h: lab.pid_of(h, ZK_PATTERN) for h in pids} == pids
    c = kazoo()
    assert present(ZK_HOSTS, state["after"]) == set(state["after"])  # newer data still there
    c.stop()
    c.close()
    record_case("corrupted archive", "one byte flipped", "verify exit 1, restore exit 2",
                servers_restarted=0)


def test_restore_over_newer_data_is_refused_then_confirmed(lab, cluster, state):
    m = state["manifest"]
    proc = cluster.run("restore", str(state["archive"]))  # stdin closed: nobody confirms
    assert proc.returncode == 4, proc.stderr
    assert "NEWER than the archive" in proc.stdout and "not confirmed" in proc.stderr
    assert present(ZK_HOSTS, state["after"]) == set(state["after"])
    proc = cluster.run("restore", str(state["archive"]), "--yes", timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "verified" in proc.stdout
    assert present(ZK_HOSTS, state["before"]) == set(state["before"])
    assert present(ZK_HOSTS, state["after"]) == set()  # the archive's point in time exactly
    c = kazoo()
    assert tree_digest(c) == state["tree"]
    c.stop()
    c.close()
    record_case("restore over newer data", "restore without, then with --yes",
                "refused (exit 4), then restored and verified",
                before_present=len(state["before"]), after_gone=len(state["after"]),
                znodes=m["znode_count"])


def test_destroy_fresh_deploy_restore_brings_kafka_back(lab, cluster, state, tmp_path):
    assert cluster.run("destroy", "--yes", "--purge-data", timeout=600).returncode == 0
    zk_only = tmp_path / "seed-zk.toml"
    text = SEED_KAFKA.read_text()
    zk_only.write_text(text[:text.index("[kafka]")])
    assert cluster.run("deploy", str(zk_only), timeout=600).returncode == 0
    proc = cluster.run("restore", str(state["archive"]), "-i", str(zk_only), "--yes", timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert present(ZK_HOSTS, state["before"]) == set(state["before"])
    c = kazoo()
    assert tree_digest(c) == state["tree"]
    assert c.exists(f"/kafka/brokers/topics/{TOPIC}")
    c.stop()
    c.close()
    # Brokers deployed now register with the restored /cluster/id and serve the topic.
    proc = cluster.run("deploy", str(SEED_KAFKA), timeout=600)
    assert proc.returncode == 0, proc.stderr
    from confluent_kafka.admin import AdminClient, ConfigResource
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    res = ConfigResource("topic", TOPIC)
    deadline = time.monotonic() + 90
    while True:  # the new controller reads the restored topics, then tells the brokers
        try:
            configs = admin.describe_configs([res])[res].result(30)
            break
        except Exception:  # noqa: BLE001 - unknown until the metadata arrives
            assert time.monotonic() < deadline, "the restored topic never became known"
            time.sleep(1)
    assert configs["retention.ms"].value == "4321000"
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": BOOTSTRAP, "acks": "all"})
    for i in range(50):
        p.produce(TOPIC, value=f"seq-{i}".encode())
    assert p.flush(60) == 0
    seen = consume_all(BOOTSTRAP, TOPIC, set(range(50)))
    assert seen == set(range(50))
    record_case("destroy --purge-data, fresh deploy, restore", "every host's data purged",
                "restored, verified; brokers serve the restored topic",
                znodes=state["manifest"]["znode_count"], tree=state["tree"][0],
                writes_present=len(state["before"]), messages=len(seen))


def test_restore_into_other_hosts(lab, cluster, state, tmp_path):
    lab.add_hosts(*MOVED_HOSTS)
    lab.reset(list(MOVED_HOSTS))
    text = SEED_KAFKA.read_text()
    text = text[:text.index("[kafka]")].replace('name = "seed"', 'name = "moved"')
    for old, new in zip(("node1", "node2", "node3", "nn01"), MOVED_HOSTS):
        text = text.replace(f'host = "{old}"', f'host = "{new}"')
    inv = tmp_path / "moved.toml"
    inv.write_text(text)
    assert cluster.run("deploy", str(inv), timeout=600).returncode == 0
    proc = cluster.run("restore", str(state["archive"]), "-i", str(inv), "--yes", timeout=600)
    assert proc.returncode == 0, proc.stderr
    hosts = ",".join(f"{h}:2181" for h in MOVED_HOSTS[:3])
    assert present(hosts, state["before"]) == set(state["before"])
    c = kazoo(hosts)
    assert tree_digest(c) == state["tree"]
    c.stop()
    c.close()
    _, status = cluster.status("-i", str(inv))
    assert status["quorum"]["ok"]
    record_case("restore into other hosts", "a fresh 3+1 ensemble on node5-7, nn02",
                "restored and verified", tree=state["tree"][0], writes_present=len(state["before"]))
    assert cluster.run("destroy", "-i", str(inv), "--yes", "--purge-data").returncode == 0


def test_recover_from_the_survivor_after_losing_two_voters(lab, cluster, state):
    writer = ZxidWriter(root="/after-restore")
    time.sleep(3)
    writer.stop()
    acked = dict(writer.acked)
    assert acked
    for h in ("node2", "node3"):
        lab.kill(h, lab.pid_of(h, ZK_PATTERN), 9)
        lab.exec(h, "find /var/lib/zookeeper -mindepth 1 -delete", check=True)
    inv = ("-i", str(SEED_KAFKA))  # the last deploy recorded is the moved cluster
    wait_status(cluster, lambda s: not s["quorum"]["ok"], 30, *inv)
    proc = cluster.run("recover", *inv, "--yes", timeout=900)
    assert proc.returncode == 0, proc.stderr
    m = re.search(r"rebuilding from (\S+) at zxid (0x[0-9a-f]+)", proc.stdout)
    assert m, proc.stdout
    survivor, zxid = m.group(1), int(m.group(2), 16)
    assert survivor in ("node1", "nn01")
    # Without a quorum the brokers' controlled shutdown cannot finish: killed after 15 s
    # rather than left to retry for about two minutes.
    assert "one still running 15s after its SIGTERM is killed" in proc.stdout, proc.stdout
    status = wait_status(cluster, lambda s: s["quorum"]["ok"] and leader_of(s) is not None, 60,
                         *inv)
    wait_status(cluster, lambda s: s["kafka"]["ok"], 180, *inv)  # brokers back, logs recovered
    upto = [s for s, z in acked.items() if z <= zxid]
    assert present(ZK_HOSTS, upto, "/after-restore") == set(upto)
    c = kazoo()
    assert tree_digest(c) == state["tree"]
    c.stop()
    c.close()
    record_case("two of three voters' data destroyed", "node2, node3 killed, data dirs emptied",
                f"recover from {survivor} at {m.group(2)}", writes=len(acked),
                present_up_to_zxid=len(upto), beyond=len(acked) - len(upto),
                leader=int(status["quorum"]["ok"]))
