"""End to end: `zkctl backup` and `backup verify` of a KRaft cluster's metadata (Kafka 4,
three combined broker+controller nodes kf1..kf3 of inventories/kraft.toml, with snapshots
every few seconds so the topic created here is in one), a real client (confluent-kafka)
creating a topic with a config; a damaged copy refused by verify; restore refuses the
kind. One deploy: the tests run in file order and share the cluster and the archive."""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import time

import pytest

from lab import REPO
from zk_helpers import tail, Zkctl, inventory_variant

KRAFT = REPO / "inventories" / "kraft.toml"
HOSTS = ("kf1", "kf2", "kf3")
BOOTSTRAP = "kf1:9092,kf2:9092,kf3:9092"
TOPIC = "kraft-backed-up"
METADATA = "/var/lib/kafka/data/__cluster_metadata-0"
KAFKA_PATTERN = r"kafka\.Kafka "


@pytest.fixture(scope="module")
def kraft(lab, kafka4_dist, zkctl_bin, tmp_path_factory) -> tuple[Zkctl, object]:
    lab.add_hosts(*HOSTS)
    lab.reset(list(HOSTS))
    inv = inventory_variant(
        tmp_path_factory.mktemp("inv") / "kraft-snapshots.toml", base=KRAFT,
        replace={'"group.initial.rebalance.delay.ms"':
                 '0\n"metadata.log.max.snapshot.interval.ms" = 3000'})
    zk = Zkctl(zkctl_bin, tmp_path_factory.mktemp("zkctl-home-kbackup"))
    proc = zk.run("deploy", str(inv))
    assert proc.returncode == 0, tail(proc)
    return zk, inv


@pytest.fixture(scope="module")
def state() -> dict:
    return {}


def test_backup_takes_a_followers_newest_snapshot(lab, kraft, state, tmp_path_factory):
    zk, inv = kraft
    from confluent_kafka.admin import AdminClient, NewTopic
    for h in HOSTS:
        lab.exec(h, "touch /tmp/kbackup-mark")
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    admin.create_topics([NewTopic(TOPIC, 3, 3, config={"retention.ms": "4321000"})])[
        TOPIC].result(30)
    deadline = time.monotonic() + 60  # every controller snapshots the topic's records
    while any(lab.exec(h, f"find {METADATA} -name '*.checkpoint' -newer /tmp/kbackup-mark "
                          "| grep -q .").returncode != 0 for h in HOSTS):
        assert time.monotonic() < deadline, "no new metadata snapshot after the topic"
        time.sleep(1)
    out = tmp_path_factory.mktemp("archives") / "kraft.tar"
    proc = zk.run("backup", "-i", str(inv), "--out", str(out), "--json")
    assert proc.returncode == 0, tail(proc)
    m = json.loads(proc.stdout)["manifest"]
    assert m["kind"] == "kraft-metadata" and m["cluster"] == "kraft"
    code, status = zk.status("-i", str(inv))
    leader = status["kafka"]["quorum"]["leader_id"]
    assert m["server"]["mode"] == "follower" and m["server"]["id"] != leader, (m, leader)
    host = m["server"]["host"]
    meta = lab.read_file(host, "/var/lib/kafka/data/meta.properties")
    assert f"cluster.id={m['cluster_id']}" in meta
    assert m["kafka_version"].startswith("4.") and m["record_count"] > 0
    names = [x["name"] for x in m["members"]]
    assert names[0] == "meta.properties" and names[1].startswith("__cluster_metadata-0/")
    assert names[1].endswith(f"{m['snapshot']['offset']:020d}-{m['snapshot']['epoch']:010d}"
                             ".checkpoint")
    state["archive"], state["manifest"] = out, m
    proc = zk.run("backup", "-i", str(inv), "--out", str(out.with_name("plain.tar")))
    assert proc.returncode == 0, tail(proc)
    assert re.search(r"backup of kraft from kf\d \(node \d, follower\): metadata snapshot at "
                     r"offset \d+, epoch \d+, cluster id " + m["cluster_id"], proc.stdout)
    assert re.search(r"records: [1-9]\d*, read by Kafka 4\.", proc.stdout), proc.stdout


def test_verify_reads_the_snapshot_with_kafka(kraft, state):
    zk, inv = kraft
    proc = zk.run("backup", "verify", str(state["archive"]), "-i", str(inv))
    assert proc.returncode == 0, tail(proc)
    assert "verified" in proc.stdout and TOPIC in proc.stdout
    proc = zk.run("backup", "verify", str(state["archive"]), "-i", str(inv), "--json")
    j = json.loads(proc.stdout)
    assert j["ok"] and j["dump"]["records"] == state["manifest"]["record_count"] > 0
    assert TOPIC in j["dump"]["topics"]


def rewrite(src, dest, change) -> None:
    """Copy archive `src` to `dest` with the snapshot member's bytes changed by `change`;
    the manifest's sha256 and size follow (so only Kafka's own check can find it)."""
    with tarfile.open(src) as t:
        members = [(i, t.extractfile(i).read()) for i in t.getmembers()]
    manifest = json.loads(members[0][1])
    out = []
    for info, data in members[1:]:
        if info.name.endswith(".checkpoint"):
            data = change(data)
            for x in manifest["members"]:
                if x["name"] == info.name:
                    x["sha256"], x["size"] = hashlib.sha256(data).hexdigest(), len(data)
        out.append((info.name, data))
    with tarfile.open(dest, "w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in [("manifest.json", json.dumps(manifest).encode())] + out:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))


def test_damaged_archives_are_refused_by_verify(kraft, state, tmp_path):
    zk, inv = kraft
    raw = state["archive"].read_bytes()
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 0xFF  # inside the snapshot member: its sha256 differs
    bad = tmp_path / "flipped.tar"
    bad.write_bytes(bytes(flipped))
    proc = zk.run("backup", "verify", str(bad), "-i", str(inv))
    assert proc.returncode == 1 and "NOT VERIFIED" in proc.stdout, tail(proc)
    assert "sha256" in proc.stderr
    # Checksums made to match: Kafka's own CRC check of the record batch finds it.
    resealed = tmp_path / "resealed.tar"
    rewrite(state["archive"], resealed,
            lambda d: d[:len(d) // 2] + bytes([d[len(d) // 2] ^ 0xFF]) + d[len(d) // 2 + 1:])
    proc = zk.run("backup", "verify", str(resealed), "-i", str(inv))
    assert proc.returncode == 1 and "NOT VERIFIED" in proc.stdout, tail(proc)
    assert "isvalid: false" in proc.stderr or "could not read" in proc.stderr, proc.stderr


def test_restore_refuses_a_kraft_metadata_archive(lab, kraft, state):
    zk, inv = kraft
    before = {h: lab.pid_of(h, KAFKA_PATTERN) for h in HOSTS}
    proc = zk.run("restore", str(state["archive"]), "-i", str(inv), "--yes")
    assert proc.returncode == 2, tail(proc)
    assert "kraft-metadata backup" in proc.stderr and "nothing was changed" in proc.stderr
    assert {h: lab.pid_of(h, KAFKA_PATTERN) for h in HOSTS} == before  # nothing stopped
