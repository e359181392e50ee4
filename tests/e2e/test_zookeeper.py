"""End to end: zkctl against real sshd and a real ZooKeeper ensemble on the simulated hosts
(node1..node3 voters, nn01 observer), on the newest ZooKeeper 3.9 release: the seed layout with
its distribution pointed at the 3.9 fixture (zk.seed). The tests run in file order and share one
ensemble."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from zk_helpers import (tail, Zkctl, ZnodeWriter, epoch, inventory_variant, leader_of, modes,
                        record_case, scrape, wait_status)

VOTERS = ("node1", "node2", "node3")
HOSTS = ("node1", "node2", "node3", "nn01")  # the seed layout (the lab may hold more hosts)
ZK_PATTERN = r"org\.apache\.zookeeper\.server\.quorum\.QuorumPeerMain"
LOCK = "/run/zkctl/zkctl-seed.lock"  # the cluster lock on every host


@pytest.fixture(scope="module")
def zk(lab, zk39_dist, zkctl_bin, tmp_path_factory) -> Zkctl:
    lab.reset()
    zk = Zkctl(zkctl_bin, tmp_path_factory.mktemp("zkctl-home"))
    zk.seed = inventory_variant(tmp_path_factory.mktemp("inv") / "seed.toml",
                                replace={"distribution": f'"{zk39_dist}"'})
    return zk


def zk_pids(lab) -> dict[str, int | None]:
    return {h: lab.pid_of(h, ZK_PATTERN) for h in HOSTS}


def audit_outcomes(zk) -> list[dict]:
    """The outcome records of the audit log, oldest first."""
    records = [json.loads(l) for l in (zk.home / "audit.log").read_text().splitlines()]
    return [r for r in records if r["phase"] == "outcome"]


def assert_no_lock_anywhere(lab) -> None:
    for host in HOSTS:
        assert lab.exec(host, f"test -e {LOCK}").returncode != 0, host


def test_bad_inventory_is_rejected_before_any_host_is_touched(lab, zk, tmp_path):
    inv = inventory_variant(tmp_path / "bad.toml", replace={"heap_mb": '"lots"'}, base=zk.seed,
                            append='\n[[zookeeper.servers]]\nhost = "node4"\nid = 3\n')
    proc = zk.run("deploy", str(inv))
    assert proc.returncode == 2
    lines = [l for l in proc.stderr.splitlines() if ": error: " in l]
    assert any(l.startswith(f"{inv}:") and "heap_mb" in l for l in lines), proc.stderr
    assert any("duplicate" in l and "id" in l for l in lines), proc.stderr
    for host in HOSTS:
        assert lab.exec(host, "ls -A /opt").stdout.strip() == ""


def test_unreachable_host_refuses_the_lock_and_changes_nothing(lab, zk):
    lab.link_down("nn01")
    try:
        locked = zk.run("deploy", str(zk.seed), "--connect-timeout", "3")
        proc = zk.run("deploy", str(zk.seed), "--connect-timeout", "3", "--no-lock")
    finally:
        lab.link_up("nn01")
    # A host that cannot be locked refuses the whole lock, loudly; what was taken is released.
    assert locked.returncode == 6, locked.stderr
    assert "cannot lock cluster seed on nn01" in locked.stderr
    assert "nothing was changed" in locked.stderr and "--no-lock" in locked.stderr
    assert_no_lock_anywhere(lab)
    # Without the lock, pre-flight still finds the host and changes nothing.
    assert proc.returncode == 5, proc.stderr
    assert "nothing was changed" in proc.stderr
    problem_lines = [l for l in proc.stderr.splitlines() if l.startswith("  ")]
    assert problem_lines and all(l.strip().startswith("nn01:") for l in problem_lines), proc.stderr
    for host in HOSTS:
        assert lab.exec(host, "ls -A /opt /var/lib/zookeeper").stdout.split() == \
            ["/opt:", "/var/lib/zookeeper:"], host
    outcomes = audit_outcomes(zk)
    assert [(r["outcome"], r["lock"]) for r in outcomes[-2:]] == \
        [("locked", "refused"), ("failed", "not taken (--no-lock)")]


def test_deploy_seed_gives_one_leader_two_followers_one_observer(lab, zk):
    proc = zk.run("deploy", str(zk.seed))
    assert proc.returncode == 0, proc.stderr
    assert "started 4" in proc.stdout
    for host in HOSTS:  # per-host progress lines
        assert f"[{host}] upload: ok" in proc.stderr
    code, status = zk.status()
    assert code == 0
    m = modes(status)
    assert sorted(m[h] for h in VOTERS) == ["follower", "follower", "leader"]
    assert m["nn01"] == "observer"
    assert status["quorum"]["ok"] is True
    assert status["quorum"]["voters_serving"] == 3 and status["quorum"]["majority"] == 2
    # The table: one row per server and the quorum line.
    table = zk.run("status")
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split()[:4] == ["HOST", "ID", "ROLE", "MODE"]
    assert "quorum OK: 3/3 voters serving, majority 2, leader" in table.stdout
    # What deploy wrote on the hosts.
    assert lab.read_file("nn01", "/var/lib/zookeeper/myid") == "4\n"
    assert lab.read_file("node2", "/var/lib/zookeeper/myid") == "2\n"
    cfg = lab.read_file("node1", "/opt/zookeeper/conf/zoo.cfg")
    assert "server.4=nn01:2888:3888:observer" in cfg
    assert "peerType=observer" in lab.read_file("nn01", "/opt/zookeeper/conf/zoo.cfg")
    assert "peerType" not in cfg


def test_znode_written_through_one_server_is_read_through_another(lab, zk):
    cli = "/opt/zookeeper/current/bin/zkCli.sh"
    w = lab.ssh("node1", f"{cli} -server node1:2181 create /zkctl-e2e hello-from-node1")
    assert "Created /zkctl-e2e" in w.stdout + w.stderr, w.stdout + w.stderr
    r = lab.ssh("nn01", f"{cli} -server node3:2181 get /zkctl-e2e")
    assert "hello-from-node1" in r.stdout, r.stdout + r.stderr
    # zkctl's own round trip, on the same 3.9 release.
    v = zk.run("verify")
    assert v.returncode == 0, tail(v)
    assert "ok   zookeeper round trip" in v.stdout and "verify: OK" in v.stdout


def test_every_server_serves_metrics_with_the_expected_names(lab, zk):
    # [metrics] is on by default: ZooKeeper's own Prometheus provider on the node's address.
    code, status = zk.status()
    assert code == 0, status
    for host in HOSTS:
        names = scrape(f"http://{host}:7000/metrics")
        assert {"outstanding_requests", "avg_latency", "znode_count", "quorum_size",
                "jvm_memory_bytes_used"} <= set(names), host
        if host == leader_of(status):
            assert names["synced_followers"][0][1] == 2.0  # the other voters
    # Bound to the node's address only, not every interface (the provider's default 0.0.0.0).
    assert lab.exec("node1", "curl -s -o /dev/null -m 3 http://127.0.0.1:7000/metrics").returncode == 7


def test_second_deploy_with_nothing_changed_uploads_nothing_and_restarts_nothing(lab, zk):
    before = zk_pids(lab)
    assert all(before.values()), before
    proc = zk.run("deploy", str(zk.seed))
    assert proc.returncode == 0, proc.stderr
    assert "uploaded to 0, configs changed on 0, started 0, restarted 0" in proc.stdout
    # The plan holds no upload step at all; configure runs and finds nothing to write.
    assert "] upload" not in proc.stderr and "[node1] configure: unchanged" in proc.stderr
    assert zk_pids(lab) == before


def test_status_works_without_the_inventory_path(zk):
    code, status = zk.status()
    assert code == 0 and status["cluster"] == "seed"


def test_restart_follower_comes_back_as_follower(lab, zk):
    _, status = zk.status()
    m = modes(status)
    node = "node3" if m["node3"] == "follower" else next(h for h in VOTERS if m[h] == "follower")
    old = lab.pid_of(node, ZK_PATTERN)
    proc = zk.run("restart", node)
    assert proc.returncode == 0, proc.stderr
    assert f"{node}: serving as follower" in proc.stdout
    assert lab.pid_of(node, ZK_PATTERN) not in (None, old)
    _, status = zk.status()
    assert modes(status)[node] == "follower"
    assert status["quorum"]["ok"]


def test_restart_of_the_leader_elects_a_new_one(lab, zk):
    _, status = zk.status()
    leader = leader_of(status)
    assert leader
    proc = zk.run("restart", leader)
    assert proc.returncode == 0, proc.stderr
    status = wait_status(zk, lambda s: s["quorum"]["ok"], 30)
    assert leader_of(status) not in (None, leader)
    assert modes(status)[leader] == "follower"


def test_killed_leader_is_replaced(lab, zk):
    _, status = zk.status()
    leader = leader_of(status)
    lab.kill(leader, lab.pid_of(leader, ZK_PATTERN), signal.SIGKILL)
    t0 = time.monotonic()
    status = wait_status(
        zk, lambda s: s["quorum"]["ok"] and leader_of(s) not in (None, leader), 30)
    elapsed = time.monotonic() - t0
    print(f"new leader {leader_of(status)} seen {elapsed:.2f}s after the kill")
    assert modes(status)[leader] == "down"
    proc = zk.run("start", leader)
    assert proc.returncode == 0, proc.stderr
    assert modes(zk.status()[1])[leader] == "follower"


def test_two_voters_down_means_no_quorum(lab, zk):
    _, status = zk.status()
    followers = [h for h in VOTERS if modes(status)[h] == "follower"]
    first, second = followers[0], followers[1]
    writer = ZnodeWriter("node1:2181,node2:2181,node3:2181", root="/zkctl-two-down").start()
    time.sleep(1)
    assert zk.run("stop", first).returncode == 0  # 2 of 3 voters remain: allowed
    refused = zk.run("stop", second)
    assert refused.returncode == 4
    assert "would leave 1 of 3 voters serving" in refused.stderr
    assert lab.pid_of(second, ZK_PATTERN) is not None  # refused means untouched
    assert zk.run("stop", second, "--force").returncode == 0
    status = wait_status(zk, lambda s: not s["quorum"]["ok"], 10)
    code, status = zk.status()
    assert code == 3
    assert status["quorum"]["voters_serving"] <= 1
    assert "NO QUORUM" in zk.run("status").stdout
    acked_during_outage = len(writer.acked)
    assert zk.run("start", first).returncode == 0
    code, status = zk.status()  # one back: 2 of 3 voters, the quorum is restored, degraded
    assert code == 7 and status["quorum"]["voters_serving"] == 2, status
    # (the observer may still be syncing with the new leader: "nn01 not serving")
    assert status["health"] == "degraded" and f"{second} down" in status["quorum"]["problems"]
    assert zk.run("start", second).returncode == 0
    wait_status(zk, lambda s: s["health"] == "ok", 30)  # the observer may still be syncing
    code, status = zk.status()
    assert code == 0 and status["quorum"]["voters_serving"] == 3
    time.sleep(1)
    writer.stop()
    missing = writer.missing("nn01:2181")
    print(f"two voters down: writes attempted {writer.attempted}, acknowledged "
          f"{len(writer.acked)} ({acked_during_outage} before quorum came back), client retries "
          f"{writer.failed_attempts}, lost {len(missing)}")
    record_case("two of three voters down", "zkctl stop (refused), stop --force of a 2nd voter",
                "status exit 3 NO QUORUM; one voter back: exit 7 DEGRADED; both: exit 0", znodes_attempted=writer.attempted,
                znodes_acknowledged=len(writer.acked), znodes_lost=len(missing))
    writer.close()
    assert len(writer.acked) > acked_during_outage and missing == []


def test_rolling_restart_under_write_load_loses_nothing_and_moves_leadership_once(lab, zk):
    _, status = zk.status()
    leader = leader_of(status)
    epoch_before = epoch(next(n["zxid"] for n in status["nodes"] if n["host"] == leader))
    pids_before = zk_pids(lab)
    writer = ZnodeWriter("node1:2181,node2:2181,node3:2181").start()
    try:
        time.sleep(1)
        proc = zk.run("restart")
        time.sleep(1)
    finally:
        writer.stop()
    assert proc.returncode == 0, proc.stderr
    order = proc.stdout.strip().split("done: ")[1].split(" -> ")
    assert order[0] == "nn01" and order[-1] == leader and len(order) == 4
    pids_after = zk_pids(lab)
    assert all(pids_after[h] != pids_before[h] for h in HOSTS)
    _, status = zk.status()
    assert status["quorum"]["ok"]
    new_leader = leader_of(status)
    assert new_leader != leader
    epoch_after = epoch(next(n["zxid"] for n in status["nodes"] if n["host"] == new_leader))
    assert epoch_after == epoch_before + 1, "more than one election during the roll"
    missing = writer.missing("nn01:2181")
    print(f"writes attempted {writer.attempted}, acknowledged {len(writer.acked)}, "
          f"client retries {writer.failed_attempts}, lost {len(missing)}")
    record_case("rolling restart of the 3+1 ensemble under write load", "zkctl restart",
                f"exit 0, order {' -> '.join(order)}, epoch +{epoch_after - epoch_before}",
                znodes_attempted=writer.attempted, znodes_acknowledged=len(writer.acked),
                client_retries=writer.failed_attempts, znodes_lost=len(missing))
    writer.close()
    assert len(writer.acked) > 50
    assert missing == []


def test_stop_all_then_start_all(lab, zk):
    assert zk.run("stop").returncode == 2  # no NODE and no --all: refused as a usage error
    proc = zk.run("stop", "--all")
    assert proc.returncode == 0, proc.stderr
    assert all(p is None for p in zk_pids(lab).values())
    code, status = zk.status()
    assert code == 3 and set(modes(status).values()) == {"down"}
    proc = zk.run("start")
    assert proc.returncode == 0, proc.stderr
    code, status = zk.status()
    assert code == 0 and status["quorum"]["voters_serving"] == 3


def test_changed_config_restarts_only_that_node(lab, zk, tmp_path):
    inv = tmp_path / "seed-observer-port.toml"
    inv.write_text(zk.seed.read_text().replace('role = "observer"',
                                            'role = "observer"\nclient_port = 2182'))
    before = zk_pids(lab)
    proc = zk.run("deploy", str(inv))
    assert proc.returncode == 0, proc.stderr
    assert "configs changed on 1" in proc.stdout and "restarted 1" in proc.stdout
    after = zk_pids(lab)
    assert after["nn01"] != before["nn01"]
    assert {h: after[h] for h in VOTERS} == {h: before[h] for h in VOTERS}
    code, status = zk.status()
    assert code == 0
    nn01 = next(n for n in status["nodes"] if n["host"] == "nn01")
    assert nn01["client_port"] == 2182 and nn01["mode"] == "observer"


def test_status_asks_through_ssh_when_the_client_port_is_filtered(lab, zk):
    # nn01's answers from its client port to this machine are dropped; SSH (port 22) works.
    port = next(n["client_port"] for n in zk.status()[1]["nodes"] if n["host"] == "nn01")
    lab.exec("nn01", f"ip rule add ipproto tcp sport {port} lookup 100 && "
                     "ip route add blackhole 10.231.0.1/32 table 100", check=True)
    try:
        code, status = zk.status("--probe-timeout", "1000")
    finally:
        lab.exec("nn01", f"ip rule del ipproto tcp sport {port} lookup 100; "
                         "ip route flush table 100", check=True)
    assert code == 0
    nn01 = next(n for n in status["nodes"] if n["host"] == "nn01")
    assert nn01["transport"] == "ssh" and nn01["mode"] == "observer"
    assert all(n["transport"] == "tcp" for n in status["nodes"] if n["host"] != "nn01")


def test_a_cut_off_host_is_down_and_does_not_delay_the_others(lab, zk):
    lab.link_down("nn01")
    try:
        t0 = time.monotonic()
        code, status = zk.status("--probe-timeout", "1000", "--connect-timeout", "2")
        elapsed = time.monotonic() - t0
    finally:
        lab.link_up("nn01")
    print(f"status with nn01 cut off took {elapsed:.2f}s")
    # an observer does not count toward the quorum: it holds, degraded (exit 7), nn01 named
    assert code == 7 and status["quorum"]["ok"] and status["quorum"]["problems"] == ["nn01 down"]
    m = modes(status)
    assert m["nn01"] == "down"
    assert sorted(m[h] for h in VOTERS) == ["follower", "follower", "leader"]
    nn01 = next(n for n in status["nodes"] if n["host"] == "nn01")
    assert "ssh" in nn01["detail"]  # it tried the SSH fallback too, and says why that failed


def test_a_held_lock_refuses_changes_and_names_its_holder(lab, zk):
    future = int(time.time()) + 600
    lab.exec("node2", f"mkdir -p -m 700 /run/zkctl && mkdir {LOCK} && printf "
                      f"'holder=alice@ops2\\nmachine=m2\\npid=4242\\n"
                      f"since=2026-11-25T17:00:00Z\\ncommand=zkctl restart\\n"
                      f"expires={future}\\ntoken=t1\\n' > {LOCK}/info", check=True)
    before = zk_pids(lab)
    proc = zk.run("restart", "node3")
    assert proc.returncode == 6
    assert ("cluster seed is locked by alice@ops2 since 2026-11-25T17:00:00Z, running zkctl "
            "restart (pid 4242)") in proc.stderr
    assert zk_pids(lab) == before
    # The refused attempt released what it had taken on the other hosts.
    for host in ("node1", "node3", "nn01"):
        assert lab.exec(host, f"test -e {LOCK}").returncode != 0
    # An expired lock (its holder died) is taken over: judged by the host's own clock.
    lab.exec("node2", f"sed -i 's/^expires=.*/expires=1/' {LOCK}/info", check=True)
    proc = zk.run("restart", "node3")
    assert proc.returncode == 0, proc.stderr
    assert_no_lock_anywhere(lab)  # released at the end
    for host in HOSTS:  # the lock's dir is root's alone, and nothing is left in /tmp
        assert lab.exec(host, "stat -c '%a %U' /run/zkctl").stdout.split() == ["700", "root"]
        assert lab.exec(host, "ls -d /tmp/zkctl-seed.lock").returncode != 0
    last_two = audit_outcomes(zk)[-2:]
    assert last_two[0]["exit_code"] == 6 and "locked by alice@ops2" in last_two[0]["summary"]
    assert last_two[1]["exit_code"] == 0 and last_two[1]["command"].endswith("restart node3")


def test_sigint_during_a_roll_finishes_the_step_releases_the_lock_and_is_audited(lab, zk):
    proc = subprocess.Popen([str(zk.binary), "restart"], env=zk.env, text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while lab.exec("node1", f"test -e {LOCK}").returncode != 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # the first node's restart is in flight
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    print(f"$ zkctl restart (SIGINT) -> exit {proc.returncode}\n{out}{err}")
    assert proc.returncode == 130, err
    assert "interrupted by SIGINT" in err and "the lock is released" in err
    assert_no_lock_anywhere(lab)
    records = [json.loads(l) for l in (zk.home / "audit.log").read_text().splitlines()]
    last = records[-1]
    assert (last["phase"], last["outcome"], last["exit_code"]) == ("outcome", "interrupted", 130)
    intent = next(r for r in records if r["id"] == last["id"])
    assert intent["phase"] == "intent" and intent["command"].endswith("restart")
    # The step in flight finished: the ensemble serves, every server in its role.
    status = wait_status(zk, lambda s: s["quorum"]["ok"] and s["quorum"]["voters_serving"] == 3)
    assert modes(status)["nn01"] == "observer"
    assert all(p is not None for p in zk_pids(lab).values())


def test_plan_shows_nothing_when_in_sync_and_a_diff_when_not(lab, zk, tmp_path):
    # The recorded cluster has nn01 on client port 2182 (changed above); the seed has 2181.
    before = zk_pids(lab)
    same = zk.run("plan")
    assert same.returncode == 0, same.stderr
    assert "plan: no changes" in same.stdout
    proc = zk.run("plan", str(zk.seed))
    assert proc.returncode == 0, proc.stderr
    assert "nn01 (zookeeper): restart" in proc.stdout
    assert "-clientPort=2182" in proc.stdout and "+clientPort=2181" in proc.stdout
    assert "node1 (zookeeper): no change" in proc.stdout
    assert "restart (rolling: observers, followers, leader last; brokers one at a time): nn01" in proc.stdout
    import json
    j = json.loads(zk.run("plan", str(zk.seed), "--json").stdout)
    assert j["changes"] is True
    assert [h["host"] for h in j["hosts"] if h["action"] == "restart"] == ["nn01"]
    assert zk_pids(lab) == before  # plan changed nothing
    assert "clientPort=2182" in lab.read_file("nn01", "/opt/zookeeper/conf/zoo.cfg")


def test_a_deploy_cut_off_in_its_roll_restarts_the_rest_when_run_again(lab, zk, tmp_path):
    # Every server's zoo.cfg changes: deploy writes all four, then rolls them one at a time.
    # SIGINT once the roll has begun: the configs on the hosts now match the inventory, yet
    # the servers not yet restarted still run the old ones. The rerun must restart them.
    inv = tmp_path / "seed-purge-12.toml"
    text = zk.seed.read_text().replace('role = "observer"', 'role = "observer"\nclient_port = 2182')
    inv.write_text(text.replace('"autopurge.purgeInterval" = 24', '"autopurge.purgeInterval" = 12'))
    assert inv.read_text() != text
    proc = subprocess.Popen([str(zk.binary), "deploy", str(inv)], env=zk.env, text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    seen = []
    for line in proc.stderr:  # progress: "[host] restart: ..." once the roll begins
        seen.append(line)
        if " restart: ..." in line:
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=300)
    print(f"$ zkctl deploy (SIGINT in the roll) -> exit {proc.returncode}\n{out}{''.join(seen)}{err}")
    assert proc.returncode == 130, err
    plan = zk.run("plan", str(inv))
    assert plan.returncode == 0, plan.stderr
    owed = plan.stdout.count("restart left undone by an interrupted deploy")
    assert 2 <= owed <= 3, plan.stdout  # the one in flight finished; the rest are owed
    again = zk.run("deploy", str(inv))
    assert again.returncode == 0, again.stderr
    assert f"restarted {owed}" in again.stdout, again.stdout
    assert "plan: no changes" in zk.run("plan", str(inv)).stdout
    for host in HOSTS:
        assert "autopurge.purgeInterval=12" in lab.read_file(host, "/opt/zookeeper/conf/zoo.cfg")


def test_exec_runs_everywhere_and_logs_shows_a_servers_log(lab, zk):
    proc = zk.run("exec", "--", "cat", "/etc/hostname")
    assert proc.returncode == 0, proc.stderr
    for host in HOSTS:
        assert f"[{host}] exit 0" in proc.stdout and f"  {host}" in proc.stdout
    import json
    j = json.loads(zk.run("exec", "node2", "nn01", "--json", "--", "sh", "-c", "exit 3").stdout)
    assert [(r["host"], r["exit_status"]) for r in j] == [("node2", 3), ("nn01", 3)]
    assert zk.run("exec", "node2", "--", "false").returncode == 1
    assert zk.run("exec", "nosuchhost", "--", "true").returncode == 2
    # Arguments arrive literally: no shell injection through exec's words.
    proc = zk.run("exec", "node1", "--", "echo", "$(id -u);`id`")
    assert "  $(id -u);`id`" in proc.stdout
    # exec (a root shell on every host) runs under the cluster lock and is on the record.
    proc = zk.run("exec", "node1", "--", "cat", f"{LOCK}/info")
    assert proc.returncode == 0 and "  command=" in proc.stdout and " exec node1 " in proc.stdout
    last = audit_outcomes(zk)[-1]
    assert last["command"].endswith("exec node1 -- cat " + f"{LOCK}/info")
    assert last["hosts"] == [{"host": "node1", "result": "exit 0"}] and last["lock"] == "held"
    logs = zk.run("logs", "node1", "-n", "5")
    assert logs.returncode == 0, logs.stderr
    assert "==> /opt/zookeeper/logs/" in logs.stdout and len(logs.stdout.splitlines()) == 6


def test_check_passes_and_catches_a_host_name_on_loopback(lab, zk):
    import json
    proc = zk.run("check", "--json")
    assert proc.returncode == 0, tail(proc)
    items = json.loads(proc.stdout)["items"]
    got = {(i["host"], i["check"]): i["verdict"] for i in items}
    for host in HOSTS:
        assert got[(host, "java")] == "ok" and got[(host, "memory")] == "ok"
        assert got[(host, "disk")] in ("ok", "WARN")
    assert got[("", "clock")] == "ok" and got[("", "names")] == "ok" and got[("", "status")] == "ok"
    # The classic mistake: the host's own name on 127.0.1.1 (/etc/hosts is a bind mount:
    # rewrite it in place).
    saved = lab.read_file("nn01", "/etc/hosts")
    lab.exec("nn01", "cat /etc/hosts > /tmp/h && { echo '127.0.1.1 nn01'; cat /tmp/h; } > /etc/hosts",
             check=True)
    try:
        proc = zk.run("check")
    finally:
        lab.exec("nn01", "cat > /etc/hosts", input=saved, check=True)
    assert proc.returncode == 5
    assert "nn01 resolves to 127.0.1.1 on itself" in proc.stdout
    assert "nn01 resolves differently" in proc.stdout


def test_unknown_host_key_is_refused_then_accepted_with_the_flag(lab, zk, tmp_path):
    known = tmp_path / "known_hosts"
    known.write_text("")
    inv = inventory_variant(tmp_path / "fresh-keys.toml", replace={"known_hosts": f'"{known}"'},
                            base=zk.seed)
    proc = zk.run("deploy", str(inv))
    assert proc.returncode == 6  # no host can be locked: each named, nothing changed
    for host in HOSTS:
        assert f"cannot lock cluster seed on {host}: {host}: host key not known" in proc.stderr
    assert "SHA256:" in proc.stderr and "nothing was changed" in proc.stderr
    assert "--accept-new-host-keys" in proc.stderr
    assert known.read_text() == ""
    proc = zk.run("deploy", str(inv), "--accept-new-host-keys")
    assert proc.returncode == 0, proc.stderr
    recorded = known.read_text()
    for host in HOSTS:
        assert host in recorded
    assert zk.run("deploy", str(inv)).returncode == 0  # now known: strict mode passes


def test_changed_host_key_is_always_refused(lab, zk, tmp_path):
    # node1's name paired with node2's key: what a changed key looks like.
    lines = lab.known_hosts.read_text().splitlines()
    node2_key = next(l.split(None, 1)[1] for l in lines if l.split()[0] == "node2")
    forged = [l for l in lines if l.split()[0] != "node1"] + [f"node1 {node2_key}"]
    known = tmp_path / "known_hosts"
    known.write_text("\n".join(forged) + "\n")
    inv = inventory_variant(tmp_path / "forged.toml", replace={"known_hosts": f'"{known}"'},
                            base=zk.seed)
    for extra in ([], ["--accept-new-host-keys"]):
        proc = zk.run("deploy", str(inv), *extra)
        assert proc.returncode == 6, proc.stderr  # node1 cannot even be locked
        assert "cannot lock cluster seed on node1: " in proc.stderr and "CHANGED" in proc.stderr
        proc = zk.run("deploy", str(inv), "--no-lock", *extra)
        assert proc.returncode == 5, proc.stderr  # nor does pre-flight pass it
        assert "node1" in proc.stderr and "CHANGED" in proc.stderr
