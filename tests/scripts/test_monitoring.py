"""remote-scripts/monitoring/: inspect, prepare, start, stop, pid, reload and wait-listen of the
monitoring daemons (the host agent, Prometheus) against fake binaries in temp dirs."""

import os
import pwd
import signal
import time
from pathlib import Path

import pytest

from conftest import ODD, SERVICE_USER, facts, needs_root

MARK = '--web.listen-address=node1:9100'


def fake_daemon(tmp_path: Path, hup_file: Path | None = None) -> Path:
    """An executable standing in for the daemon: runs until killed; on SIGHUP it appends a
    line to `hup_file`. Its command line is `/bin/sh BIN ARGS`, so it holds "BIN MARK"."""
    d = tmp_path / ODD
    d.mkdir(exist_ok=True)
    b = d / 'prometheus-node-exporter'
    trap = f"trap 'echo hup >>\"{hup_file}\"' HUP\n" if hup_file else ''
    b.write_text('#!/bin/sh\n' + trap + 'echo started\nwhile :; do sleep 0.1; done\n')
    b.chmod(0o755)
    os.chmod(d, 0o755)
    return b


@pytest.fixture
def started():
    """PIDs of daemons a test started through start.sh; killed (the group) at teardown."""
    pids: list[int] = []
    yield pids
    for p in pids:
        try:
            os.killpg(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def pid_of(out: str) -> int:
    return int(facts(out)['pid'][-1])


class TestNeverFindsItself:
    # The scripts' own command lines hold the mark too (it is one of their arguments): before
    # the search was for "BIN MARK", pid.sh named itself and stop.sh waited for itself forever.
    def test_pid_and_stop_find_nothing_when_nothing_runs(self, run, tmp_path):
        b = fake_daemon(tmp_path)
        r = run('monitoring/pid.sh', MARK, b)
        assert r.returncode == 0 and r.stdout == '', r.stdout
        t = time.monotonic()
        r = run('monitoring/stop.sh', MARK, 1, b, timeout=10)
        assert r.stdout == 'none\n' and time.monotonic() - t < 5
        r = run('monitoring/inspect.sh', b, tmp_path / 'dir', MARK, 9100, 'root')
        assert 'pid' not in facts(r.stdout), r.stdout
        r = run('monitoring/reload.sh', MARK, b)
        assert r.stdout == 'none\n'


class TestInspect:
    def test_missing_binary_pid_of_its_own_mark_and_checksums(self, run, tmp_path, procs):
        b = fake_daemon(tmp_path)
        conf = tmp_path / 'web.yml'
        conf.write_text('x')
        node = procs.start(str(b), MARK)
        procs.start(str(b), MARK + '1')  # another port's: not this one
        r = run('monitoring/inspect.sh', b, tmp_path / 'dir', MARK, 9100, 'root', conf,
                tmp_path / 'absent')
        f = facts(r.stdout)
        assert r.returncode == 0 and f['pid'] == [str(node.pid)], r.stdout
        assert 'binary' not in f
        assert [line.split()[1] for line in f['file']] == [str(conf)]
        r = run('monitoring/inspect.sh', tmp_path / 'none', tmp_path / 'dir', MARK, 9100, 'root')
        assert facts(r.stdout)['binary'] == ['missing']


class TestStartStopReload:
    def test_started_once_in_its_own_session_found_reloaded_and_stopped(self, run, tmp_path,
                                                                         started):
        hup = tmp_path / 'hups'
        b = fake_daemon(tmp_path, hup)
        log = tmp_path / 'daemon.log'
        r = run('monitoring/start.sh', b, log, 'root', MARK, MARK, '--collector.cpu')
        assert r.returncode == 0, r.stderr
        pid = pid_of(r.stdout)
        started.append(pid)
        assert os.getsid(pid) == pid  # its own session: the SSH channel's end does not end it
        assert '--collector.cpu' in Path(f'/proc/{pid}/cmdline').read_text()
        r = run('monitoring/start.sh', b, log, 'root', MARK, MARK)  # runs already: same PID
        assert pid_of(r.stdout) == pid
        assert pid_of(run('monitoring/pid.sh', MARK, b).stdout) == pid
        assert run('monitoring/reload.sh', MARK, b).stdout == 'reloaded\n'
        deadline = time.monotonic() + 5
        while not (hup.exists() and hup.read_text() == 'hup\n') and time.monotonic() < deadline:
            time.sleep(0.05)
        assert hup.read_text() == 'hup\n'
        assert Path(f'/proc/{pid}').exists()  # reloaded, not restarted
        assert 'started' in log.read_text()
        assert run('monitoring/stop.sh', MARK, 5, b).stdout == 'stopped\n'
        assert run('monitoring/pid.sh', MARK, b).stdout == ''

    def test_a_binary_that_exits_fails_with_its_log(self, run, tmp_path):
        b = tmp_path / 'dies'
        b.write_text('#!/bin/sh\necho "bad flag" >&2\nexit 1\n')
        b.chmod(0o755)
        r = run('monitoring/start.sh', b, tmp_path / 'log', 'root', MARK, MARK, timeout=30)
        assert r.returncode == 1 and 'bad flag' in r.stderr, r.stderr

    def test_wait_listen_fails_when_not_running(self, run, tmp_path):
        r = run('monitoring/wait-listen.sh', MARK, 9100, 1, fake_daemon(tmp_path))
        assert r.returncode == 1 and 'not running' in r.stderr


@needs_root
def test_prepare_gives_data_and_log_to_the_user_and_keeps_the_rest_roots(run, tmp_path):
    d = tmp_path / ODD / 'mon'
    r = run('monitoring/prepare.sh', SERVICE_USER, d, 1, d / 'tls', d / 'data', d / 'log')
    assert r.returncode == 0, r.stderr
    uid = pwd.getpwnam(SERVICE_USER).pw_uid
    assert os.stat(d).st_uid == 0 and os.stat(d / 'tls').st_uid == 0
    assert os.stat(d / 'data').st_uid == uid and os.stat(d / 'log').st_uid == uid
    assert not os.stat(d).st_mode & 0o022
