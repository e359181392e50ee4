"""remote-scripts/systemd/ (with a fake systemctl) and cluster/lock-*.sh."""

import time

import pytest

from conftest import ODD

# A systemctl that logs each call to $LOG and answers from $MAINPID and $ACTIVE.
FAKE_SYSTEMCTL = '''\
echo "$*" >> "$LOG"
case $1 in
  show) echo "${MAINPID:-0}" ;;
  is-active) [ "${ACTIVE:-no}" = yes ] ;;
  start|stop|enable|disable|daemon-reload) exit "${FAIL:-0}" ;;
esac
'''


@pytest.fixture
def systemctl(run, tmp_path):
    run.fake('systemctl', FAKE_SYSTEMCTL)
    log = tmp_path / 'systemctl.log'

    def call(name, *args, **env):
        if log.exists():
            log.unlink()
        r = run(name, *args, env={'LOG': str(log), **env})
        return r, log.read_text().splitlines() if log.exists() else []
    return call


UNIT = 'zkctl-prod-zookeeper.service'


class TestSystemd:
    def test_enable(self, systemctl):
        r, calls = systemctl('systemd/enable.sh', UNIT)
        assert r.returncode == 0
        assert calls == ['daemon-reload', f'enable --quiet -- {UNIT}']
        r, calls = systemctl('systemd/enable.sh', UNIT, FAIL='1')
        assert r.returncode != 0 and calls == ['daemon-reload']

    def test_remove(self, systemctl, tmp_path):
        unit_file = tmp_path / ODD
        r, calls = systemctl('systemd/remove.sh', UNIT, unit_file)
        assert (r.stdout, calls) == ('absent\n', [])
        unit_file.write_text('[Unit]\n')
        # A unit systemd no longer knows (disable fails) still has its file removed.
        r, calls = systemctl('systemd/remove.sh', UNIT, unit_file, FAIL='1')
        assert (r.returncode, r.stdout) == (0, 'removed\n')
        assert not unit_file.exists()
        unit_file.write_text('[Unit]\n')
        r, calls = systemctl('systemd/remove.sh', UNIT, unit_file)
        assert (r.returncode, r.stdout) == (0, 'removed\n')
        assert calls == [f'disable --quiet -- {UNIT}', 'daemon-reload']

    def test_start_prints_the_main_pid(self, systemctl):
        r, calls = systemctl('systemd/start.sh', UNIT, MAINPID='4242')
        assert (r.returncode, r.stdout) == (0, 'pid=4242\n')
        assert calls[0] == f'start -- {UNIT}'

    def test_start_failure(self, systemctl):
        r, _ = systemctl('systemd/start.sh', UNIT, FAIL='1')
        assert r.returncode == 1

    def test_start_without_main_pid_fails_after_waiting(self, systemctl, run):
        if run.form == 'file':
            pytest.skip('5 s: the inline form is enough')
        t0 = time.time()
        r, _ = systemctl('systemd/start.sh', UNIT, MAINPID='0')
        assert r.returncode == 1
        assert r.stderr == f'{UNIT} has no main process after start; see journalctl -u {UNIT}\n'
        assert time.time() - t0 > 4

    def test_stop(self, systemctl):
        r, calls = systemctl('systemd/stop.sh', UNIT, ACTIVE='no')
        assert (r.stdout, calls) == ('none\n', [f'is-active --quiet -- {UNIT}'])
        r, calls = systemctl('systemd/stop.sh', UNIT, ACTIVE='yes')
        assert (r.stdout, calls[-1]) == ('stopped\n', f'stop -- {UNIT}')
        r, _ = systemctl('systemd/stop.sh', UNIT, ACTIVE='yes', FAIL='1')
        assert (r.returncode, r.stdout) == (1, '')

    def test_pid(self, systemctl):
        assert systemctl('systemd/pid.sh', UNIT, MAINPID='77')[0].stdout == 'pid=77\n'
        assert systemctl('systemd/pid.sh', UNIT, MAINPID='0')[0].stdout == ''
        assert systemctl('systemd/pid.sh', UNIT, MAINPID='')[0].stdout == ''


def info(token: str, expires: int) -> str:
    return (f'holder=me@here\npid=1\nsince=2026-01-01T00:00:00Z\ncommand=deploy\n'
            f'expires={expires}\ntoken={token}')


class TestLock:
    def take(self, run, lock, token, expires, now):
        return run('cluster/lock-take.sh', lock, token, info(token, expires), 'here', now)

    def test_take_hold_release(self, run, tmp_path):
        lock = tmp_path / ODD / 'zkctl-prod.lock'
        lock.parent.mkdir()
        r = self.take(run, lock, 'aaa', 2000, 1000)
        assert (r.returncode, r.stdout) == (0, 'taken\n')
        assert (lock / 'info').read_text() == info('aaa', 2000) + '\n'
        assert [p.name for p in lock.iterdir()] == ['info']
        r = self.take(run, lock, 'bbb', 3000, 1500)
        assert r.stdout == 'held\n' + info('aaa', 2000) + '\nstale=no\n'
        run('cluster/lock-release.sh', lock, 'bbb')  # not ours: stays
        assert lock.exists()
        run('cluster/lock-steal.sh', lock, 'bbb')  # not the token judged stale: stays
        assert lock.exists()
        assert run('cluster/lock-release.sh', lock, 'aaa').returncode == 0
        assert not lock.exists()
        assert run('cluster/lock-release.sh', lock, 'aaa').returncode == 0  # gone: fine

    @pytest.mark.parametrize('expires', ['999', '', 'soon', '-5'])
    def test_expired_or_unreadable_expiry_is_stale(self, run, tmp_path, expires):
        lock = tmp_path / 'l'
        lock.mkdir()
        (lock / 'info').write_text(f'holder=x\nexpires={expires}\ntoken=old\n')
        r = run('cluster/lock-take.sh', lock, 'new', 'token=new', 'here', 1000)
        assert r.stdout.splitlines()[0] == 'held'
        assert r.stdout.splitlines()[-1] == 'stale=yes'
        run('cluster/lock-steal.sh', lock, 'old')
        assert not lock.exists()

    def test_a_lock_without_info_can_be_stolen(self, run, tmp_path):
        lock = tmp_path / 'l'
        lock.mkdir()
        r = run('cluster/lock-take.sh', lock, 'new', 'token=new', 'here', 1000)
        assert r.stdout == 'held\n\nstale=yes\n'
        run('cluster/lock-steal.sh', lock, '')
        assert not lock.exists()

    def test_a_lock_where_no_dir_can_be_made_is_not_taken(self, run, tmp_path):
        (tmp_path / 'file').write_text('')
        r = run('cluster/lock-take.sh', tmp_path / 'file' / 'l', 't', 'token=t', 'here', 1)
        assert r.stdout.splitlines()[0] == 'held'

    def test_token_is_matched_whole_not_as_a_pattern(self, run, tmp_path):
        lock = tmp_path / 'l'
        lock.mkdir()
        (lock / 'info').write_text('token=abc\n')
        run('cluster/lock-release.sh', lock, 'ab')
        run('cluster/lock-release.sh', lock, 'abcd')
        assert lock.exists()
