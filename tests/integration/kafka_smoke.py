"""Kafka part of tls_smoke.py: a ZooKeeper-mode broker (against the smoke's TLS ZooKeeper)
and a KRaft combined node, each with zkctl's rendered server.properties and admin.properties."""
import os
import subprocess
from pathlib import Path

from confluent_kafka import Consumer, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

PASSWORD = "alice-secret"


def kafka_tarball():
    tgz = os.environ.get("SMOKE_KAFKA_TGZ", "/var/cache/zkctl/kafka_2.13-3.9.2.tgz")
    if not Path(tgz).exists():
        raise SystemExit(f"{tgz} missing: build it with tests/fixtures/kafka-dist.sh 3.9")
    return tgz


def admin_conf(port, pki):  # zkctl's admin identity over INTERNAL, as zkctl's probes connect
    return {"bootstrap.servers": f"localhost:{port}", "security.protocol": "SSL",
            "ssl.ca.location": str(pki / "ca.pem"),
            "ssl.certificate.location": str(pki / "admin.crt"),
            "ssl.key.location": str(pki / "admin.key"),
            "ssl.endpoint.identification.algorithm": "https"}


def alice_conf(port, pki, password=PASSWORD):
    return {"bootstrap.servers": f"localhost:{port}", "security.protocol": "SASL_SSL",
            "sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": "alice",
            "sasl.password": password, "ssl.ca.location": str(pki / "ca.pem"),
            "ssl.endpoint.identification.algorithm": "https"}


def kafka_major(dist):
    return int(dist.name.split("-")[1].split(".")[0])  # kafka_2.13-<major>.<minor>.<patch>


def acl_command(dist):  # kafka-acls.sh is not in the fixture; it runs this class
    return "org.apache.kafka.tools.AclCommand" if kafka_major(dist) >= 4 \
        else "kafka.admin.AclCommand"


def tool(dist, name, *args):
    env = dict(os.environ, KAFKA_HEAP_OPTS="-Xmx256m")
    r = subprocess.run([str(dist / "bin" / name), *args], capture_output=True, text=True,
                       env=env, timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"{name} {' '.join(args)}: {r.stdout}{r.stderr}")
    return r.stdout


def refused(conf, what):
    errors = []
    conf = dict(conf, error_cb=lambda e: errors.append(e))
    try:
        md = AdminClient(conf).list_topics(timeout=4)
        ok = md is not None and bool(md.brokers)
    except KafkaException:
        ok = False
    assert not ok, f"{what} was let in"
    return errors[0].str() if errors else "no metadata"


def java_scram_check(tag, dist, install, pki, client, internal, log):
    """Kafka 4.x rejects the SCRAM proof of librdkafka < 2.6.1 (Debian's is 2.0.2; librdkafka
    #4895): alice produces with Kafka's own Java client instead."""
    conf = install / "alice.properties"
    conf.write_text("security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
                    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
                    f'required username="alice" password="{PASSWORD}";\n'
                    f"ssl.truststore.type=PEM\nssl.truststore.location={pki / 'ca.pem'}\n")
    env = dict(os.environ, KAFKA_HEAP_OPTS="-Xmx256m")
    subprocess.run([str(dist / "bin/kafka-console-producer.sh"), "--bootstrap-server",
                    f"localhost:{client}", "--topic", "smoke", "--command-config", str(conf)],
                   input="".join(f"m{i}\n" for i in range(20)), text=True, check=True,
                   capture_output=True, env=env, timeout=120)
    offsets = tool(dist, "kafka-run-class.sh", "org.apache.kafka.tools.GetOffsetShell",
                   "--bootstrap-server", f"localhost:{internal}", "--command-config",
                   str(install / "config" / "tls" / "admin.properties"), "--topic", "smoke")
    assert offsets.strip() == "smoke:0:20", offsets
    log(f"{tag}: alice produced 20 messages over SASL_SSL (SCRAM-SHA-512, Java client; "
        "librdkafka 2.0.2 cannot do SCRAM with Kafka 4)")


def exercise(tag, dist, install, pki, client, internal, log, wait_for):
    props = str(install / "config" / "tls" / "admin.properties")
    boot = f"localhost:{internal}"
    admin = AdminClient(admin_conf(internal, pki))
    wait_for(f"{tag} broker on INTERNAL", lambda: admin.list_topics(timeout=5).brokers,
             timeout=120)
    log(f"{tag}: zkctl-admin reaches INTERNAL with its certificate (mutual TLS)")
    tool(dist, "kafka-configs.sh", "--bootstrap-server", boot, "--command-config", props,
         "--alter", "--add-config", f"SCRAM-SHA-512=[password={PASSWORD}]",
         "--entity-type", "users", "--entity-name", "alice")
    for args in (["--topic", "smoke", "--operation", "Write", "--operation", "Read",
                  "--operation", "Describe"], ["--group", "smoke-group", "--operation", "Read"]):
        tool(dist, "kafka-run-class.sh", acl_command(dist), "--bootstrap-server", boot,
             "--command-config", props, "--add", "--allow-principal", "User:alice", *args)
    log(f"{tag}: kafka-configs.sh / AclCommand with admin.properties made SCRAM user alice "
        "and its ACLs")
    for f in admin.create_topics([NewTopic("smoke", 1, 1), NewTopic("secret", 1, 1)]).values():
        f.result()

    if kafka_major(dist) >= 4:
        java_scram_check(tag, dist, install, pki, client, internal, log)
        return
    p = Producer(alice_conf(client, pki))
    delivered = []
    for i in range(20):
        p.produce("smoke", f"m{i}".encode(), on_delivery=lambda e, m: delivered.append(e))
    assert p.flush(60) == 0 and delivered and all(e is None for e in delivered), delivered
    c = Consumer(dict(alice_conf(client, pki), **{"group.id": "smoke-group",
                                                  "auto.offset.reset": "earliest"}))
    c.subscribe(["smoke"])
    got = []
    wait_for(f"{tag} consume", lambda: (lambda m: got.append(m) if m and not m.error() else None)(
        c.poll(1)) or len(got) >= 20, timeout=90)
    c.close()
    log(f"{tag}: alice produced and consumed {len(got)} messages over SASL_SSL (SCRAM-SHA-512)")

    denied = []
    p2 = Producer(alice_conf(client, pki))
    p2.produce("secret", b"x", on_delivery=lambda e, m: denied.append(e))
    p2.flush(30)
    assert denied and denied[0] is not None, "alice wrote to a topic its ACLs do not name"
    log(f"{tag}: alice refused topic 'secret': {denied[0].name()}")
    why = refused(alice_conf(client, pki, "wrong"), "a wrong SCRAM password")
    log(f"{tag}: wrong password refused ({why[:80]})")
    tls_only = {"bootstrap.servers": f"localhost:{client}", "security.protocol": "SSL",
                "ssl.ca.location": str(pki / "ca.pem")}
    why = refused(tls_only, "a TLS client without SASL")
    log(f"{tag}: TLS without SASL refused ({why[:80]})")
    why = refused({"bootstrap.servers": f"localhost:{client}"}, "a plaintext client")
    log(f"{tag}: plaintext refused ({why[:80]})")


def start_node(dist, install, start, format_storage):
    """Kafka on the rendered server.properties of `install` (KRaft: storage formatted first)."""
    (install / "logs").mkdir(parents=True, exist_ok=True)
    properties = str(install / "config/server.properties")
    if format_storage:
        cluster_id = tool(dist, "kafka-storage.sh", "random-uuid").strip()
        tool(dist, "kafka-storage.sh", "format", "-t", cluster_id, "-c", properties)
    env = dict(os.environ, KAFKA_HEAP_OPTS="-Xmx384m -Xms384m", LOG_DIR=str(install / "logs"))
    return start([str(dist / "bin/kafka-server-start.sh"), properties], install / "kafka.out", env)


def run_all(work, out, pki, ports, log, start, stop, wait_for, fixture, unpack):
    dist = unpack(kafka_tarball(), work / "dist-kafka")

    if kafka_major(dist) >= 4:
        log(f"{dist.name}: no ZooKeeper mode, KRaft only")
    else:
        run_zookeeper_mode(dist, out, pki, ports, log, start, stop, wait_for)
    run_kraft(dist, out, pki, ports, log, start, stop, wait_for)


def run_zookeeper_mode(dist, out, pki, ports, log, start, stop, wait_for):
    install = out / "kzk"
    broker = start_node(dist, install, start, format_storage=False)
    try:
        exercise("kafka-zk", dist, install, pki, ports["kzk_client"], ports["kzk_internal"], log,
                 wait_for)
        from kazoo.client import KazooClient
        zkc = KazooClient(hosts=f"localhost:{ports['zk']}", use_ssl=True, verify_certs=True,
                          ca=str(pki / "ca.pem"), certfile=str(pki / "admin.crt"),
                          keyfile=str(pki / "admin.key"), timeout=20)
        zkc.start(timeout=30)
        acls, _ = zkc.get_acls("/kafka/brokers/ids")
        zkc.stop()
        zkc.close()
        ids = {(a.id.scheme, a.id.id) for a in acls}
        assert ("x509", "CN=kafka,OU=smoke,O=zkctl") in ids, acls
        log(f"kafka-zk: /kafka/brokers/ids ACLs {sorted(ids)} (zookeeper.set.acl)")
    except Exception:
        print((install / "kafka.out").read_text()[-5000:])
        raise
    finally:
        stop(broker)


def run_kraft(dist, out, pki, ports, log, start, stop, wait_for):
    install = out / "kraft"
    node = start_node(dist, install, start, format_storage=True)
    try:
        exercise("kraft", dist, install, pki, ports["kraft_client"], ports["kraft_internal"], log,
                 wait_for)
    except Exception:
        print((install / "kafka.out").read_text()[-5000:])
        raise
    finally:
        stop(node)



def run_mtls(work, out, pki, ports, log, start, stop, wait_for):
    """authentication = "mtls" on KRaft: alice is her certificate, mapped to User:alice."""
    dist = next((work / "dist-kafka").iterdir())
    install = out / "kraft"
    node = start_node(dist, install, start, format_storage=True)
    client, internal = ports["kraft_client"], ports["kraft_internal"]
    try:
        admin = AdminClient(admin_conf(internal, pki))
        wait_for("kraft-mtls broker", lambda: admin.list_topics(timeout=5).brokers, timeout=120)
        props = str(install / "config" / "tls" / "admin.properties")
        tool(dist, "kafka-run-class.sh", acl_command(dist), "--bootstrap-server",
             f"localhost:{internal}", "--command-config", props, "--add", "--allow-principal",
             "User:alice", "--topic", "smoke", "--operation", "Write", "--operation", "Describe")
        for f in admin.create_topics([NewTopic("smoke", 1, 1)]).values():
            f.result()
        alice = {"bootstrap.servers": f"localhost:{client}", "security.protocol": "SSL",
                 "ssl.ca.location": str(pki / "ca.pem"),
                 "ssl.certificate.location": str(pki / "alice.crt"),
                 "ssl.key.location": str(pki / "alice.key")}
        p = Producer(alice)
        delivered = []
        for i in range(5):
            p.produce("smoke", f"m{i}".encode(), on_delivery=lambda e, m: delivered.append(e))
        assert p.flush(60) == 0 and len(delivered) == 5 and all(e is None for e in delivered), \
            delivered
        log("kraft-mtls: alice's certificate (CN=alice,OU=smoke,O=zkctl -> User:alice) produced "
            "5 messages over SSL")
        tls_only = {k: v for k, v in alice.items()
                    if k not in ("ssl.certificate.location", "ssl.key.location")}
        why = refused(tls_only, "a TLS client without a certificate")
        log(f"kraft-mtls: TLS without a client certificate refused ({why[:80]})")
    except Exception:
        print((install / "kafka.out").read_text()[-5000:])
        raise
    finally:
        stop(node)
