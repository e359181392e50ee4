"""remote-scripts/kafka/reassign.sh: the reassignment tools' command lines, against a fake
distribution whose tools print their arguments."""

from pathlib import Path

import pytest

from conftest import ODD

ECHO = 'echo "$KAFKA_HEAP_OPTS $*"; echo warn >&2\n'
TOOLS = ('kafka-reassign-partitions.sh', 'kafka-log-dirs.sh', 'kafka-leader-election.sh')


@pytest.fixture
def install(tmp_path) -> Path:
    """An install dir whose current/bin holds the three tools, each printing its arguments."""
    root = tmp_path / ODD / 'opt kafka'
    bin_dir = root / 'releases' / 'a' / 'bin'
    bin_dir.mkdir(parents=True)
    (root / 'current').symlink_to('releases/a')
    for name in TOOLS:
        (bin_dir / name).write_text('#!/bin/sh\n' + ECHO)
        (bin_dir / name).chmod(0o755)
    return root


def test_execute_passes_the_plan_file_and_the_throttle(run, install):
    r = run('kafka/reassign.sh', install, 'h1:9092,h2:9092', '', 'execute', '/x/plan.json',
            '1048576')
    assert r.returncode == 0, r.stderr
    assert r.stdout == ('-Xmx128m --bootstrap-server h1:9092,h2:9092 --reassignment-json-file '
                        '/x/plan.json --execute --throttle 1048576\nwarn\n')


def test_additional_resubmits_over_the_reassignment_under_way(run, install):
    r = run('kafka/reassign.sh', install, 'h1:9094', '/c/admin.properties', 'additional',
            '/x/plan.json', '500')
    assert r.stdout.splitlines()[0] == (
        '-Xmx128m --bootstrap-server h1:9094 --command-config /c/admin.properties '
        '--reassignment-json-file /x/plan.json --execute --additional --throttle 500')


def test_verify_sizes_and_elect(run, install):
    r = run('kafka/reassign.sh', install, 'h1:9092', '', 'verify', '/x/plan.json')
    assert r.stdout.splitlines()[0].endswith('--reassignment-json-file /x/plan.json --verify')
    r = run('kafka/reassign.sh', install, 'h1:9092', '', 'sizes', '11,12')
    assert r.stdout.splitlines()[0] == '-Xmx128m --bootstrap-server h1:9092 --describe --broker-list 11,12'
    r = run('kafka/reassign.sh', install, 'h1:9092', '/c/a.properties', 'elect', '/x/elect.json')
    assert r.stdout.splitlines()[0] == (
        '-Xmx128m --bootstrap-server h1:9092 --command-config /c/a.properties '
        '--election-type PREFERRED --path-to-json-file /x/elect.json')


def test_a_hostile_value_stays_one_argument(run, install):
    (install / 'current' / 'bin' / 'kafka-log-dirs.sh').write_text(
        '#!/bin/sh\nprintf "[%s]" "$@"; echo\n')
    r = run('kafka/reassign.sh', install, 'a b;$(touch x)', '', 'sizes', '1 2')
    assert r.stdout == '[--bootstrap-server][a b;$(touch x)][--describe][--broker-list][1 2]\n'


def test_the_tools_status_is_the_scripts(run, install):
    (install / 'current' / 'bin' / 'kafka-reassign-partitions.sh').write_text(
        '#!/bin/sh\necho "Cannot execute because there is an existing partition assignment."\n'
        'exit 1\n')
    r = run('kafka/reassign.sh', install, 'h1:9092', '', 'execute', '/x/plan.json', '10')
    assert r.returncode == 1
    assert 'existing partition assignment' in r.stdout


def test_an_unknown_action_is_refused(run, install):
    r = run('kafka/reassign.sh', install, 'h1:9092', '', 'cancel', '/x/plan.json')
    assert r.returncode == 2
    assert "unknown action 'cancel'" in r.stderr
