"""remote-scripts/metrics/: the Kafka metrics agent's TLS keystore built from node.pem."""

import os
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import ODD, SERVICE_USER, needs_root


def node_pem(path: Path, cn: str = 'kafka') -> Path:
    """A key then its self-signed certificate, like zkctl's node.pem."""
    key, cert = path.parent / 'k.pem', path.parent / 'c.pem'
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                    'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
                    '-subj', f'/CN={cn}'], check=True, capture_output=True)
    path.write_text(key.read_text() + cert.read_text())
    return path


def subject(store: Path) -> str:
    r = subprocess.run(['openssl', 'pkcs12', '-in', store, '-passin', 'pass:zkctl', '-nokeys',
                        '-clcerts'], capture_output=True, text=True, check=True)
    return r.stdout


@pytest.fixture
def tls(tmp_path) -> Path:
    d = tmp_path / ODD / 'config' / 'tls'
    d.mkdir(parents=True)
    return d


@needs_root
def test_builds_once_then_again_only_when_node_pem_changes(run, tls):
    pem = node_pem(tls / 'node.pem')
    store = tls / 'metrics.p12'
    r = run('metrics/keystore.sh', pem, store, SERVICE_USER)
    assert r.returncode == 0, r.stderr
    assert r.stdout == f'built {store}\n'
    assert 'CN = kafka' in subject(store) and 'friendlyName: node' in subject(store)
    st = store.stat()
    assert stat.S_IMODE(st.st_mode) == 0o640 and st.st_uid == 0
    assert st.st_gid == int(subprocess.run(['id', '-g', SERVICE_USER], capture_output=True,
                                           text=True).stdout)
    again = run('metrics/keystore.sh', pem, store, SERVICE_USER)
    assert again.stdout == f'current {store}\n'
    assert store.stat().st_mtime_ns == st.st_mtime_ns
    node_pem(pem, cn='renewed')
    renewed = run('metrics/keystore.sh', pem, store, SERVICE_USER)
    assert renewed.stdout == f'built {store}\n' and 'CN = renewed' in subject(store)
    assert not list(tls.glob('.*zkctl-tmp*'))


def test_refuses_a_missing_node_pem_and_a_host_without_openssl(run, tls, tmp_path):
    r = run('metrics/keystore.sh', tls / 'node.pem', tls / 'metrics.p12', SERVICE_USER)
    assert r.returncode == 1 and 'node.pem missing' in r.stderr
    node_pem(tls / 'node.pem')
    # PATH with only what the script needs before openssl.
    bare = tmp_path / 'bare'
    bare.mkdir()
    for tool in ('sh', 'cat'):
        os.symlink(subprocess.run(['which', tool], capture_output=True, text=True).stdout.strip(),
                   bare / tool)
    r = run('metrics/keystore.sh', tls / 'node.pem', tls / 'metrics.p12', SERVICE_USER,
            env={'PATH': str(bare)})
    assert r.returncode == 1 and 'openssl is not installed' in r.stderr
    assert not (tls / 'metrics.p12').exists()
