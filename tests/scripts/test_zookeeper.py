"""remote-scripts/zookeeper/: inspect, prepare, start, stop, pid against a fake layout."""

import os
import pwd
import signal
import time
from pathlib import Path
from shlex import quote as q

import pytest

from conftest import (ODD, SERVICE_USER, dead_pid, facts, fake_jvm, needs_root, root_only,
                      service_owned)

ZK = 'org.apache.zookeeper.server.quorum.QuorumPeerMain'


class Layout:
    """A server's paths as zk_paths gives them, under a root with awkward characters."""

    def __init__(self, root: Path):
        self.root = root / ODD
        self.install = self.root / 'opt zookeeper'
        self.conf = self.install / 'conf'
        self.logs = self.install / 'logs'
        self.data = self.root / 'data'
        self.datalog = self.root / 'datalog'
        self.pidf = self.data / 'zookeeper_server.pid'
        self.myid = self.data / 'myid'
        self.current = self.install / 'current'

    def inspect_args(self, *files, ports='2181,2888,3888', unit='', user='root'):
        return [self.install, self.data, self.datalog, self.pidf, self.myid,
                self.current / '.zkctl-release', ports, self.root / 'jdk' / '.zkctl-release',
                unit, user, *files]


@pytest.fixture
def zk(tmp_path):
    return Layout(tmp_path)


class TestInspect:
    def test_empty_host_gives_the_common_facts_only(self, run, zk):
        r = run('zookeeper/inspect.sh', *zk.inspect_args(user='no-such-user-zkctl'))
        assert r.returncode == 0, r.stderr
        f = facts(r.stdout)
        assert set(f) <= {'java', 'pid1', 'nouser'}
        assert f['nouser'] == ['1']
        assert 'pid1' in f

    def test_reads_every_fact_of_a_deployed_server(self, run, zk, procs):
        zk.data.joinpath('version-2').mkdir(parents=True)
        zk.data.joinpath('version-2', 'currentEpoch').write_text('42\n')
        zk.myid.write_text(' 3\r\n')
        zk.data.joinpath('.zkctl-cluster').write_text('prod\r\nsecond line\n')
        (zk.install / 'releases' / 'abc').mkdir(parents=True)
        zk.current.symlink_to('releases/abc')
        (zk.current / '.zkctl-release').write_text('abc123\n')
        (zk.current / 'lib').mkdir()
        for jar in ('zookeeper-3.9.5.jar', 'zookeeper-jute-3.9.5.jar', 'zookeeper-x.jar'):
            (zk.current / 'lib' / jar).write_text('jar')
        (zk.root / 'jdk').mkdir()
        (zk.root / 'jdk' / '.zkctl-release').write_text('jdk17\n')
        zk.conf.mkdir()
        cfg = zk.conf / "zoo 'cfg'"
        cfg.write_text('x')
        server = procs.start(ZK, str(zk.conf / 'zoo.cfg'))
        zk.pidf.write_text(f'{server.pid}\n')
        run.fake('java', 'echo \'openjdk version "17.0.9" 2023-10-17\' >&2\necho second >&2\n')
        run.fake('ss', 'echo "LISTEN 0 50 *:${2#sport = :} *:* users:((\\"java\\",pid=1,fd=5))"\n')
        r = run('zookeeper/inspect.sh', *zk.inspect_args(cfg, zk.conf / 'missing'))
        assert r.returncode == 0, r.stderr
        f = facts(r.stdout)
        assert f['java'] == ['openjdk version "17.0.9" 2023-10-17']
        assert f['jrelease'] == ['jdk17']
        assert f['release'] == ['abc123']
        assert f['version'] == ['3.9.5']  # from the installed jar's name, for plan's "upgrade"
        assert f['myid'] == ['3']
        assert f['history'] == ['1']
        assert f['epoch'] == ['42']
        assert f['mark'] == ['prod']
        assert f['pid'] == [str(server.pid)]
        assert f['pid_user'] == [pwd.getpwuid(os.getuid()).pw_name]
        assert [l.split()[0] for l in f['listen']] == ['2181', '2888', '3888']
        assert f['file'] == [f'2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 {cfg}']
        assert 'nouser' not in f and 'unwritable' not in f

    @pytest.mark.parametrize('content', ['', 'junk', 'DEAD', 'OTHER'])
    def test_a_pid_file_not_naming_a_zookeeper_gives_no_pid(self, run, zk, procs, content):
        zk.data.mkdir(parents=True)
        if content == 'DEAD':
            content = str(dead_pid())
        elif content == 'OTHER':
            content = str(procs.start('some.other.Main').pid)
        zk.pidf.write_text(content)
        r = run('zookeeper/inspect.sh', *zk.inspect_args())
        assert 'pid' not in facts(r.stdout)

    def test_systemd_unit_pid_when_no_pid_file(self, run, zk, procs):
        server = procs.start(ZK)
        run.fake('systemctl', f'[ "$*" = "show -p MainPID --value -- zk.service" ] && echo {server.pid}\n')
        r = run('zookeeper/inspect.sh', *zk.inspect_args(unit='zk.service'))
        assert facts(r.stdout)['pid'] == [str(server.pid)]
        r = run('zookeeper/inspect.sh', *zk.inspect_args(unit=''))  # scripts launcher
        assert 'pid' not in facts(r.stdout)

    def test_unwritable_dir_is_named(self, run, zk):
        zk.root.mkdir(parents=True)
        (zk.root / 'afile').write_text('')
        bad = zk.root / 'afile' / 'data'
        args = zk.inspect_args()
        args[1] = bad
        r = run('zookeeper/inspect.sh', *args)
        assert facts(r.stdout)['unwritable'] == [str(bad)]

    def test_empty_datalog_is_skipped(self, run, zk):
        args = zk.inspect_args()
        args[2] = ''
        r = run('zookeeper/inspect.sh', *args)
        assert r.returncode == 0 and 'unwritable' not in facts(r.stdout)


    @needs_root
    def test_a_hostile_data_dir_shows_nothing_of_roots_files(self, run, shared_dir, procs):
        # The service user owns the data dir and points every file inspect reads at files
        # only root may read: as that user, inspect sees none of them.
        zk = Layout(shared_dir)
        zk.data.mkdir(parents=True)
        service_owned(zk.data)
        secret = root_only(shared_dir / 'shadow', 'TOPSECRET\n')
        server = procs.start(ZK)
        pid_secret = root_only(shared_dir / 'pid', f'{server.pid}\n')
        zk.myid.symlink_to(secret)
        (zk.data / '.zkctl-cluster').symlink_to(secret)
        (zk.data / 'version-2').mkdir()
        service_owned(zk.data / 'version-2')
        (zk.data / 'version-2' / 'currentEpoch').symlink_to(pid_secret)
        zk.pidf.symlink_to(pid_secret)
        r = run('zookeeper/inspect.sh', *zk.inspect_args(zk.myid, user=SERVICE_USER))
        assert r.returncode == 0, r.stderr
        assert 'TOPSECRET' not in r.stdout + r.stderr
        f = facts(r.stdout)
        for key in ['myid', 'mark', 'epoch', 'pid', 'file']:
            assert key not in f, (key, r.stdout)
        assert f['history'] == ['1']
        # The service's own files are read as before.
        zk.myid.unlink()
        zk.myid.write_text('2\n')
        r = run('zookeeper/inspect.sh', *zk.inspect_args(zk.myid, user=SERVICE_USER))
        f = facts(r.stdout)
        assert f['myid'] == ['2'] and len(f['file']) == 1, r.stdout


class TestPrepare:
    def test_creates_dirs_copies_logging_config_and_drops_temp_files(self, run, zk):
        dist_conf = zk.install / 'releases' / 'a' / 'conf'
        dist_conf.mkdir(parents=True)
        (dist_conf / 'log4j.properties').write_text('dist log4j')
        (dist_conf / 'logback.xml').write_text('dist logback')
        zk.current.symlink_to('releases/a')
        zk.conf.mkdir()
        (zk.conf / 'logback.xml').write_text('mine')
        (zk.conf / '.zoo.cfg.zkctl-tmp-1234').write_text('cut off')
        zk.data.mkdir()
        (zk.data / '.myid.zkctl-tmp-99').write_text('cut off')
        r = run('zookeeper/prepare.sh', zk.conf, zk.logs, zk.data, zk.datalog, zk.current)
        assert r.returncode == 0, r.stderr
        assert zk.logs.is_dir() and zk.datalog.is_dir()
        assert (zk.conf / 'log4j.properties').read_text() == 'dist log4j'
        assert (zk.conf / 'logback.xml').read_text() == 'mine'  # never overwritten
        assert sorted(p.name for p in zk.conf.iterdir()) == ['log4j.properties', 'logback.xml', 'tls']
        assert (zk.conf / 'tls').is_dir()
        assert list(zk.data.iterdir()) == []

    @needs_root
    def test_install_and_conf_dirs_become_roots_and_writable_by_no_one_else(self, run, zk):
        (zk.conf / 'tls').mkdir(parents=True)
        for d in [zk.install, zk.conf, zk.conf / 'tls']:
            service_owned(d)
            d.chmod(0o777)
        r = run('zookeeper/prepare.sh', zk.conf, zk.logs, zk.data, '', zk.current)
        assert r.returncode == 0, r.stderr
        for d in [zk.install, zk.conf, zk.conf / 'tls']:
            assert (d.stat().st_uid, d.stat().st_gid, d.stat().st_mode & 0o777) == (0, 0, 0o755)

    def test_no_datalog_and_no_distribution_yet(self, run, zk):
        r = run('zookeeper/prepare.sh', zk.conf, zk.logs, zk.data, '', zk.current)
        assert r.returncode == 0, r.stderr
        assert sorted(p.name for p in zk.root.iterdir()) == ['data', 'opt zookeeper']

    def test_fails_where_a_dir_cannot_be_made(self, run, zk):
        zk.root.mkdir(parents=True)
        (zk.root / 'afile').write_text('')
        r = run('zookeeper/prepare.sh', zk.conf, zk.logs, zk.root / 'afile' / 'd', '', zk.current)
        assert r.returncode != 0


def fake_zkserver(zk: Layout, behaviour: str = 'start'):
    """bin/zkServer.sh of a fake distribution: `start` writes the pid of a fake server."""
    bin_dir = zk.install / 'releases' / 'a' / 'bin'
    bin_dir.mkdir(parents=True)
    zk.current.symlink_to('releases/a')
    script = bin_dir / 'zkServer.sh'
    body = {
        'start': f'echo "$ZOOCFGDIR|$1|$(id -un)" > {q(str(zk.root))}/called\n'
                 + fake_jvm(ZK, '"$ZOOCFGDIR/zoo.cfg"', zk.root / 'up')
                 + f'echo $! > {q(str(zk.pidf))}\necho STARTING\n',
        'fail': 'echo "Error: JAVA_HOME is not set" >&2\nexit 1\n',
        'nothing': 'echo STARTED\n',
    }[behaviour]
    script.write_text('#!/bin/sh\n' + body)
    script.chmod(0o755)


class TestStartStop:
    def test_start_stop_pid_round_trip(self, run, zk, procs):
        fake_zkserver(zk)
        zk.data.mkdir(parents=True)
        zk.pidf.write_text(str(dead_pid()))  # a stale pid file from an earlier run
        r = run('zookeeper/start.sh', zk.install, zk.conf, zk.pidf, '')
        assert r.returncode == 0, r.stderr
        pid = int(facts(r.stdout)['pid'][0])
        assert 'STARTING' in r.stdout
        assert (zk.root / 'called').read_text() == f'{zk.conf}|start|{pwd.getpwuid(os.getuid()).pw_name}\n'
        try:
            assert run('zookeeper/pid.sh', zk.pidf, '').stdout == f'pid={pid}\n'
            # Running already: zkServer.sh is not called again.
            (zk.root / 'called').unlink()
            r = run('zookeeper/start.sh', zk.install, zk.conf, zk.pidf, '')
            assert (r.returncode, r.stdout) == (0, f'pid={pid}\n')
            assert not (zk.root / 'called').exists()
            r = run('zookeeper/stop.sh', zk.pidf, '', 5)
            assert (r.returncode, r.stdout) == (0, 'stopped\n')
            assert not Path(f'/proc/{pid}/cmdline').exists() or \
                Path(f'/proc/{pid}/cmdline').read_bytes() == b''
            assert not zk.pidf.exists()
            assert run('zookeeper/pid.sh', zk.pidf, '').stdout == ''
        finally:  # the fake server this test started, if the stop did not end it
            cmdline = Path(f'/proc/{pid}/cmdline')
            if cmdline.exists() and ZK.encode() in cmdline.read_bytes():
                os.kill(pid, signal.SIGKILL)

    def test_start_fails_with_the_scripts_message(self, run, zk):
        fake_zkserver(zk, 'fail')
        zk.data.mkdir(parents=True)
        r = run('zookeeper/start.sh', zk.install, zk.conf, zk.pidf, '')
        assert r.returncode == 1
        assert r.stdout.splitlines()[-1] == 'Error: JAVA_HOME is not set'  # 2>&1: on stdout

    def test_start_without_a_server_appearing_fails_after_waiting(self, run_inline, zk):
        fake_zkserver(zk, 'nothing')
        zk.data.mkdir(parents=True)
        t0 = time.time()
        r = run_inline('zookeeper/start.sh', zk.install, zk.conf, zk.pidf, '')
        assert r.returncode == 1
        assert r.stderr == 'no running ZooKeeper after start; see the .out file in the log dir\n'
        assert time.time() - t0 > 4  # the grace was given (no upper bound: load varies)

    def test_stop_never_signals_another_program(self, run, zk, procs):
        other = procs.start('some.other.Main')
        zk.data.mkdir(parents=True)
        zk.pidf.write_text(f'{other.pid}\n')
        r = run('zookeeper/stop.sh', zk.pidf, '', 1)
        assert (r.returncode, r.stdout) == (0, 'none\n')
        assert other.poll() is None
        assert not zk.pidf.exists()  # the stale pid file goes

    def test_stop_without_pid_file(self, run, zk):
        r = run('zookeeper/stop.sh', zk.pidf, '', 1)
        assert (r.returncode, r.stdout) == (0, 'none\n')

    def test_stop_kills_a_server_ignoring_term_after_the_grace(self, run_inline, zk, procs):
        server = procs.start(ZK, ignore_term=True)
        zk.data.mkdir(parents=True)
        zk.pidf.write_text(f'{server.pid}\n')
        t0 = time.time()
        r = run_inline('zookeeper/stop.sh', zk.pidf, '', 1)
        assert (r.returncode, r.stdout) == (0, 'stopped\n')
        assert time.time() - t0 > 0.9  # the grace was given (no upper bound: load varies)
        assert procs.gone(server)
        assert server.wait(5) == -9


@needs_root
def test_a_pid_file_linked_to_a_root_only_file_is_read_as_the_service_user(run, shared_dir,
                                                                          procs):
    # The pid file lives in the service's data dir; a link to a root-only file naming a
    # live ZooKeeper must not make stop (or pid) find, signal or print it.
    zk = Layout(shared_dir)
    zk.data.mkdir(parents=True)
    service_owned(zk.data)
    server = procs.start(ZK)
    zk.pidf.symlink_to(root_only(shared_dir / 'pid', f'{server.pid}\n'))
    assert run('zookeeper/pid.sh', zk.pidf, SERVICE_USER).stdout == ''
    r = run('zookeeper/stop.sh', zk.pidf, SERVICE_USER, 1)
    assert (r.returncode, r.stdout) == (0, 'none\n')
    assert server.poll() is None
    # The same pid, in a file the service user can read, is found.
    zk.pidf.unlink(missing_ok=True)  # stop dropped the link
    zk.pidf.write_text(f'{server.pid}\n')
    assert run('zookeeper/pid.sh', zk.pidf, SERVICE_USER).stdout == f'pid={server.pid}\n'
