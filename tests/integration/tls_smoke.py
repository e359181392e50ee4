#!/usr/bin/python3
"""Secure configs rendered by zkctl, run for real on 127.0.0.1 (no lab, no SSH).

Makes a CA and certificates with the openssl CLI (EC P-256, PKCS#8 keys, SANs DNS:localhost and
IP:127.0.0.1, serverAuth+clientAuth, subjects CN=<name>,OU=smoke,O=zkctl), renders the files
of small clusters with build/tests/integration/render_tls_layouts (zkctl's renderers), and:
  ZooKeeper (each fixture: 3.8.0 from Debian's packages + Netty, and 3.9): a standalone
    server answers `srvr` over TLS with a client certificate (openssl s_client), refuses a
    TLS client without one and a plaintext client; kazoo with use_ssl creates and reads a
    znode; 3.8.0 also as a 3-server ensemble on TLS quorum links elects a leader.
  Kafka 3.9 in ZooKeeper mode (against the TLS standalone server) and KRaft (combined node):
    kafka-configs.sh over INTERNAL with admin.properties creates a SCRAM user, kafka-acls.sh
    grants it a topic, and confluent-kafka produces and consumes over SASL_SSL; a wrong
    password and a TLS client without SASL are refused; in ZooKeeper mode the broker's znodes
    carry the x509 ACL of CN=kafka.
  mtls on KRaft: a user's certificate (CN=alice) is User:alice through the mapping rules;
    a TLS client without a certificate is refused. Encrypted only (authentication "none"):
    ZooKeeper answers a TLS client without a certificate.
Kafka 4.x (SMOKE_KAFKA_TGZ=.../kafka_2.13-4.4.0.tgz): KRaft only, and SCRAM through Kafka's
Java client (librdkafka before 2.6.1, Debian's 2.0.2 included, fails SCRAM against Kafka 4).
Starts only its own processes (each in its own session) and kills them by process group.
Takes about 3.5 minutes (ZooKeeper part ~1, --only zk); not part of any meson suite.
Usage (root not needed; needs build/tests/integration/render_tls_layouts):
  /usr/bin/python3 tests/integration/tls_smoke.py [BUILD_DIR] [--only zk|kafka]
Fixtures: ZooKeeper from tests/fixtures/zookeeper-dist.sh (cached in $ZKCTL_CACHE, default
/var/cache/zkctl); Kafka from $SMOKE_KAFKA_TGZ (default /var/cache/zkctl/kafka_2.13-3.9.2.tgz,
made by tests/fixtures/kafka-dist.sh); Kafka 3.9's ZooKeeper is $SMOKE_KAFKA_ZK (3.9 or 3.8,
default 3.9). SMOKE_KEEP=1 keeps the work dir, SMOKE_BASE_PORT moves
the ports (default 23100..23362).
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CLUSTER = "smoke"
BASE = int(os.environ.get("SMOKE_BASE_PORT", "23100"))
PROCS = []


def log(msg):
    print(f"[tls_smoke {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run(cmd, **kw):
    kw.setdefault("check", True)
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    return subprocess.run(cmd, **kw)


def subject(cn):
    return f"/O=zkctl/OU={CLUSTER}/CN={cn}"  # RFC 2253: CN=<cn>,OU=smoke,O=zkctl


def make_pki(d):
    d.mkdir(parents=True)
    key = ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
    run(key + ["-out", str(d / "ca.key")])
    run(["openssl", "req", "-x509", "-new", "-key", str(d / "ca.key"), "-sha256", "-days", "2",
         "-subj", f"/O=zkctl/OU={CLUSTER}/CN=zkctl {CLUSTER} CA", "-out", str(d / "ca.pem"),
         "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    ext = d / "leaf.ext"
    ext.write_text("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                   "extendedKeyUsage=serverAuth,clientAuth\n"
                   "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for cn, name in [("zookeeper", "zookeeper"), ("kafka", "kafka"), ("zkctl-admin", "admin"),
                     ("alice", "alice"), ("intruder", "intruder")]:
        k, csr, crt = d / f"{name}.key", d / f"{name}.csr", d / f"{name}.crt"
        run(key + ["-out", str(k)])
        run(["openssl", "req", "-new", "-key", str(k), "-subj", subject(cn), "-out", str(csr)])
        ca_key = d / "ca.key"
        ca = d / "ca.pem"
        if name == "intruder":  # another CA's certificate, same subject shape
            run(key + ["-out", str(d / "other-ca.key")])
            run(["openssl", "req", "-x509", "-new", "-key", str(d / "other-ca.key"), "-days", "2",
                 "-subj", "/O=other/CN=other CA", "-out", str(d / "other-ca.pem")])
            ca_key, ca = d / "other-ca.key", d / "other-ca.pem"
        run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
             "-CAcreateserial", "-days", "2", "-sha256", "-extfile", str(ext), "-out", str(crt)])
        # key (PKCS#8, as genpkey writes it) then the chain: leaf, CA
        (d / f"{name}.pem").write_text(k.read_text() + crt.read_text() + ca.read_text())
    assert "BEGIN PRIVATE KEY" in (d / "kafka.pem").read_text()


def start(cmd, logfile, env=None):
    out = open(logfile, "w")
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                         start_new_session=True)
    PROCS.append(p)
    return p


def stop(p):
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGKILL)  # its own session: the JVM and nothing else
        p.wait()


def wait_for(what, fn, timeout=90):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            r = fn()
            if r:
                return r
        except Exception as e:  # noqa: BLE001 - retried until the deadline
            last = e
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what} (last: {last})")


def tls_word(port, word, pki, cert="admin"):
    """A four-letter word over TLS with openssl s_client; (rc, stdout)."""
    cmd = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", str(pki / "ca.pem"),
           "-verify_return_error", "-verify_hostname", "localhost", "-quiet", "-ign_eof"]
    if cert:
        cmd += ["-cert", str(pki / f"{cert}.crt"), "-key", str(pki / f"{cert}.key")]
    r = subprocess.run(cmd, input=word, capture_output=True, text=True, timeout=20)
    return r.returncode, r.stdout


def plain_word(port, word):
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(word.encode())
        data = b""
        try:
            while chunk := s.recv(4096):
                data += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        return data.decode(errors="replace")


def unpack(tarball, into):
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as t:
        t.extractall(into)
    return next(into.iterdir())


def fixture(script, *args):
    r = run(["bash", str(REPO / "tests/fixtures" / script), *args])
    return Path(r.stdout.strip().splitlines()[-1])


def zookeeper(dist, install, tag):
    conf = install / "conf"
    cp = f"{dist}/lib/*:{dist}/conf"
    env = dict(os.environ, ZOO_LOG_DIR=str(install / "logs"))
    (install / "logs").mkdir(exist_ok=True)
    return start(["java", "-Xmx128m", "-cp", cp, "-Dzookeeper.log.dir=" + str(install / "logs"),
                  "org.apache.zookeeper.server.quorum.QuorumPeerMain", str(conf / "zoo.cfg")],
                 install / f"zookeeper-{tag}.out", env)


def check_standalone(dist, out, pki, ports, tag):
    zk = zookeeper(dist, out / "zk", tag)
    port = ports["zk"]
    try:
        rc, text = wait_for(f"{tag} srvr over TLS",
                            lambda: (lambda r: r if "Mode: standalone" in r[1] else None)(
                                tls_word(port, "srvr", pki)))
        log(f"{tag}: srvr over TLS with zkctl-admin's certificate: "
            + text.splitlines()[0])
        rc, text = tls_word(port, "srvr", pki, cert=None)
        assert "Zookeeper version" not in text, f"{tag}: answered without a client certificate"
        log(f"{tag}: TLS without a client certificate refused (s_client rc={rc})")
        rc, text = tls_word(port, "srvr", pki, cert="intruder")
        assert "Zookeeper version" not in text, f"{tag}: answered another CA's certificate"
        log(f"{tag}: a certificate from another CA refused (rc={rc})")
        text = plain_word(port, "srvr")
        assert "Zookeeper version" not in text, f"{tag}: answered plaintext: {text!r}"
        log(f"{tag}: plaintext srvr gets nothing ({len(text)} bytes)")
        from kazoo.client import KazooClient
        zkc = KazooClient(hosts=f"localhost:{port}", use_ssl=True, verify_certs=True,
                          ca=str(pki / "ca.pem"), certfile=str(pki / "admin.crt"),
                          keyfile=str(pki / "admin.key"), timeout=20)
        zkc.start(timeout=30)
        path = f"/smoke-{tag}"
        zkc.create(path, b"over tls", makepath=True)
        assert zkc.get(path)[0] == b"over tls"
        zkc.delete(path)
        zkc.stop()
        zkc.close()
        log(f"{tag}: kazoo use_ssl created, read and deleted {path}")
    except Exception:
        print((out / "zk" / f"zookeeper-{tag}.out").read_text()[-4000:], file=sys.stderr)
        raise
    return zk


def check_tls_only(dist, out, pki, ports, tag):
    """authentication = "none": TLS without client certificates (no x509 provider)."""
    zk = zookeeper(dist, out / "zk", tag + "-tls-only")
    try:
        _, text = wait_for(f"{tag} srvr over TLS without a certificate",
                           lambda: (lambda r: r if "Mode: standalone" in r[1] else None)(
                               tls_word(ports["zk"], "srvr", pki, cert=None)))
        log(f"{tag}: encrypted only (authentication none): srvr over TLS without a client "
            "certificate answers")
        assert "Zookeeper version" not in plain_word(ports["zk"], "srvr")
    finally:
        stop(zk)


def check_ensemble(dist, out, pki, ports, tag):
    procs = [zookeeper(dist, out / f"q{i}", tag) for i in (1, 2, 3)]

    def modes():
        got = []
        for i in (1, 2, 3):
            _, text = tls_word(ports[f"q{i}"], "srvr", pki)
            got += [line.split(": ")[1] for line in text.splitlines() if line.startswith("Mode")]
        return got if sorted(got) == ["follower", "follower", "leader"] else None

    try:
        got = wait_for(f"{tag} ensemble leader over TLS quorum links", modes, timeout=120)
        log(f"{tag}: 3-server ensemble with sslQuorum: modes {got}")
        logs = "".join((out / f"q{i}" / f"zookeeper-{tag}.out").read_text() for i in (1, 2, 3))
        for line in ("Creating TLS-only quorum server socket", "SSL handshake complete with"):
            assert line in logs, f"{tag}: no '{line}' in the servers' logs"
        log(f"{tag}: quorum and election links are TLS-only (servers' logs)")
    finally:
        for p in procs:
            stop(p)


def main():
    build = Path(sys.argv[1]) if len(sys.argv) > 1 and not sys.argv[1].startswith("--") \
        else REPO / "build"
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    work = Path(tempfile.mkdtemp(prefix="zkctl-tls-smoke-"))
    t0 = time.time()
    try:
        pki = work / "pki"
        make_pki(pki)
        log("PKI made with openssl (EC P-256, PKCS#8)")
        layouts = {}
        for n, auth in enumerate(["scram", "mtls", "none"]):
            r = run([str(build / "tests/integration/render_tls_layouts"), str(work / auth),
                     str(pki), auth, str(BASE + 100 * n)])
            layouts[auth] = {k: int(v) for k, v in (line.split("=") for line in r.stdout.split())}
        out, ports = work / "scram", layouts["scram"]
        if only in ("", "zk"):
            for version in ("3.8", "3.9"):
                dist = unpack(fixture("zookeeper-dist.sh", version), work / f"dist-zk{version}")
                zk = check_standalone(dist, out, pki, ports, f"zk{version}")
                stop(zk)
                if version == "3.8":
                    check_ensemble(dist, out, pki, ports, f"zk{version}")
                    check_tls_only(dist, work / "none", pki, layouts["none"], f"zk{version}")
        if only in ("", "kafka"):
            import kafka_smoke  # noqa: E402 - next to this file
            zk_line = os.environ.get("SMOKE_KAFKA_ZK", "3.9")  # the ensemble Kafka 3.9 runs on
            dist = unpack(fixture("zookeeper-dist.sh", zk_line), work / "dist-zk-kafka")
            zk = check_standalone(dist, out, pki, ports, "zk-for-kafka")
            kafka_smoke.run_all(work, out, pki, ports, log, start, stop, wait_for, fixture, unpack)
            kafka_smoke.run_mtls(work, work / "mtls", pki, layouts["mtls"], log, start, stop,
                                 wait_for)
            stop(zk)
        log(f"all checks passed in {time.time() - t0:.0f} s")
    finally:
        for p in PROCS:
            stop(p)
        if os.environ.get("SMOKE_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
