"""remote-scripts/lib.sh: each helper called alone, with dash."""

import os
import pwd
import subprocess
from pathlib import Path

import pytest

from conftest import (ODD, SCRIPTS, SERVICE_USER, SH, dead_pid, needs_root, root_only,
                      service_owned)


def lib(func: str, *args, stdin: str | None = None, env: dict | None = None):
    """Run `func ARGS...` after sourcing lib.sh."""
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([SH, '-c', '. "$0"; "$@"', str(SCRIPTS / 'lib.sh'), func, *map(str, args)],
                          input=stdin, capture_output=True, text=True, env=e, timeout=30)


class TestProcessCheck:
    def test_alive_wants_the_text_in_the_command_line(self, procs):
        p = procs.start('org.apache.zookeeper.server.quorum.QuorumPeerMain', '/conf/zoo.cfg')
        assert lib('alive', p.pid, 'org.apache.zookeeper').returncode == 0
        assert lib('alive', p.pid, 'kafka.Kafka').returncode != 0

    @pytest.mark.parametrize('pid', ['', 'abc', '12x', '-1', '1 2', '$(id)'])
    def test_alive_refuses_what_is_not_a_pid(self, pid):
        assert lib('alive', pid, '').returncode != 0

    def test_alive_is_false_for_a_dead_pid_and_a_zombie(self, procs):
        assert lib('alive', dead_pid(), 'python').returncode != 0
        p = procs.start('org.apache.zookeeper')
        p.kill()
        while not procs.gone(p):
            pass
        # Not reaped yet: a zombie, its command line empty.
        assert lib('alive', p.pid, 'org.apache.zookeeper').returncode != 0

    def test_alive_matches_text_literally(self, procs):
        p = procs.start('orgXapacheXzookeeper')
        assert lib('alive', p.pid, 'org.apache.zookeeper').returncode != 0

    def test_find_pid_finds_the_process_by_its_arguments(self, procs, tmp_path):
        props = str(tmp_path / ODD / 'server.properties')
        p = procs.start('kafka.Kafka', props)
        # The text is built inside the shell, as the Kafka scripts do: the shell's own
        # command line must not hold it.
        r = lib('sh', '-c', '. "$0"; find_pid " kafka.Kafka $1 "', SCRIPTS / 'lib.sh', props)
        assert (r.returncode, r.stdout, r.stderr) == (0, f'{p.pid}\n', '')
        r = lib('sh', '-c', '. "$0"; find_pid " kafka.Kafka $1 "', SCRIPTS / 'lib.sh', props[:-1])
        assert (r.returncode, r.stdout) == (1, '')

    def test_running_pid_reads_the_pid_file(self, procs, tmp_path):
        p = procs.start('org.apache.zookeeper')
        pidf = tmp_path / 'zk.pid'
        pidf.write_text(f'{p.pid}\n')
        assert lib('running_pid', pidf, 'org.apache.zookeeper').stdout == f'{p.pid}\n'

    def test_running_pid_ignores_missing_stale_odd_and_foreign(self, procs, tmp_path):
        pidf = tmp_path / 'zk.pid'
        assert lib('running_pid', pidf, 'org.apache.zookeeper').returncode != 0  # missing
        for content in ['', 'garbage', f'{dead_pid()}\n', '1' * 40]:
            pidf.write_text(content)
            r = lib('running_pid', pidf, 'org.apache.zookeeper')
            assert (r.returncode != 0, r.stdout) == (True, ''), content
        other = procs.start('some.other.Program')
        pidf.write_text(f'{other.pid}\n')
        assert lib('running_pid', pidf, 'org.apache.zookeeper').returncode != 0


class TestAsUser:
    def test_root_and_empty_run_as_they_are(self):
        for user in ['', 'root']:
            r = lib('as_user', user, 'sh', '-c', 'printf "%s|" "$@"', 'x', 'a b', '')
            assert (r.returncode, r.stdout) == (0, 'a b||'), user

    def test_status_of_the_command_is_kept(self):
        assert lib('as_user', '', 'sh', '-c', 'exit 7').returncode == 7

    @needs_root
    def test_another_user_runs_with_its_uid_and_group(self):
        nobody = pwd.getpwnam('nobody')
        r = lib('as_user', 'nobody', 'id', '-u')
        assert (r.returncode, r.stdout.strip()) == (0, str(nobody.pw_uid))
        r = lib('as_user', 'nobody', 'id', '-g')
        assert r.stdout.strip() == str(nobody.pw_gid)

    @needs_root
    def test_unknown_user_fails(self):
        assert lib('as_user', 'no-such-user-zkctl', 'true').returncode != 0

    def test_not_root_cannot_switch(self, tmp_path):
        fake = tmp_path / 'id'
        fake.write_text('#!/bin/sh\necho 1000\n')
        fake.chmod(0o755)
        r = lib('as_user', 'zk', 'true', env={'PATH': f'{tmp_path}:{os.environ["PATH"]}'})
        assert r.returncode == 1
        assert r.stderr == 'cannot run as zk: not root\n'


class TestAsTheServiceUser:
    @needs_root
    def test_user_reads_gives_the_users_view_of_a_planted_link(self, shared_dir):
        secret = root_only(shared_dir / 'shadow', 'TOPSECRET\n')
        link = shared_dir / 'myid'
        link.symlink_to(secret)
        r = lib('user_reads', SERVICE_USER, link, 'cat')
        assert (r.returncode != 0, r.stdout, r.stderr) == (True, '', '')
        assert lib('user_reads', 'root', link, 'cat').stdout == 'TOPSECRET\n'
        mine = shared_dir / 'own'
        mine.write_text('1\n')
        assert lib('user_reads', SERVICE_USER, mine, 'head', '-c', '1').stdout == '1'
        assert lib('user_reads', SERVICE_USER, shared_dir, 'cat').returncode != 0  # not a file
        assert lib('user_reads', SERVICE_USER, shared_dir / 'missing', 'cat').returncode != 0

    @needs_root
    def test_checksums_as_the_user_skip_what_it_cannot_read(self, shared_dir):
        secret = root_only(shared_dir / 'shadow', 'x')
        link = shared_dir / 'myid'
        link.symlink_to(secret)
        ok = shared_dir / 'zoo.cfg'
        ok.write_text('x')
        r = lib('checksums', SERVICE_USER, link, ok)
        assert r.stdout == ('file=2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 '
                            f'{ok}\n')

    @needs_root
    def test_checksums_sum_roots_own_files_in_roots_own_dirs(self, tmp_path):
        private = tmp_path / 'tls'
        private.mkdir(mode=0o755)
        admin = root_only(private / 'admin.pem', 'x')
        r = lib('checksums', SERVICE_USER, admin)
        assert r.stdout == ('file=2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 '
                            f'{admin}\n')
        # Not when the dir is open to others, or the file is a link to it.
        private.chmod(0o777)
        assert lib('checksums', SERVICE_USER, admin).stdout == ''
        private.chmod(0o755)
        (private / 'link').symlink_to(admin)
        assert lib('checksums', SERVICE_USER, private / 'link').stdout == ''

    @needs_root
    def test_env_as_user_sources_in_the_users_shell(self, shared_dir):
        env = shared_dir / 'env.sh'
        env.write_text(f'id -u > {shared_dir}/out/by\nA="x y"\n')
        out = shared_dir / 'out'
        out.mkdir()
        service_owned(out)
        r = lib('env_as_user', SERVICE_USER, env, 'sh', '-c', 'printf "%s|%s" "$A" "$(id -u)"')
        uid = str(pwd.getpwnam(SERVICE_USER).pw_uid)
        assert (r.returncode, r.stdout) == (0, f'x y|{uid}'), r.stderr
        assert (out / 'by').read_text().strip() == uid

    def test_env_as_user_fails_on_a_missing_env_and_runs_nothing(self, tmp_path):
        r = lib('env_as_user', '', tmp_path / 'missing', 'touch', tmp_path / 'ran')
        assert r.returncode != 0 and not (tmp_path / 'ran').exists()

    @needs_root
    def test_root_dir_takes_a_dir_over(self, tmp_path):
        d = tmp_path / 'conf'
        d.mkdir()
        service_owned(d)
        d.chmod(0o777)
        assert lib('root_dir', d).returncode == 0
        assert (d.stat().st_uid, d.stat().st_mode & 0o777) == (0, 0o755)


class TestAtomic:
    def test_copy_replaces_whole_with_mode(self, odd_dir):
        d = odd_dir
        src, dest = d / 'src', d / 'dest'
        src.write_text('new')
        dest.write_text('old')
        assert lib('atomic_copy', src, dest, '', '600').returncode == 0
        assert dest.read_text() == 'new'
        assert dest.stat().st_mode & 0o777 == 0o600
        assert sorted(p.name for p in d.iterdir()) == ['dest', 'src']

    def test_failed_copy_leaves_dest_and_no_temp(self, tmp_path):
        dest = tmp_path / 'dest'
        dest.write_text('old')
        r = lib('atomic_copy', tmp_path / 'missing', dest)
        assert r.returncode != 0
        assert dest.read_text() == 'old'
        assert [p.name for p in tmp_path.iterdir()] == ['dest']

    def test_bad_mode_leaves_dest_and_no_temp(self, tmp_path):
        (tmp_path / 'src').write_text('new')
        dest = tmp_path / 'dest'
        tmp = tmp_path / '.dest.tmp-1'
        assert lib('atomic_copy', tmp_path / 'src', dest, tmp, 'rwx').returncode != 0
        assert sorted(p.name for p in tmp_path.iterdir()) == ['src']

    def test_write_takes_stdin(self, tmp_path):
        dest = tmp_path / 'info'
        assert lib('atomic_write', dest, stdin='a\nb\n').returncode == 0
        assert dest.read_text() == 'a\nb\n'
        assert [p.name for p in tmp_path.iterdir()] == ['info']

    def test_write_into_a_missing_dir_fails(self, tmp_path):
        assert lib('atomic_write', tmp_path / 'no' / 'info', stdin='x').returncode != 0

    def test_symlink_swaps(self, tmp_path):
        link = tmp_path / 'current'
        for target in ['releases/a', 'releases/b']:
            assert lib('atomic_symlink', target, link).returncode == 0
            assert os.readlink(link) == target
        assert sorted(p.name for p in tmp_path.iterdir()) == ['current']


class TestFacts:
    def test_unwritable_names_dirs_that_cannot_be_created(self, tmp_path):
        (tmp_path / 'file').write_text('')
        assert lib('unwritable', tmp_path / 'new' / 'deeper').stdout == ''
        bad = tmp_path / 'file' / 'sub'
        assert lib('unwritable', bad).stdout == f'unwritable={bad}\n'
        assert lib('unwritable', '').stdout == ''

    def test_checksums_only_of_files_present(self, tmp_path):
        f = tmp_path / ODD
        f.write_text('x')
        r = lib('checksums', '', f, tmp_path / 'missing', tmp_path)
        assert r.stdout == ('file=2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 '
                            f'{f}\n')

    def test_listeners_use_ss_per_port(self, tmp_path):
        (tmp_path / 'ss').write_text('#!/bin/sh\necho "LISTEN 0 50 *:${2#sport = :} *:*"\n')
        (tmp_path / 'ss').chmod(0o755)
        r = lib('listeners', '2181,3888', env={'PATH': f'{tmp_path}:{os.environ["PATH"]}'})
        assert r.stdout == 'listen=2181 LISTEN 0 50 *:2181 *:*\nlisten=3888 LISTEN 0 50 *:3888 *:*\n'


class TestKafkaTool:
    """kafka_tool: every Kafka admin script's wrapper of the distribution's bin/ tools."""

    @staticmethod
    def install(tmp_path, body: str):
        bin_dir = tmp_path / ODD / 'current' / 'bin'
        bin_dir.mkdir(parents=True)
        tool = bin_dir / 'kafka-x.sh'
        tool.write_text('#!/bin/sh\n' + body)
        tool.chmod(0o755)
        return tmp_path / ODD

    def test_asks_servers_with_the_client_config_and_a_small_heap(self, tmp_path):
        install = self.install(tmp_path, 'printf "%s|" "$KAFKA_HEAP_OPTS" "$@"; echo; echo err >&2\n')
        r = lib('kafka_tool', install, '--bootstrap-server', 'h1:9092,h2:9092', '/c/admin.properties',
                'kafka-x.sh', 'describe', ODD)
        assert (r.returncode, r.stderr) == (0, '')  # stderr joined
        assert r.stdout == ('-Xmx128m|--bootstrap-server|h1:9092,h2:9092|--command-config|'
                            f'/c/admin.properties|describe|{ODD}|\nerr\n')

    def test_no_client_config_on_an_open_cluster(self, tmp_path):
        install = self.install(tmp_path, 'printf "%s|" "$@"; echo\n')
        r = lib('kafka_tool', install, '--bootstrap-controller', 'c1:9093', '', 'kafka-x.sh',
                'describe', '--status')
        assert (r.returncode, r.stdout) == (0, '--bootstrap-controller|c1:9093|describe|--status|\n')

    def test_the_tools_exit_status_is_kept(self, tmp_path):
        install = self.install(tmp_path, 'echo no leader; exit 3\n')
        r = lib('kafka_tool', install, '--bootstrap-server', 'h1:9092', '', 'kafka-x.sh')
        assert (r.returncode, r.stdout) == (3, 'no leader\n')
