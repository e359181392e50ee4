"""tests/fixtures/zookeeper-dist.sh: the version argument and the 3.8.0 layout (from Debian's
packages, no network). The 3.9 tarball is built and run by the e2e suite (test_zookeeper.py)."""

import os
import re
import subprocess
import tarfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / 'tests' / 'fixtures' / 'zookeeper-dist.sh'


def build(cache: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(['bash', str(SCRIPT), *args], capture_output=True, text=True,
                          env=dict(os.environ, ZKCTL_CACHE=str(cache)), timeout=300,
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize('arg', ['3.7', '4', '3.9.x', 'latest'])
def test_an_unsupported_version_is_refused(tmp_path, arg):
    r = build(tmp_path, arg)
    assert r.returncode == 1
    assert f"unsupported version '{arg}'" in r.stderr
    assert not list(tmp_path.glob('*.tar.gz'))


@pytest.mark.skipif(not Path('/usr/share/java/zookeeper.jar').exists(),
                    reason="Debian's zookeeper packages are not installed (scripts/setup.sh)")
@pytest.mark.parametrize('args', [(), ('3.8',)])
def test_no_argument_or_3_8_is_3_8_0_with_log4j(tmp_path, args):
    r = build(tmp_path, *args)
    assert r.returncode == 0, r.stderr
    out = Path(r.stdout.strip().splitlines()[-1])
    assert out == tmp_path / 'apache-zookeeper-3.8.0-bin.tar.gz'
    with tarfile.open(out) as tar:
        names = set(tar.getnames())
        env = tar.extractfile('apache-zookeeper-3.8.0-bin/bin/zkEnv.sh').read().decode()
    top = 'apache-zookeeper-3.8.0-bin'
    for f in ('bin/zkServer.sh', 'bin/zkEnv.sh', 'bin/zkCli.sh', 'bin/zkCleanup.sh',
              'conf/zoo_sample.cfg', 'conf/log4j.properties', 'lib/zookeeper-3.8.0.jar'):
        assert f'{top}/{f}' in names, f
    assert f'{top}/conf/logback.xml' not in names
    assert '-Dzookeeper.root.logger=${ZOO_LOG4J_PROP} $SERVER_JVMFLAGS' in env
    assert not re.search(r'@[A-Z_]+@', env)  # every placeholder substituted
    again = build(tmp_path, *args)  # cached: the same file, not rebuilt
    assert again.returncode == 0 and 'built' not in again.stderr
