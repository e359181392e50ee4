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


def info(token: str) -> str:
    return (f'holder=me@here\nmachine=m1\npid=1\nsince=2026-01-01T00:00:00Z\ncommand=deploy\n'
            f'token={token}')


class TestLock:
    """The lock lives in a root-only dir (ROOT, else FALLBACK), is built whole and renamed
    into place, expires by the host's own clock, and is renewed and released by its token."""

    @pytest.fixture
    def roots(self, tmp_path):
        base = tmp_path / ODD
        (base / 'run').mkdir(parents=True)
        (base / 'var').mkdir()
        return base / 'run' / 'zkctl', base / 'var' / 'zkctl'

    def take(self, run, roots, token, ttl=100):
        return run('cluster/lock-take.sh', roots[0], roots[1], 'zkctl-prod.lock', token, ttl,
                   info(token))

    def test_take_hold_renew_release(self, run, roots):
        lock = roots[0] / 'zkctl-prod.lock'
        before = int(time.time())
        r = self.take(run, roots, 'aaa')
        assert (r.returncode, r.stdout) == (0, f'lock={lock}\ntaken\n'), r.stderr
        assert roots[0].stat().st_mode & 0o777 == 0o700
        assert [p.name for p in roots[0].iterdir()] == ['zkctl-prod.lock']  # no temp left
        assert [p.name for p in lock.iterdir()] == ['info']
        text = (lock / 'info').read_text()
        assert text.startswith(info('aaa') + '\nexpires=')
        expires = int(text.split('expires=')[1])
        assert before + 100 <= expires <= int(time.time()) + 100  # this host's clock + TTL
        r = self.take(run, roots, 'bbb')
        assert r.stdout == f'lock={lock}\nheld\n{text}stale=no\n'
        assert run('cluster/lock-renew.sh', lock, 'bbb', 500).stdout == 'lost\n'  # not ours
        assert (lock / 'info').read_text() == text
        assert run('cluster/lock-renew.sh', lock, 'aaa', 500).stdout == 'renewed\n'
        renewed = (lock / 'info').read_text()
        assert renewed.startswith(info('aaa') + '\nexpires=')
        assert int(renewed.split('expires=')[1]) >= expires + 390
        run('cluster/lock-release.sh', lock, 'bbb')  # not ours: stays
        assert lock.exists()
        run('cluster/lock-steal.sh', lock, 'bbb')  # not the token judged stale: stays
        assert lock.exists()
        assert run('cluster/lock-release.sh', lock, 'aaa').returncode == 0
        assert not lock.exists() and list(roots[0].iterdir()) == []
        assert run('cluster/lock-release.sh', lock, 'aaa').returncode == 0  # gone: fine
        assert run('cluster/lock-renew.sh', lock, 'aaa', 500).stdout == 'lost\n'

    def test_without_a_writable_run_the_fallback_holds_it(self, run, roots):
        roots[0].parent.rmdir()
        r = self.take(run, roots, 'aaa')
        assert r.stdout.splitlines() == [f'lock={roots[1]}/zkctl-prod.lock', 'taken']
        assert roots[1].stat().st_mode & 0o777 == 0o700

    def test_a_loose_root_dir_is_made_private(self, run, roots):
        roots[0].mkdir(mode=0o777)
        roots[0].chmod(0o777)
        assert self.take(run, roots, 'aaa').stdout.endswith('taken\n')
        assert roots[0].stat().st_mode & 0o777 == 0o700

    def test_a_symlinked_root_is_refused(self, run, roots, tmp_path):
        (tmp_path / 'elsewhere').mkdir()
        roots[0].symlink_to(tmp_path / 'elsewhere')
        r = self.take(run, roots, 'aaa')
        assert r.returncode == 3
        assert 'cannot use' in r.stderr
        assert list((tmp_path / 'elsewhere').iterdir()) == []

    @pytest.mark.parametrize('expires', ['999', '', 'soon', '-5'])
    def test_expired_or_unreadable_expiry_is_stale(self, run, roots, expires):
        lock = roots[0] / 'zkctl-prod.lock'
        lock.mkdir(parents=True)
        (lock / 'info').write_text(f'holder=x\nexpires={expires}\ntoken=old\n')
        r = self.take(run, roots, 'new')
        assert r.stdout.splitlines()[1] == 'held'
        assert r.stdout.splitlines()[-1] == 'stale=yes'
        run('cluster/lock-steal.sh', lock, 'old')
        assert not lock.exists()

    def test_staleness_is_judged_by_this_hosts_clock(self, run, roots, tmp_path):
        lock = roots[0] / 'zkctl-prod.lock'
        lock.mkdir(parents=True)
        soon = int(time.time()) + 1000
        (lock / 'info').write_text(f'holder=x\nexpires={soon}\ntoken=old\n')
        assert self.take(run, roots, 'new').stdout.splitlines()[-1] == 'stale=no'
        run.fake('date', f'echo {soon + 1}')  # this host's clock is past the expiry
        assert self.take(run, roots, 'new').stdout.splitlines()[-1] == 'stale=yes'

    def test_a_lock_without_info_can_be_stolen(self, run, roots):
        lock = roots[0] / 'zkctl-prod.lock'
        lock.mkdir(parents=True)
        (lock / 'junk').write_text('')  # not empty: the rename cannot replace it
        r = self.take(run, roots, 'new')
        assert r.stdout == f'lock={lock}\nheld\n\nstale=yes\n'
        run('cluster/lock-steal.sh', lock, '')
        assert not lock.exists()

    def test_token_is_matched_whole_not_as_a_pattern(self, run, tmp_path):
        lock = tmp_path / 'l'
        lock.mkdir()
        (lock / 'info').write_text('token=abc\n')
        run('cluster/lock-release.sh', lock, 'ab')
        run('cluster/lock-release.sh', lock, 'a.c')  # a pattern that would match
        run('cluster/lock-release.sh', lock, 'abcd')
        run('cluster/lock-steal.sh', lock, 'a.c')
        assert lock.exists()
