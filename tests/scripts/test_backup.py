"""remote-scripts/backup/: list a server's state files, stream exactly the chosen ones as
a tar (read as the service user), stage an uploaded archive, place it as the service
user's data (epochs, myid, a separate log dir, the old version-2 replaced)."""

import io
import os
import tarfile
from pathlib import Path

import pytest

from conftest import ODD, SERVICE_USER, needs_root, root_only, service_owned

SEAL = b'\x00\x00\x00\x01/'


def state_dir(root: Path, files: dict[str, bytes]) -> Path:
    v2 = root / 'version-2'
    v2.mkdir(parents=True)
    for name, data in files.items():
        (v2 / name).write_bytes(data)
    return root


def archive(path: Path, files: dict[str, bytes]) -> Path:
    """A zkctl backup archive: manifest.json first, then version-2/<name>."""
    with tarfile.open(path, 'w', format=tarfile.USTAR_FORMAT) as t:
        for name, data in [('manifest.json', b'{}')] + [(f'version-2/{n}', d)
                                                       for n, d in files.items()]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return path


class TestList:
    def test_lists_snapshots_with_their_seal_logs_and_epochs(self, run, tmp_path):
        data = state_dir(tmp_path / ODD / 'data', {
            'snapshot.0': b'x' * 10 + SEAL, 'snapshot.1c6': b'half written',
            'snapshot.8.gz': b'zz', 'currentEpoch': b'3\n', 'acceptedEpoch': b'4\n'})
        logs = state_dir(tmp_path / 'logs', {'log.1': b'l' * 7})
        r = run('backup/list.sh', 'root', data, logs)
        assert r.returncode == 0, r.stderr
        out = r.stdout.splitlines()
        assert 'snapshot snapshot.0 15 1' in out
        assert 'snapshot snapshot.1c6 12 0' in out
        assert 'log log.1 7' in out
        assert 'epoch currentEpoch=3' in out and 'epoch acceptedEpoch=4' in out

    def test_nothing_for_a_missing_dir(self, run, tmp_path):
        r = run('backup/list.sh', 'root', tmp_path / 'none', tmp_path / 'none')
        assert r.returncode == 0 and r.stdout == ''

    @needs_root
    def test_reads_as_the_service_user(self, run, shared_dir):
        secret = root_only(shared_dir / 'secret', 'root only')
        data = service_owned(state_dir(shared_dir / 'data', {}))
        service_owned(data / 'version-2')
        (data / 'version-2' / 'snapshot.5').symlink_to(secret)
        r = run('backup/list.sh', SERVICE_USER, data, data)
        assert r.returncode == 0
        assert 'snapshot.5' not in r.stdout  # a link is not a state file


class TestStream:
    def test_streams_exactly_the_named_files(self, run, tmp_path):
        data = state_dir(tmp_path / ODD / 'data', {'snapshot.10': b's' * 600 + SEAL,
                                                   'snapshot.5': b'old', 'myid': b'1\n'})
        logs = state_dir(tmp_path / 'logs', {'log.1': b'a', 'log.f': b'b', 'log.20': b'c'})
        r = run('backup/stream.sh', 'root', data, 'snapshot.10', logs, 'log.f', 'log.20')
        assert r.returncode == 0, r.stderr
        with tarfile.open(fileobj=io.BytesIO(r.stdout.encode('latin-1', 'surrogateescape'))) as t:
            assert t.getnames() == ['version-2/snapshot.10', 'version-2/log.f', 'version-2/log.20']

    @pytest.mark.parametrize('names', [('snapshot.10', '../../etc/passwd'),
                                       ('snapshot.zz',), ('myid',), ('snapshot.10', '-Cx')])
    def test_other_names_are_refused(self, run, tmp_path, names):
        data = state_dir(tmp_path / 'data', {'snapshot.10': SEAL})
        r = run('backup/stream.sh', 'root', data, names[0], data, *names[1:])
        assert r.returncode == 2 and r.stdout == ''


class TestStage:
    def test_stage_and_unstage(self, run):
        r = run('backup/stage.sh')
        d = Path(r.stdout.strip())
        assert r.returncode == 0 and d.is_dir() and oct(d.stat().st_mode & 0o777) == '0o700'
        assert d.name.startswith('zkctl-restore.')
        assert run('backup/unstage.sh', d).returncode == 0 and not d.exists()

    @pytest.mark.parametrize('path', ['/', '/tmp', '/tmp/zkctl-restore.', '/etc',
                                      '/tmp/zkctl-restore.x/../../etc'])
    def test_unstage_refuses_anything_else(self, run, path):
        assert run('backup/unstage.sh', path).returncode == 2


class TestPlace:
    def test_places_state_epochs_and_myid_replacing_the_old(self, run, tmp_path):
        data = state_dir(tmp_path / ODD / 'data', {'snapshot.0': b'old', 'log.1': b'old'})
        a = archive(tmp_path / 'a.tar', {'snapshot.1c6': b'snap' + SEAL, 'log.128': b'log'})
        r = run('backup/place.sh', 'root', a, data, data, '7', '3')
        assert r.returncode == 0 and r.stdout.strip() == 'placed', r.stderr
        v2 = data / 'version-2'
        assert sorted(p.name for p in v2.iterdir()) == [
            'acceptedEpoch', 'currentEpoch', 'log.128', 'snapshot.1c6']
        assert (v2 / 'currentEpoch').read_text() == '7\n'
        assert (v2 / 'acceptedEpoch').read_text() == '7\n'
        assert (data / 'myid').read_text() == '3\n'
        assert not (data / 'version-2.zkctl-restore').exists()
        assert not (data / 'version-2.zkctl-old').exists()

    def test_logs_go_to_the_log_dir_and_myid_is_kept(self, run, tmp_path):
        data = tmp_path / 'missing' / 'data'  # created
        logs = state_dir(tmp_path / 'logs', {'log.1': b'old'})
        a = archive(tmp_path / 'a.tar', {'snapshot.10': SEAL, 'log.f': b'l', 'log.20': b'm'})
        data.parent.mkdir()
        data.mkdir()
        (data / 'myid').write_text('2\n')
        r = run('backup/place.sh', 'root', a, data, logs, '1', '9')
        assert r.returncode == 0, r.stderr
        assert sorted(p.name for p in (data / 'version-2').iterdir()) == [
            'acceptedEpoch', 'currentEpoch', 'snapshot.10']
        assert sorted(p.name for p in (logs / 'version-2').iterdir()) == ['log.20', 'log.f']
        assert (data / 'myid').read_text() == '2\n'

    def test_creates_a_missing_data_dir(self, run, tmp_path):
        data = tmp_path / 'gone'
        a = archive(tmp_path / 'a.tar', {'snapshot.10': SEAL})
        r = run('backup/place.sh', 'root', a, data, data, '1', '2')
        assert r.returncode == 0, r.stderr
        assert (data / 'version-2' / 'snapshot.10').exists() and (data / 'myid').exists()

    def test_bad_epoch_or_id_is_refused(self, run, tmp_path):
        a = archive(tmp_path / 'a.tar', {'snapshot.10': SEAL})
        r = run('backup/place.sh', 'root', a, tmp_path, tmp_path, '1;x', '2')
        assert r.returncode == 2 and not (tmp_path / 'version-2').exists()

    @needs_root
    def test_unpacked_by_the_service_user(self, run, shared_dir):
        (shared_dir / 'data').mkdir()
        data = service_owned(shared_dir / 'data')
        a = archive(shared_dir / 'a.tar', {'snapshot.10': SEAL})
        a.chmod(0o600)  # root's: root opens it, the service user reads standard input
        r = run('backup/place.sh', SERVICE_USER, a, data, data, '1', '2')
        assert r.returncode == 0, r.stderr
        import pwd
        uid = pwd.getpwnam(SERVICE_USER).pw_uid
        assert (data / 'version-2' / 'snapshot.10').stat().st_uid == uid
        assert (data / 'myid').stat().st_uid == uid


# ---- KRaft metadata ---------------------------------------------------------------------

CKPT = '00000000000000000039-0000000001.checkpoint'


def kraft_dir(root: Path, files: dict[str, bytes]) -> Path:
    md = root / '__cluster_metadata-0'
    md.mkdir(parents=True)
    (root / 'meta.properties').write_text('version=1\nnode.id=2\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\n')
    for name, data in files.items():
        (md / name).write_bytes(data)
    return root


class TestKraftList:
    def test_lists_whole_snapshots_and_the_cluster_id(self, run, tmp_path):
        d = kraft_dir(tmp_path / ODD / 'data', {
            CKPT: b'x' * 12, '00000000000000000050-0000000001.checkpoint.part': b'y',
            '00000000000000000000.log': b'z', 'quorum-state': b'{}'})
        r = run('backup/kraft_list.sh', 'root', d)
        assert r.returncode == 0, r.stderr
        assert r.stdout == f'cluster.id MkU3OEVBNTcwNTJENDM2Qk\ncheckpoint {CKPT} 12\n'

    def test_nothing_for_a_missing_dir(self, run, tmp_path):
        r = run('backup/kraft_list.sh', 'root', tmp_path / 'none')
        assert r.returncode == 0 and r.stdout == ''

    @needs_root
    def test_reads_as_the_service_user(self, run, shared_dir):
        secret = root_only(shared_dir / 'secret', 'cluster.id=stolen\n')
        (shared_dir / 'data').mkdir()
        d = service_owned(shared_dir / 'data')
        (d / 'meta.properties').symlink_to(secret)
        r = run('backup/kraft_list.sh', SERVICE_USER, d)
        assert r.returncode == 0 and 'stolen' not in r.stdout


class TestKraftStream:
    def test_streams_the_snapshot_and_meta_properties(self, run, tmp_path):
        d = kraft_dir(tmp_path / ODD / 'data', {CKPT: b's' * 700, 'other.checkpoint': b'o'})
        r = run('backup/kraft_stream.sh', 'root', d, CKPT)
        assert r.returncode == 0, r.stderr
        with tarfile.open(fileobj=io.BytesIO(r.stdout.encode('latin-1', 'surrogateescape'))) as t:
            assert t.getnames() == ['meta.properties', f'__cluster_metadata-0/{CKPT}']

    @pytest.mark.parametrize('name', ['../meta.properties', '-Cx', 'quorum-state',
                                      '1-2-3.checkpoint', '.checkpoint', 'a-1.checkpoint',
                                      '00000000000000000000.log', '1-.checkpoint'])
    def test_other_names_are_refused(self, run, tmp_path, name):
        d = kraft_dir(tmp_path / 'data', {CKPT: b's'})
        r = run('backup/kraft_stream.sh', 'root', d, name)
        assert r.returncode == 2 and r.stdout == ''


def test_kraft_replication_asks_the_replication_table(run, tmp_path):
    install = tmp_path / ODD / 'kafka'
    tool = install / 'current' / 'bin' / 'kafka-metadata-quorum.sh'
    tool.parent.mkdir(parents=True)
    tool.write_text('#!/bin/sh\necho "$KAFKA_HEAP_OPTS $*"; echo err >&2\n')
    tool.chmod(0o755)
    r = run('backup/kraft_replication.sh', install, 'h1:9092')
    assert r.stdout == '-Xmx128m --bootstrap-server h1:9092 describe --replication\nerr\n'
    r = run('backup/kraft_replication.sh', install, 'h1:9094', '/c/admin.properties')
    assert r.stdout == ('-Xmx128m --bootstrap-server h1:9094 --command-config /c/admin.properties '
                        'describe --replication\nerr\n')
