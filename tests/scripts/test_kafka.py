"""remote-scripts/kafka/: inspect, prepare, format, start, stop, pid, quorum against a fake layout."""

import os
import pwd
import signal
import time
from pathlib import Path
from shlex import quote as q

import pytest

from conftest import ODD, SERVICE_USER, facts, fake_jvm, needs_root, root_only, service_owned


class Layout:
    """A node's paths as kafka_paths gives them, under a root with awkward characters."""

    def __init__(self, root: Path):
        self.root = root / ODD
        self.install = self.root / 'opt kafka'
        self.config = self.install / 'config'
        self.logs = self.install / 'logs'
        self.props = self.config / 'server.properties'
        self.env = self.config / 'kafka-env.sh'
        self.current = self.install / 'current'
        self.log_dirs = [self.root / 'data one', self.root / 'data two']
        self.meta = self.log_dirs[0] / 'meta.properties'

    def inspect_args(self, *files, user='root'):
        return [self.install, self.props, self.meta, self.current / '.zkctl-release', '9092,9093',
                len(self.log_dirs), self.root / 'jdk' / '.zkctl-release', user, *self.log_dirs,
                *files]

    def distribution(self, scripts: dict[str, str]):
        """bin/<name> of a fake distribution for each of `scripts`; `current` points at it."""
        bin_dir = self.install / 'releases' / 'a' / 'bin'
        bin_dir.mkdir(parents=True)
        self.current.symlink_to('releases/a')
        for name, body in scripts.items():
            (bin_dir / name).write_text('#!/bin/sh\n' + body)
            (bin_dir / name).chmod(0o755)


@pytest.fixture
def kafka(tmp_path):
    return Layout(tmp_path)


class TestInspect:
    def test_reads_meta_pid_and_checksums_and_tells_dirs_from_files(self, run, kafka, procs):
        kafka.log_dirs[0].mkdir(parents=True)
        kafka.meta.write_text('#comment\nnode.id=11\ncluster.id=abcDEF-123\nversion=1\n')
        kafka.config.mkdir(parents=True)
        kafka.props.write_text('x')
        node = procs.start('kafka.Kafka', str(kafka.props))
        procs.start('kafka.Kafka', str(kafka.props) + '.old')  # another node's: not this one
        r = run('kafka/inspect.sh', *kafka.inspect_args(kafka.props, kafka.root / 'missing'))
        assert r.returncode == 0, r.stderr
        f = facts(r.stdout)
        assert f['meta.node.id'] == ['11']
        assert f['meta.cluster.id'] == ['abcDEF-123']
        assert f['pid'] == [str(node.pid)]
        # The log dirs are dirs to check, not files to checksum; only present files count.
        assert f['file'] == [
            f'2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 {kafka.props}']
        assert 'unwritable' not in f

    @needs_root
    def test_a_meta_properties_linked_to_a_root_only_file_is_not_printed(self, run, shared_dir):
        kafka = Layout(shared_dir)
        kafka.log_dirs[0].mkdir(parents=True)
        service_owned(kafka.log_dirs[0])
        secret = root_only(shared_dir / 'server.properties',
                           'sasl.password=TOPSECRET\nnode.id=1\n')
        kafka.meta.symlink_to(secret)
        r = run('kafka/inspect.sh', *kafka.inspect_args(kafka.meta, user=SERVICE_USER))
        assert r.returncode == 0, r.stderr
        assert 'TOPSECRET' not in r.stdout + r.stderr
        assert not [l for l in r.stdout.splitlines() if l.startswith(('meta.', 'file='))]
        kafka.meta.unlink()
        kafka.meta.write_text('node.id=1\n')
        assert facts(run('kafka/inspect.sh', *kafka.inspect_args(user=SERVICE_USER)).stdout)[
            'meta.node.id'] == ['1']

    def test_unwritable_counts_only_the_log_dirs(self, run, kafka):
        kafka.root.mkdir(parents=True)
        (kafka.root / 'afile').write_text('')
        bad = kafka.root / 'afile' / 'logs'
        kafka.log_dirs = [bad]
        r = run('kafka/inspect.sh', *kafka.inspect_args(kafka.root / 'afile' / 'not-a-dir'))
        assert facts(r.stdout)['unwritable'] == [str(bad)]

    def test_reads_the_installed_version_from_the_clients_jar(self, run, kafka):
        libs = kafka.install / 'releases' / 'a' / 'libs'
        libs.mkdir(parents=True)
        kafka.current.symlink_to('releases/a')
        for jar in ('kafka-clients-3.8.1.jar', 'kafka_2.13-3.8.1.jar', 'kafka-clients-x.jar'):
            (libs / jar).write_text('')
        r = run('kafka/inspect.sh', *kafka.inspect_args())
        assert facts(r.stdout)['version'] == ['3.8.1'], r.stdout

    def test_nothing_deployed(self, run, kafka):
        r = run('kafka/inspect.sh', *kafka.inspect_args(user='no-such-user-zkctl'))
        assert r.returncode == 0, r.stderr
        assert set(facts(r.stdout)) <= {'java', 'pid1', 'nouser'}


class TestPrepare:
    def test_creates_dirs_and_copies_only_missing_logging_configs(self, run, kafka):
        dist = kafka.install / 'releases' / 'a' / 'config'
        dist.mkdir(parents=True)
        kafka.current.symlink_to('releases/a')
        for name in ['log4j.properties', 'tools-log4j.properties', 'log4j2.yaml']:
            (dist / name).write_text('dist ' + name)
        kafka.config.mkdir()
        (kafka.config / 'log4j2.yaml').write_text('mine')
        (kafka.config / '.server.properties.zkctl-tmp-7').write_text('cut off')
        r = run('kafka/prepare.sh', kafka.config, kafka.logs, kafka.current, *kafka.log_dirs)
        assert r.returncode == 0, r.stderr
        assert all(d.is_dir() for d in [kafka.logs, *kafka.log_dirs])
        assert sorted(p.name for p in kafka.config.iterdir()) == [
            'log4j.properties', 'log4j2.yaml', 'tls', 'tools-log4j.properties']
        assert (kafka.config / 'tls').is_dir()
        assert (kafka.config / 'log4j2.yaml').read_text() == 'mine'

    @needs_root
    def test_install_and_config_dirs_become_roots_and_writable_by_no_one_else(self, run, kafka):
        (kafka.config / 'tls').mkdir(parents=True)
        for d in [kafka.install, kafka.config, kafka.config / 'tls']:
            service_owned(d)
            d.chmod(0o777)
        r = run('kafka/prepare.sh', kafka.config, kafka.logs, kafka.current, *kafka.log_dirs)
        assert r.returncode == 0, r.stderr
        for d in [kafka.install, kafka.config, kafka.config / 'tls']:
            assert (d.stat().st_uid, d.stat().st_gid, d.stat().st_mode & 0o777) == (0, 0, 0o755)


class TestFormat:
    def test_formats_with_the_env_applied_once(self, run, kafka):
        kafka.distribution({'kafka-storage.sh':
                            f'echo "$KAFKA_HEAP_OPTS|$FROM_ENV|$*" > {q(str(kafka.root))}/called\n'})
        kafka.config.mkdir()
        kafka.env.write_text("FROM_ENV='env applied'\n")
        # A ZooKeeper-mode cluster's id may begin with '-' (base64url); as its own argument
        # kafka-storage.sh would take it for an option.
        args = [kafka.install, kafka.props, '-6CqpZ3MQFiyMea3VLMGiw', kafka.meta, kafka.env, '']
        r = run('kafka/format.sh', *args)
        assert (r.returncode, r.stdout) == (0, 'formatted\n'), r.stderr
        assert (kafka.root / 'called').read_text() == \
            f'-Xmx256m|env applied|format --cluster-id=-6CqpZ3MQFiyMea3VLMGiw -c {kafka.props}\n'
        kafka.log_dirs[0].mkdir()
        kafka.meta.write_text('node.id=1\n')
        (kafka.root / 'called').unlink()
        r = run('kafka/format.sh', *args)
        assert (r.returncode, r.stdout) == (0, 'formatted-already\n')
        assert not (kafka.root / 'called').exists()

    @needs_root
    def test_the_env_file_is_sourced_by_the_service_user_never_by_root(self, run, shared_dir):
        h = HostileEnv(shared_dir)
        h.kafka.distribution({'kafka-storage.sh': f'echo "$(id -u)|$MARK|$KAFKA_HEAP_OPTS" '
                                                  f'> {q(str(h.out))}/called\n'})
        r = run('kafka/format.sh', h.kafka.install, h.kafka.props, 'id', h.kafka.meta,
                h.kafka.env, SERVICE_USER)
        assert (r.returncode, r.stdout) == (0, 'formatted\n'), r.stderr
        uid = str(pwd.getpwnam(SERVICE_USER).pw_uid)
        assert h.sourced_by() == uid
        assert (h.out / 'called').read_text() == f'{uid}|hostile|-Xmx256m\n'

    def test_a_failed_format_fails_with_its_output(self, run, kafka):
        kafka.distribution({'kafka-storage.sh': 'echo "Invalid cluster.id" >&2; exit 1\n'})
        kafka.config.mkdir()
        kafka.env.write_text('')
        r = run('kafka/format.sh', kafka.install, kafka.props, 'bad', kafka.meta, kafka.env, '')
        assert r.returncode == 1
        assert r.stdout == 'Invalid cluster.id\n'


class HostileEnv:
    """A node whose kafka-env.sh the service user rewrote (as an older zkctl left it: the
    service's) to record who sources it: the uid lands in `out`/sourced-by."""

    def __init__(self, root: Path):
        self.kafka = Layout(root)
        self.out = root / 'out'
        self.out.mkdir()
        service_owned(self.out)
        self.kafka.config.mkdir(parents=True)
        self.kafka.env.write_text(f'id -u > {q(str(self.out))}/sourced-by\nMARK=hostile\n')
        service_owned(self.kafka.env)

    def sourced_by(self) -> str:
        return (self.out / 'sourced-by').read_text().strip()


def start_script(kafka: Layout) -> str:
    """kafka-server-start.sh -daemon PROPS: a background fake JVM named for PROPS."""
    return (f'echo "$1|$MARK" > {q(str(kafka.root))}/called\n'
            + fake_jvm('kafka.Kafka', '"$2"', kafka.root / 'up'))


class TestStartStop:
    def test_start_pid_stop(self, run, kafka):
        kafka.distribution({'kafka-server-start.sh': start_script(kafka)})
        kafka.config.mkdir()
        kafka.env.write_text('MARK=from-env\n')
        r = run('kafka/start.sh', kafka.install, kafka.props, kafka.env, '')
        assert r.returncode == 0, r.stderr
        pid = int(facts(r.stdout)['pid'][0])
        try:
            assert (kafka.root / 'called').read_text() == '-daemon|from-env\n'
            assert run('kafka/pid.sh', kafka.props).stdout == f'pid={pid}\n'
            (kafka.root / 'called').unlink()
            r = run('kafka/start.sh', kafka.install, kafka.props, kafka.env, '')
            assert (r.returncode, r.stdout) == (0, f'pid={pid}\n')
            assert not (kafka.root / 'called').exists()  # running: not started twice
            r = run('kafka/stop.sh', kafka.props, 5)
            assert (r.returncode, r.stdout) == (0, 'stopped\n')
            assert run('kafka/pid.sh', kafka.props).stdout == ''
            assert run('kafka/stop.sh', kafka.props, 5).stdout == 'none\n'
        finally:  # the fake JVM this test started, if the stop did not end it
            cmdline = Path(f'/proc/{pid}/cmdline')
            if cmdline.exists() and str(kafka.props).encode() in cmdline.read_bytes():
                os.kill(pid, signal.SIGKILL)

    @needs_root
    def test_the_env_file_is_sourced_by_the_service_user_never_by_root(self, run, shared_dir):
        h = HostileEnv(shared_dir)
        h.kafka.distribution({'kafka-server-start.sh':
                              f'echo "$(id -u)|$MARK" > {q(str(h.out))}/called\n'
                              + fake_jvm('kafka.Kafka', '"$2"', h.out / 'up')})
        r = run('kafka/start.sh', h.kafka.install, h.kafka.props, h.kafka.env, SERVICE_USER)
        pid = facts(r.stdout).get('pid', ['0'])[0]
        try:
            assert r.returncode == 0, r.stderr
            uid = str(pwd.getpwnam(SERVICE_USER).pw_uid)
            assert h.sourced_by() == uid
            assert (h.out / 'called').read_text() == f'{uid}|hostile\n'
        finally:
            if pid != '0':
                os.kill(int(pid), signal.SIGKILL)

    def test_stop_leaves_other_nodes_alone(self, run, kafka, procs):
        other = procs.start('kafka.Kafka', str(kafka.props) + '2')
        assert run('kafka/stop.sh', kafka.props, 1).stdout == 'none\n'
        assert other.poll() is None

    def test_stop_kills_after_the_grace(self, run_inline, kafka, procs):
        node = procs.start('kafka.Kafka', str(kafka.props), ignore_term=True)
        t0 = time.time()
        r = run_inline('kafka/stop.sh', kafka.props, 1)
        assert (r.returncode, r.stdout) == (0, 'stopped\n')
        assert time.time() - t0 > 0.9  # the grace was given (no upper bound: load varies)
        assert node.wait(5) == -signal.SIGKILL

    def test_start_failure_is_reported(self, run, kafka):
        kafka.distribution({'kafka-server-start.sh': 'echo "Error: no java" >&2; exit 1\n'})
        kafka.config.mkdir()
        kafka.env.write_text('')
        r = run('kafka/start.sh', kafka.install, kafka.props, kafka.env, '')
        assert r.returncode == 1
        assert r.stdout.splitlines()[-1] == 'Error: no java'


def test_quorum_passes_install_and_bootstrap(run, kafka):
    kafka.distribution({'kafka-metadata-quorum.sh': 'echo "$KAFKA_HEAP_OPTS $*"; echo err >&2\n'})
    r = run('kafka/quorum.sh', kafka.install, 'h1:9092,h2:9092')
    assert r.returncode == 0
    assert r.stdout == '-Xmx128m --bootstrap-server h1:9092,h2:9092 describe --status\nerr\n'


def test_quorum_passes_the_client_config_when_given(run, kafka):
    kafka.distribution({'kafka-metadata-quorum.sh': 'echo "$*"\n'})
    r = run('kafka/quorum.sh', kafka.install, 'h1:9094', '/opt/kafka/config/tls/admin.properties')
    assert r.stdout == ('--bootstrap-server h1:9094 --command-config '
                        '/opt/kafka/config/tls/admin.properties describe --status\n')


SCRAM_FAKE = ('echo "$KAFKA_HEAP_OPTS $*"\n'
              'for a; do case $prev in --add-config-file) '
              'echo "file mode $(stat -c %a "$a"): $(cat "$a")";; esac; prev=$a; done\n')


def test_scram_upsert_reads_the_password_from_the_file_and_removes_it(run, kafka, tmp_path):
    kafka.distribution({'kafka-configs.sh': SCRAM_FAKE})
    pw = tmp_path / 'pw'
    pw.write_text('s3cret=x')
    r = run('kafka/scram.sh', kafka.install, 'h1:9094', '/c/admin.properties', 'upsert', 'alice',
            str(pw))
    assert r.returncode == 0, r.stderr
    assert ('--bootstrap-server h1:9094 --command-config /c/admin.properties --entity-type users '
            '--entity-name alice --alter --add-config-file') in r.stdout
    assert 'file mode 600: SCRAM-SHA-512=iterations=8192,password=s3cret=x' in r.stdout
    assert 's3cret' not in r.stdout.split('file mode')[0]  # never on the command line
    assert not pw.exists()


def test_scram_upsert_removes_the_password_file_when_kafka_configs_fails(run, kafka, tmp_path):
    kafka.distribution({'kafka-configs.sh': 'echo refused; exit 1\n'})
    pw = tmp_path / 'pw'
    pw.write_text('s3cret')
    r = run('kafka/scram.sh', kafka.install, 'h1:9094', '/c', 'upsert', 'alice', str(pw))
    assert r.returncode == 1 and 'refused' in r.stdout
    assert not pw.exists()


def test_scram_list_describes_every_user(run, kafka):
    kafka.distribution({'kafka-configs.sh': 'echo "$*"\n'})
    r = run('kafka/scram.sh', kafka.install, 'h1:9094', '/c', 'list')
    assert r.stdout == ('--bootstrap-server h1:9094 --command-config /c --entity-type users '
                        '--describe\n')


def test_scram_delete_deletes_the_mechanism(run, kafka):
    kafka.distribution({'kafka-configs.sh': 'echo "$*"\n'})
    r = run('kafka/scram.sh', kafka.install, 'h1:9094', '/c', 'delete', 'bob')
    assert r.stdout.strip().endswith('--entity-name bob --alter --delete-config SCRAM-SHA-512')


def test_reload_tls_sets_each_listeners_stores_to_the_same_files_through_a_config_file(
        run, kafka, tmp_path):
    kafka.distribution({'kafka-configs.sh': SCRAM_FAKE})
    r = run('kafka/reload-tls.sh', kafka.install, 'h1:9094', '/c/admin.properties', '11',
            '/c/tls/node.pem', '/c/tls/ca.pem', 'client', 'internal')
    assert r.returncode == 0, r.stderr
    assert ('--bootstrap-server h1:9094 --command-config /c/admin.properties --entity-type brokers '
            '--entity-name 11 --alter --add-config-file') in r.stdout
    assert ('file mode 600: listener.name.client.ssl.keystore.location=/c/tls/node.pem\n'
            'listener.name.client.ssl.truststore.location=/c/tls/ca.pem\n'
            'listener.name.internal.ssl.keystore.location=/c/tls/node.pem\n'
            'listener.name.internal.ssl.truststore.location=/c/tls/ca.pem\n') in r.stdout


def test_reload_tls_fails_with_kafka_configs_and_leaves_no_file(run, kafka, tmp_path):
    kafka.distribution({'kafka-configs.sh': 'echo "kept ${11}"; echo refused; exit 1\n'})
    r = run('kafka/reload-tls.sh', kafka.install, 'h1:9094', '/c', '11', '/k', '/t', 'internal')
    assert r.returncode == 1 and 'refused' in r.stdout
    kept = r.stdout.split()[1]
    assert kept.startswith('/'), r.stdout
    assert not os.path.exists(kept)

SS_FAKE = ('echo "$*" >> ss.args\n'
           'case "$*" in\n'
           '  *":9092 )"*) printf "ESTAB 0 0 10.0.0.1:9092 10.0.0.9:50001\\n'
           'ESTAB 0 0 10.0.0.1:9092 10.0.0.9:50002\\n" ;;\n'
           '  *) ;;\n'
           'esac\n')


def test_connections_counts_established_per_port(run):
    run.fake('ss', SS_FAKE)
    r = run('kafka/connections.sh', '9092', '9095')
    assert r.returncode == 0, r.stderr
    assert r.stdout == '9092 2\n9095 0\n'
    args = (run.cwd / 'ss.args').read_text().splitlines()
    assert args == ['-Htn state established ( sport = :9092 )',
                    '-Htn state established ( sport = :9095 )']


def test_connections_refuses_a_word_that_is_no_port(run):
    run.fake('ss', SS_FAKE)
    r = run('kafka/connections.sh', '9092', '1;touch PWNED')
    assert r.returncode == 2
    assert 'not a port' in r.stderr


# ---- quorum changes (#15, KIP-853) ------------------------------------------------------

def test_format_passes_the_quorum_arguments_on(run, kafka):
    kafka.distribution({'kafka-storage.sh': f'printf "%s|" "$@" > {q(str(kafka.root))}/called\n'})
    kafka.config.mkdir()
    kafka.env.write_text('')
    r = run('kafka/format.sh', kafka.install, kafka.props, 'cid', kafka.meta, kafka.env, '',
            '--initial-controllers', '1@h 1:9093:AAAAAAAAAAAAAAAAAAAAAQ,2@h2:9093:BBB')
    assert (r.returncode, r.stdout) == (0, 'formatted\n'), r.stderr
    assert (kafka.root / 'called').read_text() == (
        f'format|--cluster-id=cid|-c|{kafka.props}|--initial-controllers|'
        '1@h 1:9093:AAAAAAAAAAAAAAAAAAAAAQ,2@h2:9093:BBB|')


QUORUM_FAKE = 'echo "$KAFKA_HEAP_OPTS $*"; echo err >&2\n'


@pytest.mark.parametrize('action,tail', [('status', 'describe --status'),
                                         ('replication', 'describe --replication')])
def test_quorum_admin_describes_through_the_controllers(run, kafka, action, tail):
    kafka.distribution({'kafka-metadata-quorum.sh': QUORUM_FAKE})
    r = run('kafka/quorum-admin.sh', kafka.install, 'h1:9093,h2:9093', '', action)
    assert (r.returncode, r.stdout) == (0, f'-Xmx128m --bootstrap-controller h1:9093,h2:9093 {tail}\nerr\n')
    r = run('kafka/quorum-admin.sh', kafka.install, 'h1:9093', '/c/admin.properties', action)
    assert r.stdout == f'-Xmx128m --bootstrap-controller h1:9093 --command-config /c/admin.properties {tail}\nerr\n'


def test_quorum_admin_features(run, kafka):
    kafka.distribution({'kafka-features.sh': QUORUM_FAKE})
    r = run('kafka/quorum-admin.sh', kafka.install, 'h1:9093', '', 'features')
    assert r.stdout == '-Xmx128m --bootstrap-controller h1:9093 describe\nerr\n'


def test_quorum_admin_remove_passes_id_and_directory(run, kafka):
    kafka.distribution({'kafka-metadata-quorum.sh': 'echo "$*"; exit 3\n'})
    r = run('kafka/quorum-admin.sh', kafka.install, 'h1:9093', '', 'remove', '4', 'DIR-4')
    assert r.returncode == 3
    assert r.stdout == ('--bootstrap-controller h1:9093 remove-controller --controller-id 4 '
                        '--controller-directory-id DIR-4\n')


def test_quorum_admin_add_joins_the_nodes_config_and_the_client_config_then_removes_it(
        run, kafka, tmp_path):
    kafka.distribution({'kafka-metadata-quorum.sh':
                        'for a; do case $prev in --command-config) echo "mode $(stat -c %a "$a")";'
                        ' cat "$a"; echo "$a" > ' + q(str(tmp_path / 'path')) + ';; esac;'
                        ' prev=$a; done; echo "last $a"\n'})
    props = tmp_path / 'server.properties'
    props.write_text('node.id=4\nssl.keystore.location=node.pem')  # no final newline
    client = tmp_path / 'admin.properties'
    client.write_text('ssl.keystore.location=admin.pem\n')
    r = run('kafka/quorum-admin.sh', kafka.install, 'h1:9093', str(client), 'add', str(props))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ('mode 600\nnode.id=4\nssl.keystore.location=node.pem\n'
                        'ssl.keystore.location=admin.pem\nlast add-controller\n')
    assert not Path((tmp_path / 'path').read_text().strip()).exists()


def test_quorum_admin_refuses_an_unknown_action(run, kafka):
    kafka.distribution({})
    r = run('kafka/quorum-admin.sh', kafka.install, 'h1:9093', '', 'drop')
    assert r.returncode == 2 and 'unknown action' in r.stderr


class TestFeatures:
    """kafka/features.sh: kafka-features.sh describe, or upgrade --metadata LEVEL."""

    TOOL = {'kafka-features.sh': 'echo "$KAFKA_HEAP_OPTS $*"; echo err >&2\n'}

    def test_describes_through_the_bootstrap(self, run, kafka):
        kafka.distribution(self.TOOL)
        r = run('kafka/features.sh', kafka.install, 'h1:9092,h2:9092', '')
        assert r.returncode == 0, r.stderr
        assert r.stdout == '-Xmx128m --bootstrap-server h1:9092,h2:9092 describe\nerr\n'

    def test_upgrades_the_metadata_version_with_the_client_config(self, run, kafka):
        kafka.distribution(self.TOOL)
        r = run('kafka/features.sh', kafka.install, 'h1:9092', '/c/admin.properties', '4.4')
        assert r.returncode == 0, r.stderr
        assert r.stdout == ('-Xmx128m --bootstrap-server h1:9092 --command-config '
                            '/c/admin.properties upgrade --metadata 4.4\nerr\n')

    def test_the_tools_exit_status_is_kept(self, run, kafka):
        kafka.distribution({'kafka-features.sh': 'echo no; exit 3\n'})
        r = run('kafka/features.sh', kafka.install, 'h1:9092', '', '4.4')
        assert r.returncode == 3 and r.stdout == 'no\n'


class TestZkAclsOpen:
    """kafka/zk-acls-open.sh: zookeeper-security-migration.sh --zookeeper.acl=unsecure over
    TLS as the node's identity, its TLS settings in a root-only temp file removed after, then
    the ACL of /brokers/ids read back with zookeeper-shell.sh getAcl and required open."""

    # zookeeper-shell.sh getAcl as Kafka 3.9 prints it (ZooKeeper's client noise first).
    SHELL_NOISE = ('echo "Connecting to $1"; echo; echo "WATCHER::"; echo; '
                   'echo "WatchedEvent state:SyncConnected type:None path:null"; ')
    OPEN = SHELL_NOISE + "printf '%s\\n' \"'world,'anyone\" ': cdrwa'\n"
    SECURED = SHELL_NOISE + ("printf '%s\\n' \"'x509,'CN=kafka%2CO=zkctl\" ': cdrwa' "
                             "\"'world,'anyone\" ': r'\n")

    def test_runs_the_tool_over_tls_then_reads_the_acl_back(self, run, kafka, tmp_path):
        seen = tmp_path / 'seen'
        shell_seen = tmp_path / 'shell'
        kafka.distribution({
            'zookeeper-security-migration.sh':
                'echo "$KAFKA_HEAP_OPTS $*"; for a; do case $a in '
                '--zk-tls-config-file=*) f=${a#*=}; stat -c %a "$f"; cat "$f";'
                ' echo "$f" > ' + q(str(seen)) + ';; esac; done; echo err >&2\n',
            'zookeeper-shell.sh':
                'echo "$KAFKA_HEAP_OPTS $*" > ' + q(str(shell_seen)) + '; cat "$3" >> '
                + q(str(shell_seen)) + '; ' + self.OPEN})
        r = run('kafka/zk-acls-open.sh', kafka.install, 'z1:2181,z2:2181/kafka',
                '/tls/node.pem', '/tls/ca.pem')
        assert r.returncode == 0, r.stdout + r.stderr
        lines = r.stdout.splitlines()
        assert lines[0].startswith('-Xmx128m --zookeeper.acl=unsecure '
                                   '--zookeeper.connect=z1:2181,z2:2181/kafka --zk-tls-config-file=')
        settings = ['zookeeper.ssl.client.enable=true',
                    'zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty',
                    'zookeeper.ssl.keystore.type=PEM',
                    'zookeeper.ssl.keystore.location=/tls/node.pem',
                    'zookeeper.ssl.truststore.type=PEM',
                    'zookeeper.ssl.truststore.location=/tls/ca.pem']
        assert lines[1:] == ['600', *settings, 'err', 'acl /brokers/ids: world:anyone:cdrwa']
        assert not Path(seen.read_text().strip()).exists()
        shell = shell_seen.read_text().splitlines()
        assert shell[0].startswith('-Xmx128m z1:2181,z2:2181/kafka -zk-tls-config-file ')
        assert shell[0].endswith(' getAcl /brokers/ids')
        assert shell[1:] == settings  # the same TLS settings as the migration tool's

    def test_a_znode_still_secured_fails_naming_its_acl(self, run, kafka):
        kafka.distribution({'zookeeper-security-migration.sh': 'echo migrated\n',
                            'zookeeper-shell.sh': self.SECURED})
        r = run('kafka/zk-acls-open.sh', kafka.install, 'z1:2181/kafka', '/k.pem', '/ca.pem')
        assert r.returncode == 1
        lines = r.stdout.splitlines()
        assert lines[0] == 'migrated'
        assert lines[-2] == 'acl /brokers/ids: x509:CN=kafka%2CO=zkctl:cdrwa world:anyone:r'
        assert lines[-1] == ("Kafka's znodes not open after zookeeper-security-migration.sh: "
                             '/brokers/ids has x509:CN=kafka%2CO=zkctl:cdrwa world:anyone:r, '
                             'not world:anyone:cdrwa')

    def test_an_unreadable_acl_fails_with_the_shells_last_line(self, run, kafka):
        kafka.distribution({'zookeeper-security-migration.sh': 'echo migrated\n',
                            'zookeeper-shell.sh': self.SHELL_NOISE +
                            'echo "Node does not exist: /brokers/ids" >&2; exit 1\n'})
        r = run('kafka/zk-acls-open.sh', kafka.install, 'z1:2181/kafka', '/k.pem', '/ca.pem')
        assert r.returncode == 1
        assert r.stdout.splitlines()[-1] == (
            "Kafka's znodes not confirmed open: zookeeper-shell.sh getAcl /brokers/ids (exit 1) "
            'printed no ACL: Node does not exist: /brokers/ids')

    def test_the_tools_exit_status_is_kept_and_nothing_is_read_back(self, run, kafka, tmp_path):
        asked = tmp_path / 'asked'
        kafka.distribution({'zookeeper-security-migration.sh': 'echo denied; exit 3\n',
                            'zookeeper-shell.sh': 'touch ' + q(str(asked)) + '\n'})
        r = run('kafka/zk-acls-open.sh', kafka.install, 'z1:2181/kafka', '/k.pem', '/ca.pem')
        assert r.returncode == 3 and r.stdout == 'denied\n'
        assert not asked.exists()
