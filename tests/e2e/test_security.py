"""End to end: clusters zkctl builds secure by default (#12), with real clients.
ZooKeeper mode: the seed layout (3+1 ensemble, Kafka 3.9 brokers 11-13) with [security] at its
defaults (TLS everywhere, SCRAM for Kafka clients, mutual TLS between servers, authorization).
KRaft: Kafka 4.x, three combined nodes kf1..kf3, with client certificates (authentication =
"mtls": Debian's librdkafka 2.0.2 cannot do SCRAM against Kafka 4, librdkafka#4895).
Clients: kcat, confluent-kafka and kazoo from Debian's packages, openssl s_client, and Kafka's
own Java console producer with the client.properties `zkctl client-config` writes. The ZooKeeper
mode cluster has [metrics] (the JMX exporter agent in every JVM, HTTPS only) and a monitoring
host (Prometheus on nn01, asked through its HTTP API: every target up, no alert firing).
Tests run in file order and share one deployed cluster per mode."""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import tarfile
import time
import urllib.request
from pathlib import Path

import pytest

from kafka_helpers import SequencedProducer, consume_all, create_topic
from lab import REPO
from zk_helpers import tail, Zkctl, ZnodeWriter, record_case, scrape, with_metrics

SEED_KAFKA = REPO / "inventories" / "seed-kafka.toml"
KRAFT = REPO / "inventories" / "kraft.toml"
ZK_HOSTS = ["node1", "node2", "node3", "nn01"]
BROKERS = ["node1", "node2", "node3"]
KRAFT_HOSTS = ["kf1", "kf2", "kf3"]
PROMETHEUS = "http://nn01:9090"
MONITORING = """
[monitoring]
host = "nn01"
scrape_interval_s = 2
# The lab's hosts share this machine's disk, filled by the build, not by the cluster: the disk
# alert's threshold is set where it cannot fire here (df counts reserved blocks as used).
disk_alert_percent = 99
"""
# What `zkctl status` reads from a ZooKeeper server's metrics page (ops/host/node_metrics), served
# on a secure cluster by the JMX exporter agent under the names ZooKeeper's provider uses.
ZK_STATUS_NAMES = {"outstanding_requests", "avg_latency", "jvm_memory_used_bytes",
                   "jvm_memory_max_bytes"}

USERS = """
[security]
tls = true
authentication = "scram"
authorization = true

[[security.users]]
name = "app"
read = ["orders"]
write = ["orders"]
groups = ["app-"]

[[security.users]]
name = "auditor"
read = ["audit."]
groups = ["auditor"]
"""


def secure_variant(base: Path, dest: Path, security: str = USERS) -> Path:
    """`base` without its [security] table (and the [[security.users]] after it), plus
    `security`."""
    text = re.sub(r"(?ms)^\[security\].*?(?=^\[(?!security)|\Z)", "", base.read_text())
    text = re.sub(r"(?ms)^\[\[security\.users\]\].*?(?=^\[(?!\[?security)|\Z)", "", text)
    dest.write_text(text + "\n" + security)
    return dest


def pki(zk: Zkctl, cluster: str) -> Path:
    return zk.home / "clusters" / cluster / "pki"


def admin_conf(zk: Zkctl, cluster: str) -> dict:
    """librdkafka settings for zkctl's admin identity over the brokers' INTERNAL listener."""
    d = pki(zk, cluster)
    return {"security.protocol": "ssl", "ssl.ca.location": str(d / "ca.crt"),
            "ssl.certificate.location": str(d / "zkctl-admin.crt"),
            "ssl.key.location": str(d / "zkctl-admin.key")}


def librdkafka_conf(path: Path) -> dict:
    conf = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            k, v = line.split("=", 1)
            conf[k.strip()] = v.strip()
    return conf


def s_client(host: str, port: int, ca: Path, cert: Path | None = None,
             key: Path | None = None) -> subprocess.CompletedProcess:
    args = ["openssl", "s_client", "-connect", f"{host}:{port}", "-CAfile", str(ca),
            "-verify_hostname", host, "-verify_return_error", "-servername", host]
    if cert:
        args += ["-cert", str(cert), "-key", str(key)]
    return subprocess.run(args, input="", text=True, capture_output=True, timeout=30)


def verified_chain(s_client_output: str, cn: str, cluster: str = "seed") -> bool:
    """s_client verified the CA at depth 1 and the node's certificate (CN `cn`) at depth 0."""
    lines = s_client_output.splitlines()
    want = [f"depth=1 O = zkctl, OU = {cluster}, CN = zkctl {cluster} CA", "verify return:1",
            f"depth=0 O = zkctl, OU = {cluster}, CN = {cn}", "verify return:1"]
    return any(lines[i:i + 4] == want for i in range(len(lines))) and \
        "verify error" not in s_client_output


def plain_four_letter(host: str, port: int, word: bytes = b"stat") -> bytes:
    """What the seed's plaintext `stat` loop gets from a port."""
    with socket.create_connection((host, port), timeout=5) as s:
        s.settimeout(5)
        try:
            s.sendall(word)
            chunks = []
            while chunk := s.recv(4096):
                chunks.append(chunk)
            return b"".join(chunks)
        except OSError:
            return b""


def kcat(conf: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["kcat", "-F", str(conf), *args], input=stdin, text=True,
                          capture_output=True, timeout=60)


# ---- ZooKeeper mode ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def sec(lab, zk_dist, zk39_dist, kafka3_dist, jmx_agent, zkctl_bin, tmp_path_factory):
    """The seed layout made secure, its ensemble on ZooKeeper 3.9 (which offers TLSv1.3 only
    unless told, while Kafka 3.9's ZooKeeper client speaks TLSv1.2)."""
    lab.reset()
    tmp = tmp_path_factory.mktemp("secure")
    zk = Zkctl(zkctl_bin, tmp / "home")
    zk.inventory = secure_variant(SEED_KAFKA, tmp / "seed-kafka-secure.toml",
                                  with_metrics(USERS, jmx_agent) + MONITORING)
    text = zk.inventory.read_text()
    assert str(zk_dist) in text, "the seed's ZooKeeper is the 3.8.0 fixture"
    zk.inventory.write_text(text.replace(str(zk_dist), str(zk39_dist)))
    zk.tmp = tmp
    return zk


def test_secure_deploy_serves_and_keeps_its_pki_private(lab, sec):
    proc = sec.run("deploy", str(sec.inventory))
    assert proc.returncode == 0, tail(proc)
    assert "open" not in proc.stderr.lower() or "[security] is open" not in proc.stderr
    code, status = sec.status()
    assert code == 0, status
    assert status["quorum"]["ok"] and status["kafka"]["ok"]
    assert sorted(n["id"] for n in status["kafka"]["nodes"] if n["registered"]) == [11, 12, 13]
    d = pki(sec, "seed")
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    keys = list(d.glob("*.key"))
    assert keys and all(stat.S_IMODE(k.stat().st_mode) == 0o600 for k in keys)
    # Keys are never printed.
    assert "PRIVATE KEY" not in proc.stdout + proc.stderr
    # On a host: the node's key is root's, readable by the service group only.
    ls = lab.ssh("node1", "stat -c '%a %U' /opt/zookeeper/conf/tls/node.pem "
                          "/opt/kafka/config/tls/node.pem /opt/kafka/config/tls/admin.pem")
    modes = ls.stdout.split("\n")
    assert modes[0].startswith("640 root") and modes[1].startswith("640 root"), ls.stdout
    assert modes[2].startswith("600 root"), ls.stdout


def acl_count(zk: Zkctl) -> int:
    proc = zk.run("users", "--json", "-i", str(zk.inventory))
    assert proc.returncode == 0, proc.stderr
    return sum(len(u["acls"]) for u in json.loads(proc.stdout)["users"])


def test_a_second_deploy_changes_nothing_and_plan_shows_no_key(lab, sec):
    # Kept certificates are reused, root's own admin files are compared by root: no restart;
    # the users' credentials and ACLs are already what the inventory says.
    assert acl_count(sec) == 7
    proc = sec.run("deploy", str(sec.inventory))
    assert proc.returncode == 0, tail(proc)
    assert "configs changed on 0, started 0, restarted 0" in proc.stdout, proc.stdout
    assert "storage formatted on 0, started 0, restarted 0" in proc.stdout, proc.stdout
    assert "0 credential(s) set, 0 removed; ACLs +0 -0" in proc.stderr, proc.stderr
    assert acl_count(sec) == 7
    # A node whose certificate must change: plan says its key file changes, never its content.
    lab.ssh("node3", "rm /opt/kafka/config/tls/node.pem")
    proc = sec.run("plan", str(sec.inventory))
    assert proc.returncode == 0, tail(proc)
    assert "node.pem" in proc.stdout and "holds a private key" in proc.stdout, proc.stdout
    assert "PRIVATE KEY" not in proc.stdout + proc.stderr
    proc = sec.run("deploy", str(sec.inventory))
    assert proc.returncode == 0, tail(proc)
    assert acl_count(sec) == 7


def test_every_port_shows_the_cluster_ca_chain_and_the_nodes_name(sec):
    d = pki(sec, "seed")
    ca, cert, key = d / "ca.crt", d / "zkctl-admin.crt", d / "zkctl-admin.key"
    _, status = sec.status()
    leader = next(n["host"] for n in status["nodes"] if n["mode"] == "leader")
    targets = [(h, 2181, "zookeeper") for h in ZK_HOSTS]
    targets += [(h, 3888, "zookeeper") for h in ["node1", "node2", "node3"]]
    targets += [(leader, 2888, "zookeeper")]
    targets += [(h, p, "kafka") for h in BROKERS for p in (9092, 9094)]
    for host, port, cn in targets:
        # The chain as s_client verifies it, depth by depth, with the host name checked at the
        # leaf. (The quorum ports then refuse zkctl's certificate, which names no host: a peer
        # must be a server; the chain was shown before that.)
        r = s_client(host, port, ca, cert, key)
        out = r.stdout + r.stderr
        assert verified_chain(out, cn), f"{host}:{port}: {out}"


def test_metrics_ports_refuse_plaintext_and_serve_tls(lab, sec):
    import ssl
    import urllib.error
    ca = pki(sec, "seed") / "ca.crt"
    tls = ssl.create_default_context(cafile=str(ca))
    for host in BROKERS:
        # The JMX exporter agent: HTTPS with the node's certificate (chain and name checked) ...
        r = s_client(host, 7071, ca)
        assert verified_chain(r.stdout + r.stderr, "kafka"), f"{host}: {r.stdout + r.stderr}"
        names = scrape(f"https://{host}:7071/metrics", context=tls)
        assert "kafka_server_replicamanager_underminisrpartitioncount" in names, host
        # ... and no answer to plain HTTP.
        with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
            scrape(f"http://{host}:7071/metrics", timeout=5)
    for host in ZK_HOSTS:
        # ZooKeeper 3.8/3.9's provider has no TLS: the JMX exporter agent serves its metrics,
        # HTTPS only, with the node's certificate, under the provider's names ...
        r = s_client(host, 7000, ca)
        assert verified_chain(r.stdout + r.stderr, "zookeeper"), f"{host}: {r.stdout + r.stderr}"
        names = scrape(f"https://{host}:7000/metrics", context=tls)
        assert ZK_STATUS_NAMES | {"znode_count", "peer_state"} <= set(names), (host, sorted(names))
        assert names["znode_count"][0][1] > 0, host
        # ... and no answer to plain HTTP.
        with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
            scrape(f"http://{host}:7000/metrics", timeout=5)
    # `zkctl status` reads it over TLS (no SSH); the leader's synced followers from its mntr.
    code, status = sec.status()
    assert code == 0, status
    for n in status["nodes"]:
        m = n["metrics"]
        assert "error" not in m and {"outstanding_requests", "avg_latency_ms",
                                     "heap_used_mib"} <= set(m), n
        if n["mode"] == "leader":
            assert m["synced_followers"] == 2, n  # node1-3 are voters, nn01 an observer
    table = sec.run("status").stdout
    for host in ZK_HOSTS:
        assert re.search(rf"^  {host} metrics: outstanding \d+, avg latency", table, re.M), table


def prometheus(path: str) -> dict:
    with urllib.request.urlopen(PROMETHEUS + path, timeout=5) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return body["data"]


def test_the_monitoring_host_scrapes_every_target_over_tls_and_nothing_fires(sec):
    # Before, the zookeeper job scraped https://<host>:7000 where the provider (on loopback)
    # was not: every ZooKeeper target down, ZooKeeperNoQuorum and ZooKeeperServerDown firing.
    want = {f"zookeeper {h}:7000" for h in ZK_HOSTS} | {f"kafka {h}:7071" for h in BROKERS} | \
        {f"host {h}:9100" for h in ZK_HOSTS}
    deadline = time.monotonic() + 60
    while True:
        try:
            targets = {f'{t["labels"]["job"]} {t["labels"]["instance"]}': t
                       for t in prometheus("/api/v1/targets?state=active")["activeTargets"]}
        except OSError as e:  # Prometheus not answering yet
            targets = {"error": {"health": str(e)}}
        health = {k: t["health"] for k, t in targets.items()}
        if set(health) == want and all(h == "up" for h in health.values()):
            break
        assert time.monotonic() < deadline, {k: (t["health"], t.get("lastError"))
                                             for k, t in targets.items()}
        time.sleep(0.5)
    # Every rule evaluated at least once since the targets came up: nothing fires.
    time.sleep(2 * 2 + 1)
    firing = [a["labels"] for a in prometheus("/api/v1/alerts")["alerts"]
              if a["state"] == "firing"]
    assert firing == [], firing
    assert "alerts firing: none" in sec.run("status").stdout


def test_clients_without_tls_or_credentials_are_refused(sec):
    """Each refused client waits out its own timeout: they all try at once (threads)."""
    from concurrent.futures import ThreadPoolExecutor

    from confluent_kafka.admin import AdminClient
    from kazoo.client import KazooClient

    def zk_refused(kwargs: dict) -> bool:
        c = KazooClient(hosts="node1:2181", timeout=3, **kwargs)
        try:
            c.start(timeout=6)
        except Exception:  # timed out or refused
            return True
        finally:
            c.close()
        return False

    def kafka_refused(conf: dict) -> bool:
        admin = AdminClient({"bootstrap.servers": "node1:9092", "log_level": 0, **conf})
        try:
            admin.list_topics(timeout=6).brokers  # noqa: B018
        except Exception:
            return True
        return False

    d = pki(sec, "seed")
    # kazoo: plaintext, and TLS without a client certificate.
    zk_tries = [{}, {"use_ssl": True, "ca": str(d / "ca.crt")}]
    # Kafka: plaintext, TLS without credentials, and wrong credentials.
    kafka_tries = [{},
                   {"security.protocol": "ssl", "ssl.ca.location": str(d / "ca.crt")},
                   {"security.protocol": "sasl_ssl", "ssl.ca.location": str(d / "ca.crt"),
                    "sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": "app",
                    "sasl.password": "wrong-password"}]
    with ThreadPoolExecutor(max_workers=len(ZK_HOSTS) + 5) as pool:
        # The seed's plain `stat` loop gets nothing.
        stats = [pool.submit(plain_four_letter, h, 2181) for h in ZK_HOSTS]
        zk = [pool.submit(zk_refused, kw) for kw in zk_tries]
        kafka = [pool.submit(kafka_refused, conf) for conf in kafka_tries]
        assert all(b"Mode:" not in f.result() for f in stats)
        assert [f.result() for f in zk] == [True] * len(zk_tries)
        assert [f.result() for f in kafka] == [True] * len(kafka_tries)


def test_client_config_files_work_with_kcat_java_and_acls(sec, kafka3_dist):
    out = sec.tmp / "app-client"
    proc = sec.run("client-config", "app", "--out", str(out), "-i", str(sec.inventory))
    assert proc.returncode == 0, proc.stderr
    assert "kcat -F" in proc.stdout
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()}
    assert modes["password.properties"] == 0o600 and modes["app.key"] == 0o600
    assert modes["librdkafka.conf"] == 0o600 and modes["ca.crt"] == 0o644
    password = (out / "password.properties").read_text().split("=", 1)[1].strip()
    assert password not in proc.stdout + proc.stderr
    # The topic the user may use is created by the admin identity (users cannot create).
    create_topic("node1:9094", "orders", conf=admin_conf(sec, "seed"))
    create_topic("node1:9094", "secret", conf=admin_conf(sec, "seed"))
    conf = out / "librdkafka.conf"
    r = kcat(conf, "-b", "node1:9092", "-P", "-t", "orders", stdin="one\ntwo\nthree\n")
    assert r.returncode == 0, r.stderr
    # Consumed through another broker, in the user's own group.
    r = kcat(conf, "-b", "node2:9092", "-C", "-t", "orders", "-c", "3", "-e", "-o", "beginning")
    # (three partitions: the order across them is not kept)
    assert r.returncode == 0 and sorted(r.stdout.split()) == ["one", "three", "two"], r.stderr
    # A topic its ACLs do not name is refused.
    r = kcat(conf, "-b", "node1:9092", "-P", "-t", "secret", stdin="x\n")
    assert r.returncode != 0 or "authoriz" in r.stderr.lower(), tail(r)
    assert "authoriz" in (r.stdout + r.stderr).lower()
    # Kafka's own Java client with client.properties (the password through the file provider).
    dist = sec.tmp / "kafka-dist"
    with tarfile.open(kafka3_dist) as t:
        t.extractall(dist)
    home = next(dist.iterdir())
    java = subprocess.run([str(home / "bin" / "kafka-console-producer.sh"), "--bootstrap-server",
                           "node3:9092", "--topic", "orders", "--producer.config",
                           str(out / "client.properties")], input="four\n", text=True,
                          capture_output=True, timeout=120,
                          env=dict(os.environ, KAFKA_HEAP_OPTS="-Xmx128m"))
    assert java.returncode == 0, tail(java)
    r = kcat(conf, "-b", "node1:9092", "-C", "-t", "orders", "-c", "4", "-e", "-o", "beginning")
    assert sorted(r.stdout.split()) == ["four", "one", "three", "two"], r.stderr


def test_users_lists_credentials_and_acls_as_the_cluster_reports_them(sec):
    proc = sec.run("users", "--json", "-i", str(sec.inventory))
    assert proc.returncode == 0, proc.stderr
    users = {u["name"]: u for u in json.loads(proc.stdout)["users"]}
    assert set(users) >= {"app", "auditor"}
    assert users["app"]["scram"] and users["auditor"]["scram"]
    acls = {(a["operation"], a["resource"], a["name"]) for a in users["app"]["acls"]}
    assert ("write", "topic", "orders*") in acls and ("read", "group", "app-*") in acls
    table = sec.run("users", "-i", str(sec.inventory)).stdout
    assert "app" in table and "auditor" in table


def test_zookeeper_over_tls_with_a_client_certificate(sec):
    from kazoo.client import KazooClient
    out = sec.tmp / "app-client"
    c = KazooClient(hosts="node2:2181", use_ssl=True, ca=str(out / "ca.crt"),
                    certfile=str(out / "app.crt"), keyfile=str(out / "app.key"), timeout=10)
    c.start(timeout=15)
    try:
        assert sorted(c.get_children("/kafka/brokers/ids")) == ["11", "12", "13"]
    finally:
        c.stop()
        c.close()


def test_status_verify_and_one_restart_as_on_an_open_cluster(lab, sec):
    proc = sec.run("verify", "--json")
    assert proc.returncode == 0, tail(proc)
    assert json.loads(proc.stdout)["lost"] == 0
    proc = sec.run("restart", "node2")
    assert proc.returncode == 0, tail(proc)
    code, status = sec.status()
    assert code == 0 and status["kafka"]["ok"]
    # Replica moves plan over the admin listener's TLS and SCRAM (#15): every partition of
    # three brokers already sits on all three, and a drain has nowhere to go.
    proc = sec.run("rebalance", "--dry-run", "--json")
    assert proc.returncode == 0, tail(proc)
    assert json.loads(proc.stdout)["partitions"] == 0, proc.stdout
    proc = sec.run("drain", "node2", "--dry-run", "--json")
    assert proc.returncode == 4 and json.loads(proc.stdout)["refusals"], tail(proc)


def test_rolling_restart_over_tls_loses_nothing(lab, sec):
    out = sec.tmp / "app-client"
    conf = {k: v for k, v in librdkafka_conf(out / "librdkafka.conf").items()
            if k != "bootstrap.servers"}
    bootstrap = "node1:9092,node2:9092,node3:9092"
    create_topic("node1:9094", "orders.roll", conf=admin_conf(sec, "seed"))
    kz = dict(use_ssl=True, ca=str(out / "ca.crt"), certfile=str(out / "app.crt"),
              keyfile=str(out / "app.key"))
    writer = ZnodeWriter("node1:2181,node2:2181,node3:2181", root="/zkctl-secure-roll",
                         client_args=kz).start()
    producer = SequencedProducer(bootstrap, "orders.roll", conf=conf).start()
    try:
        time.sleep(2)
        proc = sec.run("restart")
        time.sleep(2)
    finally:
        producer.stop()
        writer.stop()
    assert proc.returncode == 0, tail(proc)
    seen = consume_all(bootstrap, "orders.roll", producer.acked, conf=conf, group="app-roll")
    lost = producer.acked - seen
    lost_znodes = writer.missing("nn01:2181")
    writer.close()
    record_case("secure whole-cluster roll under load (TLS, SCRAM, ACLs)", "zkctl restart",
                "exit 0", znodes_acknowledged=len(writer.acked), znodes_lost=len(lost_znodes),
                messages_sent=producer.sent, messages_acknowledged=len(producer.acked),
                messages_lost=len(lost))
    assert len(producer.acked) > 100 and lost == set()
    assert len(writer.acked) > 50 and lost_znodes == []


def test_dropping_a_user_removes_its_credential_and_acls(sec):
    text = sec.inventory.read_text()
    dropped = sec.tmp / "seed-kafka-secure-dropped.toml"
    dropped.write_text(re.sub(r'(?ms)^\[\[security\.users\]\]\nname = "auditor".*?(?=^\[|\Z)',
                              "", text))
    proc = sec.run("deploy", str(dropped))
    assert proc.returncode == 0, tail(proc)
    proc = sec.run("users", "--json", "-i", str(dropped))
    users = {u["name"]: u for u in json.loads(proc.stdout)["users"]}
    assert "auditor" not in users and "app" in users


# ---- KRaft ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ksec(lab, kafka4_dist, zkctl_bin, tmp_path_factory):
    lab.add_hosts(*KRAFT_HOSTS)
    lab.reset(KRAFT_HOSTS)
    tmp = tmp_path_factory.mktemp("secure-kraft")
    zk = Zkctl(zkctl_bin, tmp / "home")
    zk.inventory = secure_variant(KRAFT, tmp / "kraft-secure.toml",
                                  USERS.replace('"scram"', '"mtls"'))
    zk.tmp = tmp
    return zk


def test_kraft_secure_deploy_verify_and_client(lab, ksec):
    proc = ksec.run("deploy", str(ksec.inventory))
    assert proc.returncode == 0, tail(proc)
    code, status = ksec.status()
    assert code == 0 and status["kafka"]["ok"], status
    assert ksec.run("verify").returncode == 0
    cluster = json.loads(ksec.run("status", "--json").stdout)["cluster"]
    d = pki(ksec, cluster)
    for h in KRAFT_HOSTS:
        for port in (9092, 9093, 9094):
            r = s_client(h, port, d / "ca.crt", d / "zkctl-admin.crt", d / "zkctl-admin.key")
            assert verified_chain(r.stdout + r.stderr, "kafka", cluster), f"{h}:{port}: {r.stderr}"
    out = ksec.tmp / "app"
    assert ksec.run("client-config", "app", "--out", str(out), "-i",
                    str(ksec.inventory)).returncode == 0
    create_topic("kf1:9094", "orders", conf={**admin_conf(ksec, cluster),
                                              "ssl.ca.location": str(d / "ca.crt")})
    conf = out / "librdkafka.conf"
    topic_msgs = [f"m{i}" for i in range(20)]
    r = kcat(conf, "-b", "kf1:9092", "-P", "-t", "orders", stdin="\n".join(topic_msgs) + "\n")
    assert r.returncode == 0, r.stderr
    r = kcat(conf, "-b", "kf3:9092", "-C", "-t", "orders", "-c", "20", "-e", "-o", "beginning")
    assert sorted(r.stdout.split()) == sorted(topic_msgs), r.stderr
    r = kcat(conf, "-b", "kf2:9092", "-P", "-t", "not-mine", stdin="x\n")
    assert "authoriz" in (r.stdout + r.stderr).lower()
    proc = ksec.run("restart", "kf2")
    assert proc.returncode == 0, tail(proc)
    # KRaft over TLS too (#15): the replica-move plan reads the cluster through the admin
    # listener; three brokers holding every partition leave nothing to move.
    proc = ksec.run("rebalance", "--dry-run", "--json")
    assert proc.returncode == 0, tail(proc)
    assert json.loads(proc.stdout)["partitions"] == 0, proc.stdout
