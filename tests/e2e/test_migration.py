"""End to end: the seed layout's ZooKeeper-mode Kafka (brokers 11-13 on node1..node3, Kafka
3.9, the 3+1 ensemble) moved to KRaft with three dedicated controllers beside the brokers
(ids 1-3, their own port, install and log dirs), under an acks=all producer and a consumer
group, through every phase: plan, the phases up to dual-write, a rollback to ZooKeeper mode,
the migration again with zkctl interrupted mid-phase (and a broker killed) and resumed,
finalize, then Kafka 4 as an ordinary rolling upgrade. Every message acknowledged is consumed after it; the topic's config
and the group's offsets survive.
The cluster is secure, as zkctl builds it by default (no [security] table: TLS on every
listener and peer link, SCRAM-SHA-512 clients, authorization, brokers on ZooKeeper over TLS with
zookeeper.set.acl), with one client user and its ACLs: the producer and the consumer group are
that user over SASL_SSL (its client-config), and its ACLs and SCRAM credential are read back
after finalize (kafka-acls.sh, kafka-configs.sh) as they were in ZooKeeper mode. Debian's
librdkafka 2.0.2 cannot do SCRAM against Kafka 4 (librdkafka#4895, fixed in 2.6.1), so the SCRAM
producer stops after finalize, everything it had acknowledged read back over SASL_SSL first,
and the Kafka 4 upgrade runs under a producer with zkctl's admin identity (mutual TLS, INTERNAL).
Tests run in file order and share one cluster."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import uuid

import pytest

from kafka_helpers import SequencedProducer, consume_all, create_topic
from lab import REPO
from test_security import admin_conf, librdkafka_conf, pki
from zk_helpers import tail, Zkctl, record_case

# The rollback's last roll once hung (clean-clone run of 2026-11-30): Kafka 3.9.2's broker 13,
# still in migration mode, lost its AlterPartition channel when the controller moved from KRaft
# back to a ZooKeeper broker (a race between its two controller channels' metrics, see
# src/ops/kafka/gate.cpp), so broker 12 never got back into the ISRs broker 13 leads. The roll
# now restarts such a leader ahead of its turn once it has held the restarted broker out for
# replica.lag.time.max.ms. The race is rare, so the rollback case makes a leader that cannot
# expand its ISRs itself (rollback_holding_isrs).

SEED_KAFKA = REPO / "inventories" / "seed-kafka.toml"
BOOTSTRAP = "node1:9092,node2:9092,node3:9092"  # CLIENT: SASL_SSL, SCRAM-SHA-512
INTERNAL = "node1:9094,node2:9094,node3:9094"   # INTERNAL: mutual TLS (brokers, zkctl's admin)
ZK_CONNECT = "node1:2181,node2:2181,node3:2181"  # ZooKeeper's TLS client port
ADMIN_PROPERTIES = "/opt/kafka/config/tls/admin.properties"
USER = "migrator"
USERS = f"""
[[security.users]]
name = "{USER}"
read = ["e2e-migration-"]
write = ["e2e-migration-"]
groups = ["e2e-migration-"]
"""
# What zkctl's reconcile gives the user (ops/security/users: wanted_acls), as kafka-acls.sh
# lists it: (resource type, name, pattern type, principal, operation, permission).
USER_ACLS = {(kind, "e2e-migration-", "PREFIXED", f"User:{USER}", op, "ALLOW")
             for kind, op in (("TOPIC", "READ"), ("TOPIC", "WRITE"), ("TOPIC", "DESCRIBE"),
                              ("GROUP", "READ"))}
CONTROLLERS = """
[[kafka.nodes]]
host = "{host}"
id = {id}
roles = ["controller"]
controller_port = 9093
install_dir = "/opt/kafka-controller"
log_dirs = ["/var/lib/kafka/controller"]  # /var/lib/kafka is private to each lab host
"""
CONTROLLER_PATTERN = r"kafka\.Kafka /opt/kafka-controller/"
BROKER_PATTERN = r"kafka\.Kafka /opt/kafka/config/"
TOPIC = f"e2e-migration-{uuid.uuid4().hex[:8]}"
TOPIC4 = f"{TOPIC}-kafka4"  # the admin identity's load through the Kafka 4 upgrade
GROUP = "e2e-migration-group"
RETENTION = "987654321"


class State:
    producer: SequencedProducer | None = None     # the user's, SCRAM over SASL_SSL
    producer4: SequencedProducer | None = None    # zkctl's admin identity, from Kafka 4 on
    committed: dict[int, int] = {}
    kraft: str = ""
    kafka4: str = ""
    zk: str = ""
    app: dict = {}    # the user's librdkafka settings (zkctl client-config), no bootstrap
    admin: dict = {}  # zkctl's admin identity over INTERNAL
    acls: set = set()       # kafka-acls.sh --list in ZooKeeper mode
    scram: set = set()      # users with a SCRAM-SHA-512 credential in ZooKeeper mode


S = State()


@pytest.fixture(scope="module")
def zkm(lab, zk_dist, kafka3_dist, zkctl_bin, tmp_path_factory) -> Zkctl:
    lab.reset()
    d = tmp_path_factory.mktemp("migration")
    # A small lab: 5 offsets partitions instead of 50, so each broker's restart (8 rolls of
    # them here) loads and catches up fewer logs.
    zk_text = SEED_KAFKA.read_text().replace(
        '"num.partitions" = 3\n', '"num.partitions" = 3\n"offsets.topic.num.partitions" = 5\n', 1)
    assert '"offsets.topic.num.partitions" = 5' in zk_text
    # Secure by default: the seed's open [security] table dropped, the user added.
    zk_text, n = re.subn(r"(?ms)^\[security\]\n.*?(?=^\[zookeeper\]$)", "", zk_text, count=1)
    assert n == 1 and not re.search(r"(?m)^\[security\]$", zk_text), zk_text
    zk_text += USERS
    (d / "seed-kafka.toml").write_text(zk_text)
    kraft, n = re.subn(r'(?m)^mode = "zookeeper"$', 'mode = "kraft"', zk_text, count=1)
    assert n == 1
    kraft += "".join(CONTROLLERS.format(host=f"node{i}", id=i) for i in (1, 2, 3))
    (d / "seed-kraft.toml").write_text(kraft)
    S.zk, S.kraft = str(d / "seed-kafka.toml"), str(d / "seed-kraft.toml")
    return Zkctl(zkctl_bin, tmp_path_factory.mktemp("zkctl-home-migration"))


def migration_status(zk: Zkctl) -> dict:
    proc = zk.run("migrate", "status", "--json", "-i", S.kraft)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def read_group() -> str:
    """A consumer group of its own the user may use (its ACLs: the e2e-migration- prefix)."""
    return f"e2e-migration-read-{uuid.uuid4().hex[:8]}"


def server_properties(lab, host: str, install: str = "/opt/kafka") -> str:
    return lab.ssh(host, f"cat {install}/config/server.properties").stdout


def controller_pids(lab) -> list:
    return [lab.pid_of(f"node{i}", CONTROLLER_PATTERN) for i in (1, 2, 3)]


def kazoo(zk: Zkctl):
    """A started kazoo client on the ensemble's TLS port as zkctl's admin identity (ZooKeeper's
    x509 super user)."""
    from kazoo.client import KazooClient
    d = pki(zk, "seed")
    client = KazooClient(hosts=ZK_CONNECT, timeout=10.0, use_ssl=True, ca=str(d / "ca.crt"),
                         certfile=str(d / "zkctl-admin.crt"), keyfile=str(d / "zkctl-admin.key"))
    client.start(timeout=15)
    return client


def zk_get(zk: Zkctl, path: str) -> str:
    client = kazoo(zk)
    try:
        return client.get(path)[0].decode()
    finally:
        client.stop()
        client.close()


def zk_acl_ids(zk: Zkctl, path: str) -> set[tuple[str, str]]:
    """(scheme, id) of each entry of the znode's ACL."""
    client = kazoo(zk)
    try:
        acls, _ = client.get_acls(path)
        return {(a.id.scheme, a.id.id) for a in acls}
    finally:
        client.stop()
        client.close()


def admin_tool(lab, *args: str) -> str:
    """A Kafka admin tool run on node1 as zkctl's admin identity (its admin.properties, the
    INTERNAL listener); its output, the tool having succeeded."""
    tool, *rest = args
    proc = lab.exec("node1", [f"/opt/kafka/current/bin/{tool}", "--bootstrap-server",
                              "node1:9094", "--command-config", ADMIN_PROPERTIES, *rest],
                    timeout=180)
    assert proc.returncode == 0, tail(proc)
    return proc.stdout


def listed_acls(lab) -> set[tuple[str, ...]]:
    """kafka-acls.sh --list as (resource type, name, pattern type, principal, operation,
    permission) tuples."""
    out = admin_tool(lab, "kafka-acls.sh", "--list")
    acls: set[tuple[str, ...]] = set()
    resource: tuple[str, ...] = ()
    for line in out.splitlines():
        if m := re.search(r"resourceType=(\w+), name=(.*?), patternType=(\w+)\)", line):
            resource = m.groups()
        elif m := re.search(r"\(principal=(.*?), host=.*?, operation=(\w+), "
                            r"permissionType=(\w+)\)", line):
            acls.add((*resource, *m.groups()))
    return acls


def scram_users(lab) -> set[str]:
    """The users kafka-configs.sh --describe shows with a SCRAM-SHA-512 credential."""
    out = admin_tool(lab, "kafka-configs.sh", "--describe", "--entity-type", "users")
    return set(re.findall(r"SCRAM credential configs for user-principal '([^']+)' are "
                          r"[^\n]*SCRAM-SHA-512", out))


def test_zookeeper_mode_cluster_under_load(lab, zkm):
    proc = zkm.run("deploy", S.zk)
    assert proc.returncode == 0, proc.stderr
    from confluent_kafka import Consumer, TopicPartition
    from confluent_kafka.admin import AdminClient, ConfigResource
    out = zkm.home.parent / "migrator-client"
    proc = zkm.run("client-config", USER, "--out", str(out), "-i", S.zk)
    assert proc.returncode == 0, proc.stderr
    S.app = librdkafka_conf(out / "librdkafka.conf")
    S.app.pop("bootstrap.servers", None)
    assert S.app["security.protocol"].upper() == "SASL_SSL", S.app
    S.admin = admin_conf(zkm, "seed")
    # The user may not create topics nor alter their configs: zkctl's admin identity does.
    create_topic(INTERNAL, TOPIC, conf=S.admin)
    admin = AdminClient({"bootstrap.servers": INTERNAL, **S.admin})
    res = ConfigResource(ConfigResource.Type.TOPIC, TOPIC, set_config={"retention.ms": RETENTION})
    list(admin.alter_configs([res]).values())[0].result(30)
    S.producer = SequencedProducer(BOOTSTRAP, TOPIC, conf=S.app).start()
    time.sleep(3)
    # The consumer group reads what is there and commits its offsets.
    c = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": GROUP, "log_level": 0,
                  "auto.offset.reset": "earliest", "enable.auto.commit": False, **S.app})
    c.subscribe([TOPIC])
    deadline = time.monotonic() + 30
    read = 0
    while time.monotonic() < deadline and read < 50:
        msg = c.poll(0.5)
        if msg is not None and not msg.error():
            read += 1
    c.commit(asynchronous=False)
    parts = c.committed([TopicPartition(TOPIC, p) for p in range(3)], timeout=10)
    S.committed = {p.partition: p.offset for p in parts}
    c.close()
    assert sum(o for o in S.committed.values() if o > 0) >= 50
    assert S.producer.acked, S.producer.errors[:5]  # the user's SCRAM producer gets through
    # What the migration must carry over: the user's ACLs and SCRAM credential in ZooKeeper.
    S.acls, S.scram = listed_acls(lab), scram_users(lab)
    assert USER_ACLS <= S.acls, S.acls
    assert USER in S.scram, S.scram


def test_plan_shows_the_phases(zkm):
    proc = zkm.run("plan", S.kraft)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "migration to KRaft (KIP-866) of seed" in out
    for title in ("pre-checks", "controllers", "brokers into migration", "brokers into KRaft",
                  "finalize (zkctl migrate finalize)"):
        assert title in out
    assert "zookeeper.metadata.migration.enable=true" in out  # the controllers' new files
    # ... secure: ZooKeeper over TLS with Kafka's znode ACLs, TLS on CONTROLLER, authorization.
    for line in ("zookeeper.ssl.client.enable=true", "zookeeper.set.acl=true",
                 "listener.name.controller.ssl.client.auth=required",
                 "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                 "inter.broker.listener.name=INTERNAL"):
        assert line in out, line
    print(out)


def test_phases_up_to_dual_write(lab, zkm):
    proc = zkm.run("migrate", "run", "--until", "dual_write", "-i", S.kraft, timeout=900)
    assert proc.returncode == 0, tail(proc)
    assert "migration: pre-checks: cluster id" in proc.stdout
    s = migration_status(zkm)
    assert s["done"] == "dual_write" and s["gate"]["holds"], s
    assert s["zookeeper"]["migration"]["kraft_metadata_offset"] >= 0
    assert s["zookeeper"]["controller"]["kraft"]
    assert all(controller_pids(lab))
    props = server_properties(lab, "node1")
    assert "zookeeper.metadata.migration.enable=true" in props and "broker.id=11" in props
    # Secure in migration: the brokers keep AclAuthorizer and reach the controllers over TLS;
    # the controllers reach ZooKeeper as the brokers do.
    assert "authorizer.class.name=kafka.security.authorizer.AclAuthorizer" in props
    assert "CONTROLLER:SSL" in props and "zookeeper.set.acl=true" in props
    ctl = server_properties(lab, "node1", "/opt/kafka-controller")
    for line in ("zookeeper.ssl.client.enable=true", "zookeeper.set.acl=true",
                 "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer"):
        assert line in ctl, line
    # The controllers wrote /migration under their certificate's x509 identity: the brokers'
    # DN (one identity for every Kafka node), so each can write what the other created.
    assert ("x509", "CN=kafka,OU=seed,O=zkctl") in zk_acl_ids(zkm, "/kafka/migration")
    assert ("x509", "CN=kafka,OU=seed,O=zkctl") in zk_acl_ids(zkm, "/kafka/brokers/ids")
    print(zkm.run("migrate", "status", "-i", S.kraft).stdout)
    record_case("migration to dual-write", "kafka.mode zookeeper -> kraft, 3 controllers",
                f"done {s['done']}", sent=S.producer.sent, acked=len(S.producer.acked),
                errors=len(S.producer.errors))


HOLD_TABLE = "zkctl_e2e_hold"


def zk_controller(zk: Zkctl) -> int:
    return json.loads(zk_get(zk, "/kafka/controller"))["brokerid"]


def hold_isrs(lab, zk: Zkctl, broker: int) -> tuple[int, str]:
    """The broker the roll restarts after `broker` (the controller goes last: the rollback's
    last roll starts once a broker holds /controller, so it is the one read here) is cut off from
    the controller's inter-broker listener (INTERNAL, 9094) inside its own network namespace
    (its connections there reset): it leads on, but its AlterPartition requests fail, so no ISR
    it leads grows. Returns it and its host."""
    ctl = zk_controller(zk)
    order = sorted(b for b in (11, 12, 13) if b != ctl) + [ctl]
    leader = order[order.index(broker) + 1]
    assert leader != ctl, (broker, order)
    host = f"node{leader - 10}"
    rules = (f"table inet {HOLD_TABLE} {{\n  chain output {{\n"
             "    type filter hook output priority 0; policy accept;\n"
             f"    ip daddr {lab.address(f'node{ctl - 10}')} tcp dport 9094 reject with tcp reset\n"
             "  }\n}\n")
    subprocess.run(["ip", "netns", "exec", f"zklab-{host}", "nft", "-f", "-"], input=rules,
                   text=True, check=True, capture_output=True, timeout=30)
    return leader, host


def release_isrs(host: str) -> None:
    subprocess.run(["ip", "netns", "exec", f"zklab-{host}", "nft", "delete", "table", "inet",
                    HOLD_TABLE], check=False, capture_output=True, timeout=30)


def rollback_holding_isrs(lab, zkm) -> tuple[int, str, int | None]:
    """`migrate rollback`, its last roll meeting a leader that cannot expand ISRs (what Kafka
    3.9.2's race leaves, see the header; rare by itself, so made here): as the roll's first
    broker restarts, the next one is held (hold_isrs) until zkctl says it restarts it ahead of
    its turn (a first broker back at once prints no wait to trigger on). Returns exit code,
    output and the held broker."""
    # Preferred leaders first: the rolls before left leadership on the brokers restarted
    # last, and a held broker leading nothing would hold nobody out.
    lab.exec("node1", ["/opt/kafka/current/bin/kafka-leader-election.sh", "--bootstrap-server",
                       "node1:9094", "--command-config", ADMIN_PROPERTIES, "--election-type",
                       "PREFERRED", "--all-topic-partitions"], timeout=120)
    proc = subprocess.Popen([str(zkm.binary), "migrate", "rollback", "-i", S.kraft], env=zkm.env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            stdin=subprocess.DEVNULL)
    lines: list[str] = []
    held: tuple[int, str] | None = None
    try:
        for line in proc.stdout:
            lines.append(line)
            # The last roll's first broker is about to restart: hold the one after it.
            m = re.search(r"^\[node(\d)\] kafka rolling restart: \.\.\.$", line.rstrip())
            if m and held is None:
                held = hold_isrs(lab, zkm, 10 + int(m.group(1)))
            # Released once zkctl restarts it ahead of its turn, or its own turn comes: a hold
            # kept on would cut the next controller off from the brokers restarted after it.
            if held and ("ahead of its turn" in line or
                         line.startswith(f"[{held[1]}] kafka rolling restart: ...")):
                release_isrs(held[1])
        proc.wait(timeout=900)
    finally:
        if held:
            release_isrs(held[1])
        if proc.poll() is None:
            proc.kill()
    out = "".join(lines)
    print(f"$ zkctl migrate rollback -> exit {proc.returncode}\n{out}")
    return proc.returncode, out, held[0] if held else None


def test_rollback_from_dual_write_to_zookeeper_mode(lab, zkm):
    code, out, held = rollback_holding_isrs(lab, zkm)
    assert code == 0, out
    assert "ZooKeeper: /controller and /migration removed" in out
    assert held and f"restarting broker {held} now, ahead of its turn" in out, out
    assert not any(controller_pids(lab))
    for i in (1, 2, 3):
        props = server_properties(lab, f"node{i}")
        assert "zookeeper.metadata.migration.enable" not in props
        assert "controller.quorum.voters" not in props and f"broker.id={10 + i}" in props
        # back to the secure ZooKeeper-mode broker: AclAuthorizer, ZooKeeper over TLS
        assert "authorizer.class.name=kafka.security.authorizer.AclAuthorizer" in props
        assert "zookeeper.ssl.client.enable=true" in props and "CONTROLLER" not in props
    ctl = zk_get(zkm, "/kafka/controller")
    # A broker is the controller again (3.9 brokers write "kraftControllerEpoch":-1).
    assert '"brokerid":1' in ctl and '"kraftControllerEpoch":-1' in ctl
    s = migration_status(zkm)
    assert s["done"] == "none" and s["rolled_back_at"]
    acked = set(S.producer.acked)
    seen = consume_all(BOOTSTRAP, TOPIC, acked, timeout=120, conf=S.app, group=read_group())
    record_case("migration rollback from dual-write",
                f"migrate rollback; broker {held} cut off from the controller (no ISR it leads "
                "grows) while the roll's first broker rejoins",
                f"broker {held} restarted ahead of its turn, brokers in ZooKeeper mode",
                acked=len(acked), lost=len(acked - seen))
    assert acked <= seen


def test_migration_again_interrupted_then_resumed(lab, zkm):
    # zkctl is killed (SIGTERM, by PID) while the brokers are rolled into migration.
    proc = subprocess.Popen([str(zkm.binary), "deploy", S.kraft], env=zkm.env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    record = zkm.home / "clusters" / "seed" / "migration.json"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        if record.exists() and '"under_way": "dual_write"' in record.read_text():
            time.sleep(8)  # mid-roll
            break
        time.sleep(0.5)
    assert proc.poll() is None, proc.stdout.read()
    os.kill(proc.pid, signal.SIGTERM)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 130, out
    s = migration_status(zkm)
    assert s["under_way"] == "dual_write", s
    # ... and a broker killed (SIGKILL, by PID): the rerun starts it again once its ZooKeeper
    # registration has expired (it is still a ZooKeeper-mode broker), then goes on.
    pid = lab.pid_of("node3", BROKER_PATTERN)
    assert pid, lab.processes("node3")
    lab.kill("node3", pid, signal.SIGKILL)
    proc = zkm.run("deploy", S.kraft, timeout=1200)
    assert proc.returncode == 0, tail(proc)
    assert "migrated seed: brokers in KRaft mode" in proc.stdout
    s = migration_status(zkm)
    assert s["done"] == "kraft" and s["gate"]["holds"], s
    for i in (1, 2, 3):
        props = server_properties(lab, f"node{i}")
        assert "process.roles=broker" in props and "zookeeper.connect" not in props
        assert "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer" \
            in props
    record_case("migration interrupted and resumed",
                "zkctl SIGTERM mid brokers-into-migration, then broker 13 SIGKILL",
                "exit 130, rerun completed", sent=S.producer.sent, acked=len(S.producer.acked),
                errors=len(S.producer.errors))


def test_finalize_takes_zookeeper_out(lab, zkm):
    refused = zkm.run("migrate", "finalize", "-i", S.kraft)  # no name typed (stdin empty)
    assert refused.returncode == 4, tail(refused)
    proc = zkm.run("migrate", "finalize", "--yes", "-i", S.kraft, timeout=900)
    assert proc.returncode == 0, tail(proc)
    for i in (1, 2, 3):
        props = server_properties(lab, f"node{i}", "/opt/kafka-controller")
        assert "zookeeper.connect" not in props and "migration" not in props
    s = migration_status(zkm)
    assert s["done"] == "finalized"
    again = zkm.run("migrate", "rollback", "-i", S.kraft)
    assert again.returncode == 4 and "no way back" in again.stderr


def test_acls_and_scram_users_survive_into_kraft(lab, zkm):
    # Copied by the migration itself (KIP-866) into the KRaft metadata: listed by the KRaft
    # brokers (StandardAuthorizer) as ZooKeeper held them, nothing more, nothing less.
    assert listed_acls(lab) == S.acls
    assert scram_users(lab) == S.scram
    users = zkm.run("users", "-i", S.kraft)
    assert users.returncode == 0 and USER in users.stdout, tail(users)
    # ... and they still work: the user, over SASL_SSL, reads back everything it had
    # acknowledged. Its SCRAM producer stops here (Debian's librdkafka cannot do SCRAM against
    # Kafka 4, see the header); zkctl's admin identity takes the load over for the upgrade.
    S.producer.stop()
    acked = set(S.producer.acked)
    seen = consume_all(BOOTSTRAP, TOPIC, acked, timeout=180, conf=S.app, group=read_group())
    record_case("ACLs and SCRAM users after finalize",
                "kafka-acls.sh --list, kafka-configs.sh --describe --entity-type users",
                f"{len(S.acls)} ACL(s), SCRAM users {sorted(S.scram)} as in ZooKeeper mode",
                acked=len(acked), lost=len(acked - seen), errors=len(S.producer.errors))
    assert acked and acked <= seen
    # A topic of its own: both producers number their messages from 0.
    create_topic(INTERNAL, TOPIC4, conf=S.admin)
    S.producer4 = SequencedProducer(INTERNAL, TOPIC4, conf=S.admin).start()


def test_kafka_4_after_finalize_is_an_ordinary_upgrade(lab, zkm, kafka4_dist):
    # After finalize the KRaft inventory points at Kafka 4: a rolling upgrade, under the load.
    text = open(S.kraft).read()
    k4, n = re.subn(r'(?m)^distribution = ".*kafka_2\.13-3\.9\.\d+\.tgz"$',
                    f'distribution = "{kafka4_dist}"', text, count=1)
    assert n == 1
    S.kafka4 = S.kraft.replace("seed-kraft.toml", "seed-kafka4.toml")
    open(S.kafka4, "w").write(k4)
    plan = zkm.run("plan", S.kafka4)
    assert plan.returncode == 0, tail(plan)
    assert "migration" not in plan.stdout.lower(), plan.stdout
    proc = zkm.run("deploy", S.kafka4, timeout=1200)
    assert proc.returncode == 0, tail(proc)
    for i in (1, 2, 3):
        for install in ("/opt/kafka", "/opt/kafka-controller"):
            jar = lab.ssh(f"node{i}", f"ls {install}/current/libs/ | grep '^kafka_2.13-4'").stdout
            assert jar.strip(), (i, install)
    code, status = zkm.status()
    assert code == 0 and status["kafka"]["ok"], status
    # The first step kept metadata.version; plan shows the second, which raises it (no roll).
    kept, supported = metadata_version(lab)
    assert kept.startswith("3.9-") and supported.startswith("4."), (kept, supported)
    assert f"metadata.version {kept} (read from the cluster)" in proc.stdout + proc.stderr, \
        proc.stdout + proc.stderr
    plan = zkm.run("plan", S.kafka4)
    assert f"raises it (no roll) to {supported}" in plan.stdout, plan.stdout
    pids = controller_pids(lab)
    second = zkm.run("deploy", S.kafka4, "--finalize-upgrade", timeout=600)
    assert second.returncode == 0, tail(second)
    assert metadata_version(lab) == (supported, supported)
    assert controller_pids(lab) == pids  # no roll
    again = zkm.run("plan", S.kafka4)
    assert "--finalize-upgrade" not in again.stdout, again.stdout
    record_case("Kafka 3.9 -> 4 after finalize", "distribution 3.9.2 -> 4",
                f"rolling upgrade; metadata.version {kept} -> {supported} in a second step, "
                "no roll", sent=S.producer4.sent, acked=len(S.producer4.acked),
                errors=len(S.producer4.errors))


def metadata_version(lab) -> tuple[str, str]:
    """(finalized, highest supported) metadata.version, as kafka-features.sh describes it."""
    out = admin_tool(lab, "kafka-features.sh", "describe")
    m = re.search(r"Feature: metadata\.version\s+SupportedMinVersion: \S+\s+"
                  r"SupportedMaxVersion: (\S+)\s+FinalizedVersionLevel: (\S+)", out)
    assert m, out
    return m.group(2), m.group(1)


def test_nothing_lost_configs_and_offsets_survive(zkm):
    # Read on Kafka 4 as zkctl's admin identity (mutual TLS): SCRAM cannot be, see the header.
    S.producer.stop()
    S.producer4.stop()
    acked = set(S.producer.acked)
    seen = consume_all(INTERNAL, TOPIC, acked, timeout=180, conf=S.admin)
    acked4 = set(S.producer4.acked)
    seen4 = consume_all(INTERNAL, TOPIC4, acked4, timeout=180, conf=S.admin)
    from confluent_kafka import Consumer, TopicPartition
    from confluent_kafka.admin import AdminClient, ConfigResource
    admin = AdminClient({"bootstrap.servers": INTERNAL, **S.admin})
    res = ConfigResource(ConfigResource.Type.TOPIC, TOPIC)
    configs = list(admin.describe_configs([res]).values())[0].result(30)
    c = Consumer({"bootstrap.servers": INTERNAL, "group.id": GROUP, "log_level": 0, **S.admin})
    parts = c.committed([TopicPartition(TOPIC, p) for p in range(3)], timeout=30)
    c.close()
    record_case("migration to KRaft, finalized", "every phase under load",
                "finalized", sent=S.producer.sent, acked=len(acked), lost=len(acked - seen),
                errors=len(S.producer.errors))
    record_case("Kafka 4, its load read back", f"admin producer to {TOPIC4}",
                "every acknowledged message read", sent=S.producer4.sent, acked=len(acked4),
                lost=len(acked4 - seen4), errors=len(S.producer4.errors))
    assert acked and acked <= seen
    assert acked4 and acked4 <= seen4
    assert configs["retention.ms"].value == RETENTION
    assert {p.partition: p.offset for p in parts} == S.committed
