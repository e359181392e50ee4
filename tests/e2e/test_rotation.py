"""End to end: certificate expiry in sight and node certificate rotation without an outage
(#13). One secure cluster: the seed layout (ZooKeeper 3.9, 3 voters + 1 observer) with Kafka
3.9 brokers 11-13 in ZooKeeper mode, certificates issued with a short lifetime (cert_days) so
that status and check warn, then fail. Under load (kazoo over TLS with a client certificate, an
acks=all producer and a consumer over SASL_SSL) every node certificate is reissued: the brokers
pick theirs up through dynamic config, ZooKeeper 3.9 through its file watchers
(sslQuorumReloadCertFiles, client.certReload): no JVM restarted (PIDs compared before and
after). Every port then serves the new certificate. (ZooKeeper 3.8.0 reads its client port's
certificate only at start: its servers restart in the gated roll, a decision the unit tests
cover.) Then, still under load, zkctl's CA is replaced phase by phase (pki rotate --ca:
trust-both, reissue, drop-old; the reissue phase interrupted by SIGTERM and resumed): a client
trusting only the old CA and one trusting only the new CA connect to ZooKeeper (kazoo) and
Kafka (librdkafka) after each phase with the outcome promised, no JVM restarted. Tests run in
file order and share the deployed cluster."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from kafka_helpers import SequencedProducer, consume_all, create_topic
from lab import REPO
from test_security import USERS, admin_conf, librdkafka_conf, pki, secure_variant
from zk_helpers import tail, Zkctl, ZnodeWriter, record_case

SEED_KAFKA = REPO / "inventories" / "seed-kafka.toml"
ZK_HOSTS = ["node1", "node2", "node3", "nn01"]
BROKERS = {"node1": 11, "node2": 12, "node3": 13}


def variant(zk: Zkctl, cert_days: int) -> Path:
    """The secure seed-kafka inventory with node certificates of `cert_days`."""
    dest = zk.tmp / f"rotation-{cert_days}.toml"
    secure_variant(SEED_KAFKA, dest, USERS.replace(
        "authorization = true\n", f"authorization = true\ncert_days = {cert_days}\n"))
    text = dest.read_text()
    assert str(zk.zk38) in text, "the seed's ZooKeeper is the 3.8.0 fixture"
    dest.write_text(text.replace(str(zk.zk38), str(zk.zk39)))
    return dest


@pytest.fixture(scope="module")
def rot(lab, zk_dist, zk39_dist, kafka3_dist, zkctl_bin, tmp_path_factory):
    lab.reset()
    tmp = tmp_path_factory.mktemp("rotation")
    zk = Zkctl(zkctl_bin, tmp / "home")
    zk.tmp = tmp
    zk.zk38, zk.zk39 = zk_dist, zk39_dist
    zk.inventory = variant(zk, 20)
    return zk


def jvm_pids(lab) -> dict[str, str]:
    """host/product -> the PID of its JVM, as the host's own process table says."""
    out = {}
    for h in ZK_HOSTS:
        out[f"{h}/zookeeper"] = lab.ssh(h, "pgrep -f org.apache.zookeeper.server").stdout.strip()
    for h in BROKERS:
        out[f"{h}/kafka"] = lab.ssh(h, "pgrep -f kafka.Kafka").stdout.strip()
    assert all(out.values()), out
    return out


def served_fingerprint(host: str, port: int, zk: Zkctl) -> str:
    """The SHA-256 fingerprint of the certificate `host:port` presents (zkctl's admin identity)."""
    d = pki(zk, "seed")
    r = subprocess.run(["openssl", "s_client", "-connect", f"{host}:{port}", "-CAfile",
                        str(d / "ca.crt"), "-cert", str(d / "zkctl-admin.crt"), "-key",
                        str(d / "zkctl-admin.key"), "-servername", host],
                       input="", text=True, capture_output=True, timeout=30)
    pem = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", r.stdout, re.S)
    assert pem, r.stdout + r.stderr
    return kept_fingerprint(pem.group(0))


def kept_fingerprint(pem: str) -> str:
    r = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256"], input=pem,
                       text=True, capture_output=True, check=True)
    return r.stdout.strip().split("=", 1)[1]


def local_leaf(zk: Zkctl, identity: str, host: str, node_id: int) -> str:
    return (pki(zk, "seed") / f"{identity}-{host}-{node_id}.crt").read_text()


def ports_serve_local_certificates(zk: Zkctl) -> list[str]:
    """Every port whose certificate is not this machine's current one for that node."""
    wrong = []
    for i, h in enumerate(ZK_HOSTS, start=1):
        if served_fingerprint(h, 2181, zk) != kept_fingerprint(local_leaf(zk, "zookeeper", h, i)):
            wrong.append(f"{h}:2181")
    for h, bid in BROKERS.items():
        want = kept_fingerprint(local_leaf(zk, "kafka", h, bid))
        for port in (9092, 9094):
            if served_fingerprint(h, port, zk) != want:
                wrong.append(f"{h}:{port}")
    return wrong


def test_short_lived_certificates_are_warned_of_by_status_and_check(rot):
    proc = rot.run("deploy", str(rot.inventory))
    assert proc.returncode == 0, tail(proc)
    code, status = rot.status()
    assert code == 0, status
    certs = status["certificates"]
    nodes = [c for c in certs if c["certificate"] != "CA"]
    assert len(nodes) == 7, certs
    assert all(c["level"] == "warn" and c["days_left"] == 19 for c in nodes), certs
    ca = [c for c in certs if c["certificate"] == "CA"]
    assert len(ca) == 1 and ca[0]["level"] == "ok" and ca[0]["days_left"] > 3000, ca
    proc = rot.run("check", "--json", "-i", str(rot.inventory))
    assert proc.returncode == 0, tail(proc)
    items = [i for i in json.loads(proc.stdout)["items"] if i["check"] == "certificate"]
    assert sum(i["verdict"] == "WARN" for i in items) == 7, items
    table = rot.run("status").stdout
    assert "DAYS LEFT" in table and "certificates: warn" in table, table


def test_dry_run_says_reload_or_restart_and_why_and_changes_nothing(rot, lab):
    before = {h: lab.ssh(h, "sha256sum /opt/zookeeper/conf/tls/node.pem").stdout for h in ZK_HOSTS}
    proc = rot.run("pki", "rotate", "--dry-run", "--json", "-i", str(rot.inventory))
    assert proc.returncode == 0, tail(proc)
    nodes = json.loads(proc.stdout)["nodes"]
    assert len(nodes) == 7, nodes
    zk = [n for n in nodes if n["kind"] == "zookeeper"]
    kafka = [n for n in nodes if n["kind"] == "kafka"]
    assert len(zk) == 4 and all(n["pickup"] == "reload" for n in zk), zk
    assert all("reloads its quorum and client-port certificates" in n["reason"] for n in zk), zk
    assert len(kafka) == 3 and all(n["pickup"] == "reload" for n in kafka), kafka
    table = rot.run("pki", "rotate", "--dry-run", "-i", str(rot.inventory)).stdout
    assert "PICKUP" in table and "dynamic config" in table, table
    after = {h: lab.ssh(h, "sha256sum /opt/zookeeper/conf/tls/node.pem").stdout for h in ZK_HOSTS}
    assert before == after


def test_node_rotation_under_load_restarts_no_jvm(rot, lab):
    out = rot.tmp / "app-client"
    proc = rot.run("client-config", "app", "--out", str(out), "-i", str(rot.inventory))
    assert proc.returncode == 0, proc.stderr
    conf = {k: v for k, v in librdkafka_conf(out / "librdkafka.conf").items()
            if k != "bootstrap.servers"}
    bootstrap = "node1:9092,node2:9092,node3:9092"
    create_topic("node1:9094", "orders.rotate", conf=admin_conf(rot, "seed"))
    kz = dict(use_ssl=True, ca=str(out / "ca.crt"), certfile=str(out / "app.crt"),
              keyfile=str(out / "app.key"))
    pids = jvm_pids(lab)
    old = {h: served_fingerprint(h, 2181, rot) for h in ZK_HOSTS}
    # The new certificates live 5 days: check then fails (under 7 days left).
    short = variant(rot, 5)
    writer = ZnodeWriter("node1:2181,node2:2181,node3:2181", root="/zkctl-rotate",
                         client_args=kz).start()
    producer = SequencedProducer(bootstrap, "orders.rotate", conf=conf).start()
    try:
        time.sleep(2)
        proc = rot.run("pki", "rotate", "-i", str(short))
        time.sleep(3)
    finally:
        producer.stop()
        writer.stop()
    assert proc.returncode == 0, tail(proc)
    assert "7 reloaded without a restart, 0 restarted" in proc.stdout, proc.stdout
    seen = consume_all(bootstrap, "orders.rotate", producer.acked, conf=conf, group="app-rotate")
    lost = producer.acked - seen
    lost_znodes = writer.missing("nn01:2181")
    writer.close()
    record_case("node certificate rotation under load (ZooKeeper 3.9, Kafka 3.9)",
                "zkctl pki rotate",
                "exit 0, 3 brokers and 4 ZooKeeper servers reloaded, none restarted",
                znodes_acknowledged=len(writer.acked), znodes_lost=len(lost_znodes),
                messages_sent=producer.sent, messages_acknowledged=len(producer.acked),
                messages_lost=len(lost))
    now = jvm_pids(lab)
    assert all(now[f"{h}/kafka"] == pids[f"{h}/kafka"] for h in BROKERS), (pids, now)
    assert now == pids, "no JVM restarted"
    assert len(producer.acked) > 100 and lost == set()
    assert len(writer.acked) > 50 and lost_znodes == []
    # Every port now serves the node's new certificate.
    deadline = time.time() + 30
    while (wrong := ports_serve_local_certificates(rot)) and time.time() < deadline:
        time.sleep(2)
    assert wrong == []
    assert all(served_fingerprint(h, 2181, rot) != old[h] for h in ZK_HOSTS)
    # A new client with the new certificates works through every broker.
    verify = rot.run("verify", "--json")
    assert verify.returncode == 0 and json.loads(verify.stdout)["lost"] == 0, verify.stdout


def test_certificates_near_their_end_fail_check_and_degrade_status(rot):
    proc = rot.run("check", "--json", "-i", str(rot.tmp / "rotation-5.toml"))
    assert proc.returncode == 5, tail(proc)
    items = [i for i in json.loads(proc.stdout)["items"] if i["check"] == "certificate"]
    assert sum(i["verdict"] == "FAIL" for i in items) == 7, items
    assert all("4 days left" in i["detail"] for i in items if i["verdict"] == "FAIL"), items
    code, status = rot.status()
    assert code == 7, status
    assert {c["level"] for c in status["certificates"] if c["certificate"] != "CA"} == {"fail"}
    # Rotating with the long lifetime again clears it.
    proc = rot.run("pki", "rotate", "-i", str(variant(rot, 400)))
    assert proc.returncode == 0, tail(proc)
    code, status = rot.status()
    assert code == 0, status
    assert {c["level"] for c in status["certificates"]} == {"ok"}


def zk_accepts(ca: Path, cert: Path, key: Path) -> bool:
    """Whether kazoo over TLS, trusting only `ca` and presenting `cert`, gets a session."""
    from kazoo.client import KazooClient
    c = KazooClient(hosts="node2:2181", use_ssl=True, ca=str(ca), certfile=str(cert),
                    keyfile=str(key), timeout=5, connection_retry={"max_tries": 1})
    try:
        c.start(timeout=8)
        return c.exists("/") is not None
    except Exception:  # noqa: BLE001 - refused in any way
        return False
    finally:
        c.stop()
        c.close()


def kafka_accepts(ca: Path, conf: dict) -> bool:
    """Whether librdkafka over SASL_SSL, trusting only `ca`, gets the cluster's metadata."""
    from confluent_kafka.admin import AdminClient
    admin = AdminClient({**conf, "bootstrap.servers": "node1:9092,node2:9092,node3:9092",
                         "ssl.ca.location": str(ca)})
    try:
        return len(admin.list_topics(timeout=8).brokers) == 3
    except Exception:  # noqa: BLE001 - refused in any way
        return False


def ca_record(rot) -> dict | None:
    path = rot.home / "clusters" / "seed" / "ca-rotation"
    return json.loads(path.read_text()) if path.exists() else None


def test_ca_rotation_under_load_keeps_each_client_as_promised(rot, lab):
    inv = str(rot.tmp / "rotation-400.toml")
    d = pki(rot, "seed")
    keep = rot.tmp / "ca-old-client"
    keep.mkdir()
    old_client = rot.tmp / "app-client"  # client-config from before: the old CA and its cert
    shutil.copy(d / "ca.crt", keep / "old-ca.crt")
    conf = {k: v for k, v in librdkafka_conf(old_client / "librdkafka.conf").items()
            if k != "bootstrap.servers"}
    old = (keep / "old-ca.crt", old_client / "app.crt", old_client / "app.key")
    assert zk_accepts(*old) and kafka_accepts(old[0], conf)
    plan = rot.run("pki", "rotate", "--ca", "--dry-run", "--json", "-i", inv)
    assert plan.returncode == 0, tail(plan)
    planned = json.loads(plan.stdout)
    assert [p["phase"] for p in planned["phases"]] == ["trust-both", "reissue", "drop-old"]
    assert all(n["pickup"] == "reload" for n in planned["nodes"]), planned["nodes"]
    assert not (d / "ca-next.crt").exists(), "a dry run changes nothing"

    bootstrap = "node1:9092,node2:9092,node3:9092"
    create_topic("node1:9094", "orders.carotate", conf=admin_conf(rot, "seed"))
    kz = dict(use_ssl=True, ca=str(keep / "old-ca.crt"), certfile=str(old[1]),
              keyfile=str(old[2]))
    pids = jvm_pids(lab)
    writer = ZnodeWriter("node1:2181,node2:2181,node3:2181", root="/zkctl-carotate",
                         client_args=kz).start()
    producer = SequencedProducer(bootstrap, "orders.carotate",
                                 conf={**conf, "ssl.ca.location": str(keep / "old-ca.crt")}).start()
    seen: dict[str, tuple[bool, bool, bool, bool]] = {}

    def clients(phase: str) -> None:
        """old-only (ZooKeeper, Kafka), new-only (ZooKeeper, Kafka) after `phase`."""
        new_client = rot.tmp / f"app-client-{phase}"
        proc = rot.run("client-config", "app", "--out", str(new_client), "-i", inv)
        assert proc.returncode == 0, proc.stderr
        new_ca = keep / f"new-ca-{phase}.crt"
        src = d / ("ca-next.crt" if (d / "ca-next.crt").exists() else "ca.crt")
        shutil.copy(src, new_ca)
        bundle = (new_client / "ca.crt").read_text().count("BEGIN CERTIFICATE")
        assert bundle == (1 if phase == "drop-old" else 2), "client-config carries the bundle"
        seen[phase] = (zk_accepts(*old), kafka_accepts(old[0], conf),
                       zk_accepts(new_ca, new_client / "app.crt", new_client / "app.key"),
                       kafka_accepts(new_ca, conf))

    try:
        time.sleep(2)
        proc = rot.run("pki", "rotate", "--ca", "--until", "trust-both", "-i", inv)
        assert proc.returncode == 0, tail(proc)
        assert ca_record(rot) == {"phase": "trust-both", "done": True,
                                  "nodes_done": ca_record(rot)["nodes_done"]}
        clients("trust-both")
        code, status = rot.status()
        assert len([c for c in status["certificates"] if c["certificate"] == "CA"]) == 2, status
        # reissue, interrupted by SIGTERM once it is recorded as begun, then resumed.
        run = subprocess.Popen([str(rot.binary), "pki", "rotate", "--ca", "--until", "reissue",
                                "-i", inv], env=rot.env, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.time() + 60
        while (ca_record(rot) or {}).get("phase") != "reissue" and time.time() < deadline:
            time.sleep(0.05)
        run.send_signal(signal.SIGTERM)
        out, _ = run.communicate(timeout=300)
        print(out)
        interrupted = ca_record(rot)
        assert run.returncode != 0 and interrupted["phase"] == "reissue", (out, interrupted)
        assert interrupted["done"] is False, interrupted
        proc = rot.run("pki", "rotate", "--ca", "--until", "reissue", "--json", "-i", inv)
        assert proc.returncode == 0, tail(proc)
        states = {p["phase"]: p["state"] for p in json.loads(proc.stdout)["phases"]}
        assert states == {"trust-both": "done before", "reissue": "done",
                          "drop-old": "not reached"}, states
        clients("reissue")
        proc = rot.run("pki", "rotate", "--ca", "-i", inv)
        assert proc.returncode == 0, tail(proc)
        assert "CA rotated" in proc.stdout, proc.stdout
        clients("drop-old")
        time.sleep(2)
    finally:
        producer.stop()
        writer.stop()
    # The promise: old-only refused only after drop-old, new-only accepted from reissue on.
    assert seen == {"trust-both": (True, True, False, False),
                    "reissue": (True, True, True, True),
                    "drop-old": (False, False, True, True)}, seen
    assert ca_record(rot) is None
    assert (d / "ca.crt").read_text() != (keep / "old-ca.crt").read_text()
    archived = [p.read_text() for p in (d / "archive").glob("*.crt")]
    assert (keep / "old-ca.crt").read_text() in archived, "the old CA is archived, not deleted"
    new_conf = {**conf, "ssl.ca.location": str(d / "ca.crt")}
    got = consume_all(bootstrap, "orders.carotate", producer.acked, conf=new_conf,
                      group="app-carotate")
    lost = producer.acked - got
    # Read back as a client of the new CA (the old client certificate is refused now).
    fresh = rot.tmp / "app-client-drop-old"
    writer.client_args = dict(use_ssl=True, ca=str(d / "ca.crt"), certfile=str(fresh / "app.crt"),
                              keyfile=str(fresh / "app.key"))
    lost_znodes = writer.missing("nn01:2181")
    writer.close()
    record_case("CA rotation under load (ZooKeeper 3.9, Kafka 3.9)",
                "zkctl pki rotate --ca, phase by phase, SIGTERM during reissue then resumed",
                "exit 0 per phase, 7 nodes reloaded per phase, none restarted; old-only clients "
                "refused only after drop-old, new-only accepted from reissue on",
                znodes_acknowledged=len(writer.acked), znodes_lost=len(lost_znodes),
                messages_sent=producer.sent, messages_acknowledged=len(producer.acked),
                messages_lost=len(lost))
    assert jvm_pids(lab) == pids, "no JVM restarted"
    assert len(producer.acked) > 100 and lost == set()
    assert len(writer.acked) > 50 and lost_znodes == []
    verify = rot.run("verify", "--json")
    assert verify.returncode == 0 and json.loads(verify.stdout)["lost"] == 0, verify.stdout


def test_a_cluster_that_differs_from_its_inventory_is_refused(rot, lab):
    lab.ssh("node2", "echo '# drift' >> /opt/zookeeper/conf/zoo.cfg", check=True)
    proc = rot.run("pki", "rotate", "-i", str(rot.tmp / "rotation-400.toml"))
    assert proc.returncode == 5, tail(proc)
    assert "zoo.cfg differs from the inventory's; run deploy first" in proc.stderr, proc.stderr
