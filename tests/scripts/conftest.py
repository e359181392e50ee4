"""Shared pieces of the remote-script tests: run a script of remote-scripts/ locally with
/bin/sh (dash on Debian, as on the hosts), in its embedded form (exactly the text zkctl
sends: `sh -c TEXT zkctl ARG...`) and as the file itself; fake commands on PATH; fake
service processes whose command line the test chooses, killed by the test that started
them. No host, no network."""

import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from shlex import quote as q

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / 'remote-scripts'
EMBEDDER = ROOT / 'src' / 'remote' / 'embed_scripts.py'
SH = '/bin/sh'

# A file path with the characters that break careless quoting.
ODD = "dir with 'quotes' \"and\" $(touch PWNED) `x` *"


@functools.cache
def embedded(name: str) -> str:
    """The text a host runs for script `name` (lib.sh helpers inlined)."""
    out = subprocess.run([sys.executable, str(EMBEDDER), '--root', str(SCRIPTS), '--print', name],
                         check=True, capture_output=True, text=True)
    return out.stdout


class Runner:
    """Runs scripts in one form ('inline' or 'file') with `bin_dir` first on PATH."""

    def __init__(self, form: str, bin_dir: Path, cwd: Path):
        self.form = form
        self.bin_dir = bin_dir
        self.cwd = cwd

    def __call__(self, name: str, *args, env: dict | None = None, stdin: str | None = None,
                 timeout: float = 60) -> subprocess.CompletedProcess:
        e = dict(os.environ)
        e['PATH'] = f'{self.bin_dir}:{e["PATH"]}'
        e.update(env or {})
        if self.form == 'inline':
            argv = [SH, '-c', embedded(name), 'zkctl', *map(str, args)]
        else:
            argv = [SH, str(SCRIPTS / name), *map(str, args)]
        return subprocess.run(argv, env=e, cwd=self.cwd, input=stdin, capture_output=True,
                              text=True, timeout=timeout)

    def fake(self, command: str, body: str) -> Path:
        """Put an executable `command` (a sh script with `body`) first on PATH."""
        path = self.bin_dir / command
        path.write_text('#!/bin/sh\n' + textwrap.dedent(body))
        path.chmod(0o755)
        return path


@pytest.fixture(params=['inline', 'file'])
def run(request, tmp_path) -> Runner:
    """Both forms: what zkctl sends, and the file as shellcheck sees it."""
    bin_dir = tmp_path / 'fake-bin'
    bin_dir.mkdir()
    cwd = tmp_path / 'cwd'
    cwd.mkdir()
    yield Runner(request.param, bin_dir, cwd)
    assert not list(cwd.rglob('PWNED')), 'a value was executed as shell code'


@pytest.fixture
def run_inline(tmp_path) -> Runner:
    """The embedded form only (for the slow cases)."""
    bin_dir = tmp_path / 'fake-bin'
    bin_dir.mkdir()
    cwd = tmp_path / 'cwd'
    cwd.mkdir()
    return Runner('inline', bin_dir, cwd)


def fake_jvm(main: str, config: str, up: Path) -> str:
    """Shell that starts, in its own session and ignoring SIGHUP, a fake JVM whose command line
    is `python3 -c CODE MAIN CONFIG` (`config` is shell text, e.g. "$2"), then waits until it
    runs (it creates `up`). Without the wait a script's next look could fall in the window of
    setsid's exec of python3, where the kernel shows an empty /proc/PID/cmdline (seen: the
    pid.sh right after start.sh found nothing, under load)."""
    code = ('import os, signal, time; signal.signal(signal.SIGHUP, signal.SIG_IGN); '
            'open(os.environ[\'ZKCTL_FAKE_UP\'], \'w\').close(); time.sleep(600)')
    return (f'ZKCTL_FAKE_UP={q(str(up))} setsid python3 -c "{code}" {main} {config} '
            '</dev/null >/dev/null 2>&1 &\n'
            f'while [ ! -e {q(str(up))} ]; do sleep 0.02; done\n')


# A process that sleeps, after saying it is ready; with "ignore" it survives SIGTERM.
_SLEEPER = ('import signal, sys, time\n'
            'if sys.argv[1] == "ignore":\n'
            '    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n'
            'print("ready", flush=True)\n'
            'time.sleep(600)\n')


class Processes:
    """Fake service processes started by one test; the test's teardown kills exactly these."""

    def __init__(self):
        self.started: list[subprocess.Popen] = []

    def start(self, *words: str, ignore_term: bool = False) -> subprocess.Popen:
        """A process whose command line ends with `words` (e.g. 'kafka.Kafka', PROPS)."""
        p = subprocess.Popen([sys.executable, '-c', _SLEEPER,
                              'ignore' if ignore_term else 'default', *words],
                             stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.started.append(p)
        if p.stdout.readline() != b'ready\n':
            raise RuntimeError('fake process did not start')
        return p

    def gone(self, p: subprocess.Popen) -> bool:
        """True once `p` has exited (a zombie counts: its parent, this test, reaps it)."""
        try:
            state = Path(f'/proc/{p.pid}/stat').read_text().rsplit(')', 1)[1].split()[0]
        except OSError:
            return True
        return state == 'Z'

    def stop_all(self):
        for p in self.started:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
            p.wait()
            p.stdout.close()


@pytest.fixture
def odd_dir(tmp_path) -> Path:
    """A fresh directory under tmp_path whose name has awkward characters (ODD)."""
    d = tmp_path / ODD
    d.mkdir()
    return d


@pytest.fixture
def procs():
    ps = Processes()
    yield ps
    ps.stop_all()


def dead_pid() -> int:
    """A PID no process has right now (a child that has exited and been reaped)."""
    p = subprocess.Popen(['true'])
    p.wait()
    return p.pid


def lines(text: str) -> list[str]:
    return text.splitlines()


def facts(text: str) -> dict[str, list[str]]:
    """`key=value` lines as key -> [values] (keys may repeat)."""
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        k, sep, v = line.partition('=')
        if sep:
            out.setdefault(k, []).append(v)
    return out


def is_root() -> bool:
    return os.geteuid() == 0


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason='needs root (switching users)')


def have(command: str) -> bool:
    return shutil.which(command) is not None


# The hostile service account of the privilege tests: a user other than root.
SERVICE_USER = 'nobody'


@pytest.fixture
def shared_dir():
    """A fresh dir under /tmp that every user can traverse (pytest's own tmp dirs are 0700),
    for tests where the service user must reach files; removed after the test."""
    d = Path(tempfile.mkdtemp(prefix='zkctl-svc-', dir='/tmp'))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d)


def root_only(path: Path, content: str) -> Path:
    """A file only root can read or write (what a planted link must never reach)."""
    path.write_text(content)
    path.chmod(0o600)
    return path


def service_owned(path: Path) -> Path:
    """Give `path` to SERVICE_USER (and its group), as deploy gives it the data dir."""
    import pwd
    u = pwd.getpwnam(SERVICE_USER)
    os.chown(path, u.pw_uid, u.pw_gid)
    return path
