"""remote-scripts/host/: release install, staged install, read, remove, own, probe, tail, kill."""

import io
import os
import pwd
import signal
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from conftest import (ODD, SERVICE_USER, facts, needs_root, root_only, service_owned)


def tarball(path: Path, files: dict[str, str], top: str = 'dist-1.0'):
    """A .tar.gz with `files` under one top directory, like the distributions."""
    with tarfile.open(path, 'w:gz') as t:
        for name, content in files.items():
            data = content.encode()
            info = tarfile.TarInfo(f'{top}/{name}')
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))


class TestInstallRelease:
    def test_installs_switches_and_reuses(self, run, tmp_path):
        install = tmp_path / ODD / 'install'
        tgz = tmp_path / 'up 1.tar.gz'
        tarball(tgz, {'bin/run.sh': 'v1'})
        r = run('host/prepare-upload.sh', install / 'releases')
        assert r.returncode == 0
        r = run('host/install-release.sh', install, tgz, 'aaaa', 'aaaa-full')
        assert r.returncode == 0, r.stderr
        assert os.readlink(install / 'current') == 'releases/aaaa'
        assert (install / 'current' / 'bin' / 'run.sh').read_text() == 'v1'
        assert (install / 'current' / '.zkctl-release').read_text() == 'aaaa-full\n'
        assert not tgz.exists()
        tarball(tgz, {'bin/run.sh': 'v2'})
        assert run('host/install-release.sh', install, tgz, 'bbbb', 'bbbb-full').returncode == 0
        assert os.readlink(install / 'current') == 'releases/bbbb'
        # Back to the first: already unpacked, only the link moves.
        tarball(tgz, {'bin/run.sh': 'not unpacked'})
        assert run('host/install-release.sh', install, tgz, 'aaaa', 'aaaa-full').returncode == 0
        assert (install / 'current' / 'bin' / 'run.sh').read_text() == 'v1'
        assert sorted(p.name for p in install.iterdir()) == ['current', 'releases']
        assert sorted(p.name for p in (install / 'releases').iterdir()) == ['aaaa', 'bbbb']

    def test_a_broken_tarball_leaves_the_old_state_whole(self, run, tmp_path):
        install = tmp_path / 'install'
        tgz = tmp_path / 'up.tar.gz'
        tarball(tgz, {'bin/run.sh': 'v1'})
        assert run('host/install-release.sh', install, tgz, 'aaaa', 'aaaa').returncode == 0
        tgz.write_bytes(b'\x1f\x8b not really gzip')
        r = run('host/install-release.sh', install, tgz, 'bbbb', 'bbbb')
        assert r.returncode != 0
        assert os.readlink(install / 'current') == 'releases/aaaa'
        assert sorted(p.name for p in (install / 'releases').iterdir()) == ['aaaa']

    def test_half_unpacked_release_of_a_cut_off_run_is_redone(self, run, tmp_path):
        install = tmp_path / 'install'
        (install / 'releases' / 'aaaa').mkdir(parents=True)  # no .zkctl-release: incomplete
        (install / 'releases' / 'aaaa' / 'junk').write_text('')
        (install / 'releases' / '.unpack-123').mkdir()
        tgz = tmp_path / 'up.tar.gz'
        tarball(tgz, {'f': 'x'})
        assert run('host/install-release.sh', install, tgz, 'aaaa', 'aaaa').returncode == 0
        assert sorted(p.name for p in (install / 'releases' / 'aaaa').iterdir()) == [
            '.zkctl-release', 'f']
        assert sorted(p.name for p in (install / 'releases').iterdir()) == ['aaaa']

    def test_prepare_upload_drops_cut_off_uploads_only(self, run, tmp_path):
        releases = tmp_path / 'releases'
        releases.mkdir()
        (releases / '.upload-x.tar.gz.zkctl-tmp-1').write_text('')
        (releases / 'keep').mkdir()
        assert run('host/prepare-upload.sh', releases).returncode == 0
        assert [p.name for p in releases.iterdir()] == ['keep']


class TestInstallStaged:
    def test_installs_with_mode_and_removes_the_staged_file(self, run, tmp_path, odd_dir):
        d = odd_dir
        src, dest = tmp_path / 'staged', d / 'zoo.cfg'
        src.write_text('new')
        dest.write_text('old')
        r = run('host/install-staged.sh', src, d, dest, d / '.zoo.cfg.zkctl-tmp-1', '640')
        assert r.returncode == 0, r.stderr
        assert dest.read_text() == 'new' and dest.stat().st_mode & 0o777 == 0o640
        assert not src.exists()
        assert [p.name for p in d.iterdir()] == ['zoo.cfg']

    def test_bad_destinations_exit_3_and_still_remove_the_staged_file(self, run, tmp_path):
        src = tmp_path / 'staged'
        for dir_, dest, message in [
            (tmp_path / 'missing', tmp_path / 'missing' / 'f', f'directory {tmp_path}/missing does not exist\n'),
            (tmp_path, tmp_path / 'adir', 'it is a directory\n'),
        ]:
            (tmp_path / 'adir').mkdir(exist_ok=True)
            src.write_text('x')
            r = run('host/install-staged.sh', src, dir_, dest, tmp_path / '.t', '644')
            assert (r.returncode, r.stderr) == (3, message)
            assert not src.exists()

    def test_a_failed_copy_exits_1_and_leaves_no_temp(self, run, tmp_path):
        dest = tmp_path / 'f'
        dest.write_text('old')
        r = run('host/install-staged.sh', tmp_path / 'missing', tmp_path, dest, tmp_path / '.t', '644')
        assert r.returncode == 1
        assert dest.read_text() == 'old'
        assert [p.name for p in tmp_path.iterdir() if p.name != 'fake-bin' and p.name != 'cwd'] == ['f']


    @needs_root
    def test_refuses_a_dir_another_user_can_write_and_follows_no_planted_link(self, run,
                                                                               shared_dir):
        # The service user owns the data dir and plants a link at the temp name (it is on
        # the command line, for anyone to see) pointing at a root-only file.
        data = shared_dir / 'data'
        data.mkdir()
        service_owned(data)
        secret = root_only(shared_dir / 'shadow', 'root only\n')
        tmp = data / '.myid.zkctl-tmp-1'
        tmp.symlink_to(secret)
        src = shared_dir / 'staged'
        src.write_text('1\n')
        r = run('host/install-staged.sh', src, data, data / 'myid', tmp, '644')
        assert r.returncode == 3, r.stderr
        assert 'writable by another user than root' in r.stderr
        assert secret.read_text() == 'root only\n' and secret.stat().st_mode & 0o777 == 0o600
        assert not (data / 'myid').exists() and not src.exists()
        # A group- or world-writable dir of root's is refused as well.
        open_dir = shared_dir / 'open'
        open_dir.mkdir()
        open_dir.chmod(0o777)
        src.write_text('x')
        r = run('host/install-staged.sh', src, open_dir, open_dir / 'f', open_dir / '.t', '644')
        assert r.returncode == 3 and not (open_dir / 'f').exists()


class TestReadFile:
    def test_reads_or_gives_nothing(self, run, tmp_path):
        f = tmp_path / ODD
        f.write_bytes(b'a\nb\x00c')
        out = run('host/read-file.sh', '', f)
        assert (out.returncode, out.stdout) == (0, 'a\nb\x00c')
        out = run('host/read-file.sh', '', tmp_path / 'missing')
        assert (out.returncode, out.stdout) == (0, '')

    def test_an_unreadable_path_fails(self, run, tmp_path):
        assert run('host/read-file.sh', '', tmp_path).returncode != 0  # a directory

    @needs_root
    def test_reads_as_the_service_user_so_a_planted_link_shows_nothing_of_roots(self, run,
                                                                                shared_dir):
        data = shared_dir / 'data'
        data.mkdir()
        service_owned(data)
        secret = root_only(shared_dir / 'shadow', 'TOPSECRET\n')
        (data / 'myid').symlink_to(secret)
        r = run('host/read-file.sh', SERVICE_USER, data / 'myid')
        assert 'TOPSECRET' not in r.stdout + r.stderr
        (data / 'myid').unlink()
        (data / 'myid').write_text('1\n')
        r = run('host/read-file.sh', SERVICE_USER, data / 'myid')
        assert (r.returncode, r.stdout) == (0, '1\n')
        r = run('host/read-file.sh', SERVICE_USER, data / 'missing')
        assert (r.returncode, r.stdout) == (0, '')


class TestWriteAs:
    @needs_root
    def test_writes_whole_as_the_user_with_mode(self, run, shared_dir):
        data = shared_dir / ODD
        data.mkdir()
        service_owned(data)
        (data / 'myid').write_text('old\n')
        r = run('host/write-as.sh', SERVICE_USER, data / 'myid', '644', "3\n$(touch PWNED)'")
        assert r.returncode == 0, r.stderr
        st = (data / 'myid').stat()
        assert (data / 'myid').read_text() == "3\n$(touch PWNED)'"
        assert (st.st_uid, st.st_mode & 0o777) == (pwd.getpwnam(SERVICE_USER).pw_uid, 0o644)
        assert [p.name for p in data.iterdir()] == ['myid']

    @needs_root
    def test_a_link_planted_at_the_target_or_a_temp_name_gains_nothing(self, run, shared_dir):
        data = shared_dir / 'data'
        data.mkdir()
        service_owned(data)
        secret = root_only(shared_dir / 'shadow', 'root only\n')
        (data / 'myid').symlink_to(secret)
        for name in ['.myid.zkctl-tmp', '.myid.zkctl-tmp-1', '.myid.zkctl-tmp-XXXXXX']:
            (data / name).symlink_to(secret)
        r = run('host/write-as.sh', SERVICE_USER, data / 'myid', '644', '1\n')
        assert r.returncode == 0, r.stderr
        assert secret.read_text() == 'root only\n'
        st = secret.stat()
        assert (st.st_uid, st.st_mode & 0o777) == (0, 0o600)
        assert not (data / 'myid').is_symlink() and (data / 'myid').read_text() == '1\n'

    @needs_root
    def test_a_dir_the_user_cannot_write_is_left_alone(self, run, shared_dir):
        conf = shared_dir / 'conf'
        conf.mkdir()
        r = run('host/write-as.sh', SERVICE_USER, conf / 'zoo.cfg', '644', 'x')
        assert r.returncode != 0
        assert list(conf.iterdir()) == []


def marked(d: Path, cluster: str = 'c') -> Path:
    """`d` created and carrying cluster `cluster`'s mark, as deploy leaves it."""
    d.mkdir(parents=True, exist_ok=True)
    (d / '.zkctl-cluster').write_text(cluster + '\n')
    return d


def zk_install(d: Path) -> Path:
    """A ZooKeeper install dir as deploy and the service leave it, marked for cluster c."""
    marked(d)
    (d / 'releases' / 'a').mkdir(parents=True)
    (d / 'releases' / 'a' / '.zkctl-release').write_text('a\n')
    (d / 'current').symlink_to('releases/a')
    (d / 'conf').mkdir()
    for f in ['zoo.cfg', 'zookeeper-env.sh', 'log4j.properties', 'zoo.cfg.dynamic.100000000']:
        (d / 'conf' / f).write_text('')
    (d / 'conf' / 'tls').mkdir()  # a secure cluster's node.pem and ca.pem
    (d / 'conf' / 'tls' / 'node.pem').write_text('')
    (d / 'logs').mkdir()
    (d / 'logs' / 'zookeeper.log').write_text('')
    (d / 'java' / 'current').mkdir(parents=True)
    return d


class TestRemove:
    LAYOUTS = ['zkinstall', 'kafkainstall', 'zkdata', 'zklog', 'kafkadata']

    @pytest.mark.parametrize('path', ['', '/'])
    def test_refuses_empty_and_root(self, run, path, tmp_path):
        # An rm that only records, so a broken refusal cannot delete anything.
        run.fake('rm', f'echo "rm $*" >> {tmp_path}/rm.log\nexit 1\n')
        for layout in self.LAYOUTS + ['other']:
            for force in ['check', 'force']:
                r = run('host/remove.sh', layout, 'c', force, path)
                assert (r.returncode, r.stdout) == (0, f'kept {path} (refusing an empty path or /)\n')
        assert not (tmp_path / 'rm.log').exists()

    def test_absent(self, run, tmp_path):
        r = run('host/remove.sh', 'zkinstall', 'c', 'check', tmp_path / 'x')
        assert r.stdout == f'absent {tmp_path}/x\n'

    def test_removes_a_dir_with_this_clusters_mark_and_only_zkctls_files(self, run, tmp_path):
        inst = zk_install(tmp_path / ODD)
        assert run('host/remove.sh', 'zkinstall', 'c', 'check', inst).stdout == f'removed {inst}\n'
        assert not inst.exists()

        data = marked(tmp_path / 'data')
        (data / 'version-2').mkdir()
        (data / 'myid').write_text('1\n')
        (data / 'zookeeper_server.pid').write_text('1\n')
        assert run('host/remove.sh', 'zkdata', 'c', 'check', data).stdout == f'removed {data}\n'

        txlog = marked(tmp_path / 'txlog')
        (txlog / 'version-2').mkdir()
        (txlog / 'version-2' / 'log.100000001').write_text('')
        assert run('host/remove.sh', 'zklog', 'c', 'check', txlog).stdout == f'removed {txlog}\n'

        logs = marked(tmp_path / 'kafka-logs')
        for d in ['topic-0', '__cluster_metadata-0', '__consumer_offsets-12', 't-1.abc-delete']:
            (logs / d).mkdir()
        for f in ['meta.properties', '.lock', 'recovery-point-offset-checkpoint',
                  'bootstrap.checkpoint', '.kafka_cleanshutdown']:
            (logs / f).write_text('')
        assert run('host/remove.sh', 'kafkadata', 'c', 'check', logs).stdout == f'removed {logs}\n'

        kinst = marked(tmp_path / 'kafka')
        for d in ['releases', 'logs', 'config', 'config/tls']:
            (kinst / d).mkdir()
        for f in ['config/server.properties', 'config/kafka-env.sh', 'config/log4j2.yaml', 'kafka.pid',
                  'config/tls/admin.pem', 'config/tls/metrics.p12', 'config/tls/metrics.p12.sha256',
                  'config/jmx_prometheus_javaagent.jar', 'config/jmx-exporter.yml']:
            (kinst / f).write_text('')
        assert run('host/remove.sh', 'kafkainstall', 'c', 'check', kinst).stdout == f'removed {kinst}\n'

    def test_keep_names_stay_with_the_mark_and_the_rest_goes(self, run, tmp_path):
        """Prometheus' TSDB lives in its install dir: destroy without --purge-data passes `data`,
        which stays (a link in it is not followed); a later purge removes what is left."""
        mon = marked(tmp_path / 'monitoring')
        for d in ['data', 'data/wal', 'log', 'tls']:
            (mon / d).mkdir()
        for f in ['prometheus.yml', 'rules.yml', 'prometheus.args', 'data/wal/00000001',
                  'log/prometheus.log', 'tls/ca.pem', '.hidden.zkctl-tmp-1']:
            (mon / f).write_text('x')
        outside = tmp_path / 'outside'
        outside.mkdir()
        (outside / 'keepme').write_text('x')
        (mon / 'log' / 'link').symlink_to(outside)
        r = run('host/remove.sh', 'monitoring', 'c', 'check', mon, 'data')
        assert (r.returncode, r.stdout) == (0, f'removed {mon} (all but data)\n')
        assert sorted(p.name for p in mon.iterdir()) == ['.zkctl-cluster', 'data']
        assert (mon / 'data' / 'wal' / '00000001').read_text() == 'x'
        assert (outside / 'keepme').exists()
        r = run('host/remove.sh', 'monitoring', 'c', 'check', mon)
        assert (r.returncode, r.stdout) == (0, f'removed {mon}\n')
        assert not mon.exists()

    def test_keep_names_do_not_lift_the_refusals(self, run, tmp_path):
        mon = marked(tmp_path / 'monitoring')
        (mon / 'data').mkdir()
        (mon / 'notes.txt').write_text('x')
        r = run('host/remove.sh', 'monitoring', 'c', 'check', mon, 'data')
        assert r.stdout.startswith(f"kept {mon} (it holds 'notes.txt'"), r.stdout
        assert (mon / 'notes.txt').exists()
        (mon / '.zkctl-cluster').write_text('prod\n')
        r = run('host/remove.sh', 'monitoring', 'c', 'force', mon, 'data')
        assert r.stdout == f"kept {mon} (marked for cluster 'prod', not 'c')\n"

    def test_a_dir_without_this_clusters_mark_is_kept_even_with_force(self, run, tmp_path):
        opt = tmp_path / 'opt'  # install_dir = "/opt" of old: other applications in it
        (opt / 'releases').mkdir(parents=True)
        (opt / 'someapp').mkdir()
        other = zk_install(tmp_path / 'other')
        (other / '.zkctl-cluster').write_text('prod\n')
        linked = zk_install(tmp_path / 'linked')
        (linked / '.zkctl-cluster').unlink()
        (tmp_path / 'fake-mark').write_text('c\n')
        (linked / '.zkctl-cluster').symlink_to(tmp_path / 'fake-mark')
        for force in ['check', 'force']:
            r = run('host/remove.sh', 'zkinstall', 'c', force, opt)
            assert r.stdout == f'kept {opt} (no zkctl mark of cluster c in it)\n'
            r = run('host/remove.sh', 'zkinstall', 'c', force, other)
            assert r.stdout == f"kept {other} (marked for cluster 'prod', not 'c')\n"
            r = run('host/remove.sh', 'zkinstall', 'c', force, linked)
            assert r.stdout == f'kept {linked} (no zkctl mark of cluster c in it)\n'
        assert (opt / 'someapp').is_dir() and (other / 'conf' / 'zoo.cfg').exists()
        assert (linked / 'conf' / 'zoo.cfg').exists()

    @pytest.mark.parametrize('layout,foreign', [
        ('zkinstall', 'notes.txt'),
        ('zkinstall', 'conf/keystore.jks'),
        ('zkinstall', 'backup'),
        ('zkdata', 'snapshot-copy'),
        ('zklog', 'myid'),
        ('kafkadata', 'important'),
        ('kafkainstall', 'conf'),
        ('kafkainstall', '.hidden'),
    ])
    def test_foreign_files_keep_the_dir_unless_forced(self, run, tmp_path, layout, foreign):
        d = zk_install(tmp_path / 'd') if layout == 'zkinstall' else marked(tmp_path / 'd')
        target = d / foreign
        target.parent.mkdir(parents=True, exist_ok=True)
        if foreign == 'backup':
            target.mkdir()
        else:
            target.write_text('precious')
        r = run('host/remove.sh', layout, 'c', 'check', d)
        assert r.stdout == (f"kept {d} (it holds '{foreign}', which zkctl did not put there; "
                            'destroy --force removes it anyway)\n')
        assert target.exists()
        assert run('host/remove.sh', layout, 'c', 'force', d).stdout == f'removed {d}\n'
        assert not d.exists()

    def test_a_mount_point_is_emptied_and_stays(self, run, tmp_path):
        data = marked(tmp_path / 'data')
        (data / 'version-2').mkdir()
        (data / 'myid').write_text('1\n')
        run.fake('mountpoint', f'[ "$3" = {str(data)!r} ]\n')
        r = run('host/remove.sh', 'zkdata', 'c', 'check', data)
        assert r.stdout == f'removed {data} (its contents: a mount point stays)\n'
        assert data.is_dir() and list(data.iterdir()) == []

    def test_a_file_named_like_a_partition_is_foreign_in_a_log_dir(self, run, tmp_path):
        logs = marked(tmp_path / 'logs')
        (logs / 'topic-0').write_text('not a partition dir')
        r = run('host/remove.sh', 'kafkadata', 'c', 'check', logs)
        assert r.stdout.startswith(f"kept {logs} (it holds 'topic-0'")


class TestMark:
    def test_marks_each_existing_dir_once(self, run, tmp_path, odd_dir):
        missing = tmp_path / 'missing'
        r = run('host/mark.sh', 'c', '', odd_dir, missing)
        assert r.returncode == 0, r.stderr
        assert (odd_dir / '.zkctl-cluster').read_text() == 'c\n'
        assert not missing.exists()
        before = (odd_dir / '.zkctl-cluster').stat().st_ino
        assert run('host/mark.sh', 'c', '', odd_dir).returncode == 0
        assert (odd_dir / '.zkctl-cluster').stat().st_ino == before  # unchanged: not rewritten

    def test_replaces_a_link_or_another_clusters_mark_without_writing_through(self, run, tmp_path):
        target = tmp_path / 'precious'
        target.write_text('keep me\n')
        d = tmp_path / 'd'
        d.mkdir()
        (d / '.zkctl-cluster').symlink_to(target)
        e = marked(tmp_path / 'e', 'prod')
        assert run('host/mark.sh', 'c', '', d, e).returncode == 0
        assert target.read_text() == 'keep me\n'
        assert not (d / '.zkctl-cluster').is_symlink()
        assert (d / '.zkctl-cluster').read_text() == 'c\n'
        assert (e / '.zkctl-cluster').read_text() == 'c\n'


    @needs_root
    def test_a_service_owned_dir_is_marked_as_the_service_user(self, run, shared_dir):
        secret = root_only(shared_dir / 'shadow', 'root only\n')
        (shared_dir / 'data').mkdir()
        data = service_owned(shared_dir / 'data')
        (data / '.zkctl-cluster').symlink_to(secret)  # planted by the service account
        r = run('host/mark.sh', 'c', SERVICE_USER, data)
        assert r.returncode == 0, r.stderr
        assert secret.read_text() == 'root only\n' and secret.stat().st_uid == 0
        mark = data / '.zkctl-cluster'
        assert not mark.is_symlink() and mark.read_text() == 'c\n'
        assert mark.stat().st_uid == pwd.getpwnam(SERVICE_USER).pw_uid  # written as that user


class TestOwn:
    @needs_root
    def test_dirs_recursively_then_configs_roots_with_their_modes(self, run, tmp_path):
        nobody = pwd.getpwnam('nobody')
        d = tmp_path / ODD
        (d / 'sub').mkdir(parents=True)
        (d / 'sub' / 'f').write_text('')
        cfg = tmp_path / 'zoo.cfg'
        cfg.write_text('')
        os.chown(cfg, nobody.pw_uid, nobody.pw_gid)  # as an older zkctl left it
        env = tmp_path / 'zookeeper-env.sh'
        env.write_text('')
        os.chown(env, nobody.pw_uid, nobody.pw_gid)
        env.chmod(0o666)
        untouched = tmp_path / 'other'
        untouched.write_text('')
        r = run('host/own.sh', 'nobody', 2, d, '', 'group', '640', cfg, 'root', '644', env)
        assert r.returncode == 0, r.stderr
        for p in [d, d / 'sub', d / 'sub' / 'f']:
            assert (p.stat().st_uid, p.stat().st_gid) == (nobody.pw_uid, nobody.pw_gid), p
        assert (cfg.stat().st_uid, cfg.stat().st_gid, cfg.stat().st_mode & 0o777) == \
            (0, nobody.pw_gid, 0o640)
        assert (env.stat().st_uid, env.stat().st_gid, env.stat().st_mode & 0o777) == (0, 0, 0o644)
        assert untouched.stat().st_uid == 0

    @needs_root
    def test_links_planted_in_the_data_dir_are_neither_followed_nor_recursed(self, run,
                                                                             tmp_path):
        nobody = pwd.getpwnam('nobody')
        data = tmp_path / 'data'
        data.mkdir()
        secret = root_only(tmp_path / 'shadow', 'x')
        outside = tmp_path / 'etc'
        outside.mkdir()
        (outside / 'passwd').write_text('x')
        (data / 'myid').symlink_to(secret)
        (data / 'sub').symlink_to(outside)
        r = run('host/own.sh', 'nobody', 1, data)
        assert r.returncode == 0, r.stderr
        for p in [secret, outside, outside / 'passwd']:
            assert p.stat().st_uid == 0, p
        assert os.lstat(data / 'myid').st_uid == nobody.pw_uid  # the link itself
        # A link given as a config file is refused, its target untouched.
        link = tmp_path / 'zoo.cfg'
        link.symlink_to(secret)
        r = run('host/own.sh', 'nobody', 0, 'group', '644', link)
        assert r.returncode == 1 and 'symbolic link' in r.stderr
        assert (secret.stat().st_gid, secret.stat().st_mode & 0o777) == (0, 0o600)

    def test_unknown_user_fails(self, run, tmp_path):
        assert run('host/own.sh', 'no-such-user-zkctl', 1, tmp_path).returncode != 0

    def test_a_file_without_owner_and_mode_is_refused(self, run, tmp_path):
        # The older form (a bare FILE after the dirs) chowned through links: now refused.
        f = tmp_path / 'myid'
        f.write_text('1\n')
        r = run('host/own.sh', 'root', 0, f)
        assert r.returncode == 2 and 'triples' in r.stderr


class TestProbe:
    def test_reports_memory_disk_names_and_clock(self, run, tmp_path):
        run.fake('java', 'echo \'openjdk version "11.0.2"\' >&2\n')
        r = run('host/probe.sh', 2, tmp_path / ODD / 'not yet', tmp_path, 'localhost',
                'no-such-host.invalid')
        assert r.returncode == 0, r.stderr
        f = facts(r.stdout)
        assert f['java'] == ['openjdk version "11.0.2"']
        assert int(f['mem'][0]) > 0
        assert [v.split(' ', 1)[1] for v in f['disk']] == [str(tmp_path / ODD / 'not yet'),
                                                           str(tmp_path)]
        assert all(int(v.split(' ', 1)[0]) > 0 for v in f['disk'])
        assert f['name'][0] == 'localhost 127.0.0.1'
        assert f['name'][1] == 'no-such-host.invalid '
        assert abs(float(f['clock'][0]) - time.time()) < 30

    def test_no_dirs_no_names(self, run):
        r = run('host/probe.sh', 0)
        assert r.returncode == 0 and set(facts(r.stdout)) >= {'mem', 'clock'}


class TestTailLog:
    def test_newest_matching_file(self, run, odd_dir):
        d = odd_dir
        old, new = d / 'zookeeper-a.log', d / 'zookeeper-b.log'
        old.write_text('old\n')
        new.write_text('1\n2\n3\n')
        (d / 'other.txt').write_text('no')
        os.utime(old, (1, 1))
        r = run('host/tail-log.sh', d, 2, 'zookeeper*.log')
        assert (r.returncode, r.stdout) == (0, f'==> {new} <==\n2\n3\n')

    def test_nothing_matching_fails_with_a_message(self, run, tmp_path):
        r = run('host/tail-log.sh', tmp_path, 10, 'server.log')
        assert r.returncode == 1
        assert r.stderr == f'no log matching server.log in {tmp_path}\n'

    @needs_root
    def test_a_log_linked_to_a_root_only_file_shows_nothing_of_it(self, run, shared_dir):
        logs = shared_dir / 'logs'
        logs.mkdir()
        service_owned(logs)
        secret = root_only(shared_dir / 'shadow', 'TOPSECRET\n')
        (logs / 'zookeeper-x.log').symlink_to(secret)
        r = run('host/tail-log.sh', logs, 5, 'zookeeper*.log', SERVICE_USER)
        assert 'TOPSECRET' not in r.stdout + r.stderr
        assert r.returncode != 0
        (logs / 'zookeeper-x.log').unlink()
        (logs / 'zookeeper-x.log').write_text('mine\n')
        r = run('host/tail-log.sh', logs, 5, 'zookeeper*.log', SERVICE_USER)
        assert (r.returncode, r.stdout) == (0, f'==> {logs}/zookeeper-x.log <==\nmine\n')


def test_kill_group_ends_a_process_group(run, procs):
    p = subprocess.Popen(['sleep', '600'], start_new_session=True)
    try:
        r = run('host/kill-group.sh', p.pid)
        assert r.returncode == 0
        assert p.wait(5) == -signal.SIGTERM
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert run('host/kill-group.sh', p.pid).returncode != 0  # gone: quiet, non-zero
    assert run('host/kill-group.sh', p.pid).stderr == ''


class TestRestartPending:
    """host/restart-pending.sh and inspect's `restart_pending=1`: the restart a deploy owes a
    node survives an interrupted deploy."""

    def test_set_is_seen_by_inspect_and_clear_removes_it(self, run, tmp_path):
        from test_zookeeper import Layout
        zk = Layout(tmp_path / ODD)
        zk.install.mkdir(parents=True)
        assert run('host/restart-pending.sh', 'set', zk.install).returncode == 0
        assert run('host/restart-pending.sh', 'set', zk.install).returncode == 0  # idempotent
        assert (zk.install / '.zkctl-restart-pending').is_file()
        assert not list(zk.install.glob('*zkctl-tmp*'))
        r = run('zookeeper/inspect.sh', *zk.inspect_args())
        assert facts(r.stdout)['restart_pending'] == ['1']
        assert run('host/restart-pending.sh', 'clear', zk.install).returncode == 0
        assert run('host/restart-pending.sh', 'clear', zk.install).returncode == 0
        r = run('zookeeper/inspect.sh', *zk.inspect_args())
        assert 'restart_pending' not in facts(r.stdout)

    @needs_root
    def test_only_in_a_root_owned_dir_that_is_no_link(self, run, tmp_path):
        (tmp_path / 'svc').mkdir()
        owned = service_owned(tmp_path / 'svc')
        r = run('host/restart-pending.sh', 'set', owned)
        assert r.returncode == 1 and 'not a root-owned directory' in r.stderr
        real = tmp_path / 'real'
        real.mkdir()
        (tmp_path / 'link').symlink_to(real)
        assert run('host/restart-pending.sh', 'set', tmp_path / 'link').returncode == 1
        assert not (real / '.zkctl-restart-pending').exists()
        assert run('host/restart-pending.sh', 'bogus', real).returncode == 2

    def test_a_planted_link_is_not_a_mark(self, run, tmp_path):
        from test_zookeeper import Layout
        zk = Layout(tmp_path)
        zk.install.mkdir(parents=True)
        (zk.install / '.zkctl-restart-pending').symlink_to(tmp_path / 'elsewhere')
        (tmp_path / 'elsewhere').write_text('')
        r = run('zookeeper/inspect.sh', *zk.inspect_args())
        assert 'restart_pending' not in facts(r.stdout)
