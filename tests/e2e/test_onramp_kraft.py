"""End to end: the security on-ramp (#13) of a KRaft cluster: the open Kafka 4 layout of
inventories/kraft.toml (three combined broker+controller nodes, a dynamic controller quorum)
made secure (mtls clients) phase by phase under an acks=all producer and a consumer. The
controller quorum moves through the transit listener CONTROLLER_SSL (controller_port + 10000)
while CONTROLLER changes protocol; a producer moves to TLS with a client certificate midway;
PLAINTEXT goes on the operator's word; then the open inventory takes it back. Tests run in file
order and share one cluster."""

from __future__ import annotations

import re
import time

import pytest

from kafka_helpers import (BackgroundConsumer, SequencedProducer, create_topic, lost_messages,
                           new_topic_takes_messages)
from lab import REPO
from test_security import USERS, admin_conf, kcat, librdkafka_conf, secure_variant
from zk_helpers import tail, Zkctl, deploy_in_background, record_case, security_phase

KRAFT = REPO / "inventories" / "kraft.toml"
HOSTS = ["kf1", "kf2", "kf3"]
PLAINTEXT = "kf1:9092,kf2:9092,kf3:9092"
SECURE_CLIENT = "kf1:9095,kf2:9095,kf3:9095"
INTERNAL = "kf1:9094,kf2:9094,kf3:9094"
PHASES = ["kafka-listeners", "kafka-internal", "kraft-controller-tls", "kraft-controller-home",
          "kraft-transit-off"]
TOOLS = "/opt/kafka/current/bin"
ADMIN_PROPERTIES = "/opt/kafka/config/tls/admin.properties"


class Load:
    plain: SequencedProducer | None = None
    tls: SequencedProducer | None = None
    consumer: BackgroundConsumer | None = None


@pytest.fixture(scope="module")
def kramp(lab, kafka4_dist, zkctl_bin, tmp_path_factory):
    lab.add_hosts(*HOSTS)
    lab.reset(HOSTS)
    tmp = tmp_path_factory.mktemp("onramp-kraft")
    zk = Zkctl(zkctl_bin, tmp / "home")
    zk.tmp = tmp
    zk.open_inventory = tmp / "kraft.toml"
    zk.open_inventory.write_text(KRAFT.read_text())
    # mtls: Debian's librdkafka (2.0.2) fails SCRAM against Kafka 4 (tests/integration/tls_smoke.py)
    secure = secure_variant(KRAFT, tmp / "kraft-secure.toml", USERS.replace('"scram"', '"mtls"'))
    text, n = re.subn(r"(?m)^listener_port = 9092", "listener_port = 9095", secure.read_text())
    assert n == 1
    secure.write_text(text)
    zk.inventory = secure
    zk.load = Load()
    zk.seconds = 0.0
    yield zk
    for p in (zk.load.plain, zk.load.tls):
        if p:
            p.stop()
    if zk.load.consumer:
        zk.load.consumer.stop()
    zk.run("stop", "--all", "-i", str(zk.inventory))


def record(zk: Zkctl) -> dict:
    return security_phase(zk, "kraft")


def both_lost(bootstrap: str, load: Load, conf: dict | None = None) -> list[str]:
    """The acknowledged messages of both producers (plaintext to `orders`, TLS to
    `orders-tls`) not read back through `bootstrap`."""
    return lost_messages(bootstrap, {"orders": load.plain, "orders-tls": load.tls}, conf)


def quorum_status(lab, port: int) -> str:
    """`kafka-metadata-quorum.sh describe --status` asked on kf1 through the controllers'
    listener on `port` with zkctl's admin identity (TLS)."""
    r = lab.exec("kf1", f"KAFKA_HEAP_OPTS=-Xmx128m {TOOLS}/kafka-metadata-quorum.sh "
                        f"--bootstrap-controller kf1:{port} --command-config {ADMIN_PROPERTIES} "
                        "describe --status")
    return r.stdout + r.stderr


def test_open_kraft_cluster_serves_plaintext_clients(kramp):
    proc = kramp.run("deploy", str(kramp.open_inventory))
    assert proc.returncode == 0, tail(proc)
    create_topic(PLAINTEXT, "orders")
    kramp.load.plain = SequencedProducer(PLAINTEXT, "orders").start()
    kramp.load.consumer = BackgroundConsumer(PLAINTEXT, "orders").start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not kramp.load.consumer.seen:
        time.sleep(0.2)
    assert kramp.load.plain.acked and kramp.load.consumer.seen


def test_plan_names_the_kraft_phases(kramp):
    proc = kramp.run("plan", str(kramp.inventory))
    assert proc.returncode == 0, tail(proc)
    for i, phase in enumerate(PHASES, 1):
        assert f"security phase {i}/5: {phase}" in proc.stdout, proc.stdout
    assert "restarts: 3 KRaft controllers (quorum-gated)" in proc.stdout
    assert "CONTROLLER_SSL://:19093" in proc.stdout  # the first phase's diff
    proc = kramp.run("plan", "--drop-plaintext", str(kramp.inventory))
    assert "security phase 6/6: secure" in proc.stdout, proc.stdout
    assert record(kramp) == {}


def test_onramp_moves_the_quorum_over_tls_under_load(lab, kramp):
    started = time.monotonic()
    proc, log = deploy_in_background(kramp, "onramp")
    transit_status = ""
    while proc.poll() is None:
        rec = record(kramp)
        # Users exist once kafka-internal is done: a producer moves to TLS, and the quorum,
        # on CONTROLLER_SSL meanwhile, lists every voter's transit endpoint.
        if not transit_status and rec.get("phase") == "kafka-internal":
            transit_status = quorum_status(lab, 19093)
            move_producer_to_tls(kramp)
        time.sleep(0.5)
    out = log.read_text()
    print(out)
    print(transit_status)
    kramp.seconds += time.monotonic() - started
    assert proc.returncode == 0, out
    for phase in PHASES:
        assert f"security phase {phase}: done" in out, out
    assert record(kramp)["phase"] == "kraft-transit-off"
    assert transit_status, "kafka-internal was never recorded as reached"
    voters = transit_status.split("CurrentVoters:", 1)[-1].split("\n", 1)[0]
    assert voters.count("CONTROLLER_SSL://") == 3 and voters.count(":19093") == 3, transit_status
    # The quorum is back on CONTROLLER, now TLS; the transit endpoints are gone.
    status = quorum_status(lab, 9093)
    assert "LeaderId" in status and "CONTROLLER_SSL" not in status, status
    for h in HOSTS:
        props = lab.read_file(h, "/opt/kafka/config/server.properties")
        assert "controller.listener.names=CONTROLLER\n" in props, props
        assert "CONTROLLER:SSL" in props and "19093" not in props, props
    assert kramp.load.plain.acked and kramp.load.tls.acked


def move_producer_to_tls(kramp: Zkctl) -> None:
    out = kramp.tmp / "app"
    proc = kramp.run("client-config", "app", "--out", str(out), "-i", str(kramp.inventory))
    assert proc.returncode == 0, proc.stderr
    conf = librdkafka_conf(out / "librdkafka.conf")
    conf.pop("bootstrap.servers", None)
    # A topic of its own: both producers number their messages from 0.
    create_topic(INTERNAL, "orders-tls", conf=admin_conf(kramp, "kraft"))
    kramp.load.tls = SequencedProducer(SECURE_CLIENT, "orders-tls", conf=conf).start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not kramp.load.tls.acked:
        time.sleep(0.5)
    if not kramp.load.tls.acked:  # what the client meets, for the failure's report
        tls = kramp.load.tls
        print(f"TLS producer: nothing acknowledged in 30 s; thread alive "
              f"{tls._thread.is_alive()}, sent {tls.sent}, errors {tls.errors[:5]}")
        r = kcat(out / "librdkafka.conf", "-L", "-t", "orders-tls")
        print(r.stdout, r.stderr)


def test_drop_plaintext_and_nothing_lost(kramp):
    load = kramp.load
    load.plain.stop()  # the operator moved the last plaintext clients
    load.consumer.stop(load.plain.acked)
    started = time.monotonic()
    proc = kramp.run("deploy", "--drop-plaintext", str(kramp.inventory), timeout=900)
    assert proc.returncode == 0, tail(proc)
    kramp.seconds += time.monotonic() - started
    assert record(kramp)["phase"] == "secure"
    time.sleep(3)
    load.tls.stop()
    code, status = kramp.status()
    assert code == 0 and status["kafka"]["ok"], status
    admin = admin_conf(kramp, "kraft")
    lost = both_lost(INTERNAL, load, conf=admin)
    consumer_missed = sorted(load.plain.acked - load.consumer.seen)
    record_case("on-ramp open -> secure (KRaft, Kafka 4)",
                "6 phases (quorum through CONTROLLER_SSL), producer to TLS (mtls) midway; "
                "--drop-plaintext", f"{kramp.seconds:.0f} s",
                msgs_sent=load.plain.sent + load.tls.sent,
                msgs_acked=len(load.plain.acked) + len(load.tls.acked),
                msgs_lost=len(lost), msgs_failed=len(load.plain.errors) + len(load.tls.errors),
                consumer_missed=len(consumer_missed))
    assert lost == [], lost[:20]
    assert consumer_missed == [], consumer_missed[:20]
    assert not load.plain.errors and not load.tls.errors, (load.plain.errors + load.tls.errors)[:5]
    assert load.plain.unresolved == 0 and load.tls.unresolved == 0


def test_going_back_to_open_keeps_everything(lab, kramp):
    """The open inventory deployed on the secure KRaft cluster: the same phases in reverse
    (PLAINTEXT back first, the quorum through CONTROLLER_SSL again), every message of the
    on-ramp read back in plaintext, and a new topic takes messages."""
    load = kramp.load
    plan = kramp.run("plan", str(kramp.open_inventory))
    assert plan.returncode == 0, tail(plan)
    assert "kraft-transit-off" in plan.stdout, plan.stdout
    started = time.monotonic()
    proc = kramp.run("deploy", str(kramp.open_inventory), timeout=1500)
    took = time.monotonic() - started
    assert proc.returncode == 0, tail(proc)
    assert record(kramp)["phase"] == "open"
    kramp.inventory = kramp.open_inventory  # for the module's stop at the end
    code, status = kramp.status()
    assert code == 0 and status["kafka"]["ok"], status
    for h in HOSTS:
        props = lab.read_file(h, "/opt/kafka/config/server.properties")
        assert "CONTROLLER:PLAINTEXT" in props and "SSL" not in props, props
    lost = both_lost(PLAINTEXT, load)
    after_acked, after_seen = new_topic_takes_messages(PLAINTEXT, "after-open")
    record_case("secure -> open again (KRaft, Kafka 4)",
                "the open inventory deployed: the phases in reverse",
                f"exit 0 in {took:.0f} s", msgs_lost=len(lost), new_topic_acked=len(after_acked),
                new_topic_lost=len(after_acked - after_seen))
    assert lost == [], lost[:20]
    assert len(after_acked) > 10 and after_acked <= after_seen
