"""End to end: the security on-ramp (#13): the open seed cluster with Kafka in ZooKeeper mode
made secure phase by phase under load, interrupted once and resumed, clients moved to TLS
midway, PLAINTEXT dropped at the end on the operator's word. Tests run in file order and share
one cluster. Load: a kazoo writer (plaintext, then TLS) and acks=all producers (PLAINTEXT all
along, SASL_SSL from midway), read back at the end by a consumer."""

from __future__ import annotations

import re
import signal
import time

import pytest

from kafka_helpers import SequencedProducer, create_topic, lost_messages, new_topic_takes_messages
from lab import REPO
from test_security import USERS, admin_conf, librdkafka_conf, pki, secure_variant
from zk_helpers import tail, Zkctl, ZnodeWriter, deploy_in_background, record_case, security_phase

SEED_KAFKA = REPO / "inventories" / "seed-kafka.toml"
ZK_CONNECT = "node1:2181,node2:2181,node3:2181"
PLAINTEXT = "node1:9092,node2:9092,node3:9092"
SECURE_CLIENT = "node1:9095,node2:9095,node3:9095"
INTERNAL = "node1:9094,node2:9094"
PHASES = ["zk-unified", "zk-quorum-tls", "kafka-listeners", "kafka-internal", "zk-plaintext-off"]


class Load:
    """The clients running through the whole case."""
    zk_plain: ZnodeWriter | None = None
    zk_tls: ZnodeWriter | None = None
    kafka_plain: SequencedProducer | None = None
    kafka_tls: SequencedProducer | None = None


@pytest.fixture(scope="module")
def ramp(lab, zk_dist, kafka3_dist, zkctl_bin, tmp_path_factory):
    lab.reset()
    tmp = tmp_path_factory.mktemp("onramp")
    zk = Zkctl(zkctl_bin, tmp / "home")
    zk.tmp = tmp
    zk.open_inventory = tmp / "seed-kafka.toml"
    zk.open_inventory.write_text(SEED_KAFKA.read_text())
    secure = secure_variant(SEED_KAFKA, tmp / "seed-kafka-secure.toml", USERS)
    text, n = re.subn(r"(?m)^listener_port = 9092", "listener_port = 9095", secure.read_text())
    assert n == 1
    secure.write_text(text)
    zk.inventory = secure
    zk.load = Load()
    yield zk
    for c in (zk.load.zk_plain, zk.load.zk_tls):
        if c:
            c.stop()
            c.close()
    for p in (zk.load.kafka_plain, zk.load.kafka_tls):
        if p:
            p.stop()


def record(zk: Zkctl) -> dict:
    return security_phase(zk, "seed")


def zk_tls_args(zk: Zkctl) -> dict:
    d = pki(zk, "seed")
    return {"use_ssl": True, "ca": str(d / "ca.crt"), "certfile": str(d / "zkctl-admin.crt"),
            "keyfile": str(d / "zkctl-admin.key")}


def test_open_cluster_serves_plaintext_clients(ramp):
    proc = ramp.run("deploy", str(ramp.open_inventory))
    assert proc.returncode == 0, tail(proc)
    create_topic("node1:9092", "orders")
    ramp.load.zk_plain = ZnodeWriter(ZK_CONNECT, root="/onramp-plain").start()
    ramp.load.kafka_plain = SequencedProducer(PLAINTEXT, "orders").start()
    time.sleep(3)
    assert ramp.load.zk_plain.acked and ramp.load.kafka_plain.acked


def test_plan_names_the_phases_and_their_restarts(ramp):
    proc = ramp.run("plan", str(ramp.inventory))
    assert proc.returncode == 0, tail(proc)
    for i, phase in enumerate(PHASES, 1):
        assert f"security phase {i}/5: {phase}" in proc.stdout, proc.stdout
    assert "restarts: 4 ZooKeeper servers" in proc.stdout
    assert "restarts: 3 Kafka nodes" in proc.stdout
    assert "client.portUnification=true" in proc.stdout  # the first phase's diff
    proc = ramp.run("plan", "--drop-plaintext", str(ramp.inventory))
    assert "security phase 6/6: secure" in proc.stdout, proc.stdout
    assert record(ramp) == {}  # plan records nothing


def test_an_interrupted_onramp_resumes_where_it_stopped(ramp):
    started = time.monotonic()
    proc, log = deploy_in_background(ramp, "interrupted")
    deadline = time.monotonic() + 900
    # Mid-phase: the first broker restarted onto kafka-listeners' config, the others not yet.
    while time.monotonic() < deadline and proc.poll() is None:
        if record(ramp).get("rolling_to") == "kafka-listeners" and \
                "kafka rolling restart: ok" in log.read_text():
            break
        time.sleep(0.1)
    assert proc.poll() is None, log.read_text()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=600)
    out = log.read_text()
    print(out)
    assert proc.returncode != 0, out
    rec = record(ramp)
    assert rec["phase"] == "zk-quorum-tls" and rec["rolling_to"] == "kafka-listeners", rec
    # The rerun continues with the phase that stopped; the client moves to TLS once Kafka's
    # users exist (kafka-internal done), before ZooKeeper's plaintext goes.
    proc, log = deploy_in_background(ramp, "resumed")
    moved = False
    while proc.poll() is None:
        if not moved and record(ramp).get("rolling_to") == "zk-plaintext-off":
            move_clients_to_tls(ramp)
            moved = True
        time.sleep(0.2)
    out = log.read_text()
    print(out)
    assert proc.returncode == 0, out
    assert moved
    assert "security phase kafka-listeners: done" in out, out
    assert "restart (resumed phase)" in out, out  # the brokers the stop left behind rolled
    assert "security phase zk-unified" not in out  # not rolled again
    ramp.onramp_seconds = time.monotonic() - started
    assert record(ramp)["phase"] == "zk-plaintext-off"


def move_clients_to_tls(ramp: Zkctl) -> None:
    load = ramp.load
    load.zk_plain.stop()
    load.zk_tls = ZnodeWriter(ZK_CONNECT, root="/onramp-tls", client_args=zk_tls_args(ramp))
    load.zk_tls.start()
    out = ramp.tmp / "app"
    proc = ramp.run("client-config", "app", "--out", str(out), "-i", str(ramp.inventory))
    assert proc.returncode == 0, proc.stderr
    conf = librdkafka_conf(out / "librdkafka.conf")
    conf.pop("bootstrap.servers", None)
    ramp.app_conf = conf
    # A topic of its own: both producers number their messages from 0.
    create_topic(INTERNAL, "orders-tls", conf=admin_conf(ramp, "seed"))
    load.kafka_tls = SequencedProducer(SECURE_CLIENT, "orders-tls", conf=conf).start()


def both_lost(bootstrap: str, load, conf: dict | None = None) -> list[str]:
    """The acknowledged messages of both producers (plaintext to `orders`, TLS to
    `orders-tls`) not read back through `bootstrap`."""
    return lost_messages(bootstrap, {"orders": load.kafka_plain, "orders-tls": load.kafka_tls},
                         conf)


def test_status_shows_who_still_uses_plaintext(ramp):
    code, status = ramp.status()
    assert code == 0, status
    uses = {(u["host"], u["listener"]): u for u in status["listeners"]}
    assert uses[("node1", "PLAINTEXT")]["port"] == 9092
    assert sum(uses[(h, "PLAINTEXT")]["connections"] for h in ("node1", "node2", "node3")) > 0
    assert sum(uses[(h, "CLIENT")]["connections"] for h in ("node1", "node2", "node3")) > 0
    # A deploy without --drop-plaintext keeps PLAINTEXT and restarts nothing.
    proc = ramp.run("deploy", str(ramp.inventory))
    assert proc.returncode == 0, tail(proc)
    assert "restarted 0" in proc.stdout, proc.stdout


def test_drop_plaintext_on_the_operators_word_and_nothing_lost(ramp):
    load = ramp.load
    load.kafka_plain.stop()  # the operator moved the last plaintext client
    started = time.monotonic()
    proc = ramp.run("deploy", "--drop-plaintext", str(ramp.inventory), timeout=1200)
    assert proc.returncode == 0, tail(proc)
    ramp.onramp_seconds = getattr(ramp, "onramp_seconds", 0) + time.monotonic() - started
    assert record(ramp)["phase"] == "secure"
    time.sleep(3)
    load.zk_tls.stop()
    load.kafka_tls.stop()
    code, status = ramp.status()
    assert code == 0, status
    assert {u["listener"] for u in status["listeners"]} == {"CLIENT", "INTERNAL"}
    # The plaintext writer's znodes are read back over TLS (plaintext is off by now).
    load.zk_plain.client_args = zk_tls_args(ramp)
    zk_lost = load.zk_plain.missing(ZK_CONNECT) + load.zk_tls.missing(ZK_CONNECT)
    kafka_lost = both_lost(INTERNAL, load, conf=admin_conf(ramp, "seed"))
    zk_attempted = load.zk_plain.attempted + load.zk_tls.attempted
    zk_acked = len(load.zk_plain.acked) + len(load.zk_tls.acked)
    record_case("on-ramp open -> secure (ZooKeeper mode)",
                "5 phases, SIGTERM mid kafka-listeners, rerun; clients to TLS midway; "
                "--drop-plaintext",
                f"{ramp.onramp_seconds:.0f} s", zk_attempted=zk_attempted, zk_acked=zk_acked,
                zk_lost=len(zk_lost), msgs_sent=load.kafka_plain.sent + load.kafka_tls.sent,
                msgs_acked=len(load.kafka_plain.acked) + len(load.kafka_tls.acked),
                msgs_lost=len(kafka_lost),
                msgs_failed=len(load.kafka_plain.errors) + len(load.kafka_tls.errors))
    assert zk_lost == [], zk_lost[:20]
    assert kafka_lost == [], kafka_lost[:20]
    assert len(load.kafka_tls.acked) > 0 and len(load.zk_tls.acked) > 0


def test_going_back_to_open_opens_kafkas_znodes_and_keeps_everything(ramp):
    """The secure cluster's inventory made open again: the same phases in reverse. The brokers'
    znodes carry x509 ACLs (zookeeper.set.acl): the roll that takes the brokers off TLS to
    ZooKeeper opens them first and again after, so plaintext brokers register and act."""
    load = ramp.load
    plan = ramp.run("plan", str(ramp.open_inventory))
    assert plan.returncode == 0, tail(plan)
    assert "zookeeper-security-migration.sh --zookeeper.acl=unsecure" in plan.stdout, plan.stdout
    started = time.monotonic()
    proc = ramp.run("deploy", str(ramp.open_inventory), timeout=1500)
    took = time.monotonic() - started
    assert proc.returncode == 0, tail(proc)
    for when in ("before the roll", "after the roll"):
        assert f"open Kafka's znode ACLs ({when}): ok" in proc.stderr, proc.stderr
    assert record(ramp)["phase"] == "open"
    code, status = ramp.status()
    assert code == 0 and status["kafka"]["ok"], status
    assert all(n["registered"] for n in status["kafka"]["nodes"]), status["kafka"]
    # Everything written on the way in is read back in plaintext.
    for writer in (load.zk_plain, load.zk_tls):
        writer.client_args = {}
    zk_lost = load.zk_plain.missing(ZK_CONNECT) + load.zk_tls.missing(ZK_CONNECT)
    kafka_lost = both_lost(PLAINTEXT, load)
    # The controller writes ZooKeeper again: a new topic takes messages.
    after_acked, after_seen = new_topic_takes_messages(PLAINTEXT, "after-open")
    record_case("secure -> open again (ZooKeeper mode, authorization on)",
                "the open inventory deployed: 6 phases in reverse, znode ACLs opened",
                f"exit 0 in {took:.0f} s", zk_lost=len(zk_lost), msgs_lost=len(kafka_lost),
                new_topic_acked=len(after_acked), new_topic_lost=len(after_acked - after_seen))
    assert zk_lost == [] and kafka_lost == [], (zk_lost[:20], kafka_lost[:20])
    assert len(after_acked) > 10 and after_acked <= after_seen
