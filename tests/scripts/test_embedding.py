"""The folder's rules and the embedder (src/remote/embed_scripts.py)."""

import re
import subprocess
import sys

import pytest

from conftest import EMBEDDER, ROOT, SCRIPTS, embedded

ALL = sorted(p.relative_to(SCRIPTS).as_posix() for p in SCRIPTS.rglob('*.sh') if p.name != 'lib.sh')


def lib_functions() -> list[str]:
    return re.findall(r'^([a-z_]+)\(\) \{$', (SCRIPTS / 'lib.sh').read_text(), re.M)


@pytest.mark.parametrize('name', ALL)
def test_every_script_is_posix_sh_documented_and_listed(name):
    text = (SCRIPTS / name).read_text()
    assert text.startswith('#!/bin/sh\n# '), 'a shebang, then what it does'
    assert re.search(r'^# Usage: ', text, re.M), 'a usage line naming its arguments'
    assert f'| `{name}` |' in (SCRIPTS / 'README.md').read_text(), 'one line in README.md'


@pytest.mark.parametrize('name', ALL)
def test_embedded_text_carries_only_the_helpers_it_calls(name):
    text = embedded(name)
    assert 'lib.sh' not in text and not re.search(r'^\s*#', text, re.M)
    defined = set(re.findall(r'^([a-z_]+)\(\) \{$', text, re.M)) & set(lib_functions())
    body = re.sub(r'^[a-z_]+\(\) \{\n(.*?\n)*?\}\n', '', text, flags=re.M)
    called_directly = {f for f in lib_functions() if re.search(rf'\b{f}\b', body)}
    assert called_directly <= defined
    # What is not called directly is called by a helper that is.
    for f in defined - called_directly:
        assert any(re.search(rf'\b{f}\b', embedded_body) for embedded_body in
                   re.findall(r'^[a-z_]+\(\) \{\n(?:.*\n)*?\}$', text, re.M)
                   if not embedded_body.startswith(f + '()')), f


def test_product_names_stay_in_their_own_scripts():
    for name in ALL:
        text = embedded(name)
        if not name.startswith('zookeeper/'):  # its server classes (a Kafka script may name
            assert 'org.apache.zookeeper.server' not in text, name  # the client's socket)
        if not name.startswith('kafka/'):
            assert 'kafka.Kafka' not in text, name


def test_a_script_calling_lib_without_sourcing_it_is_refused(tmp_path):
    (tmp_path / 'lib.sh').write_text((SCRIPTS / 'lib.sh').read_text())
    (tmp_path / 'x').mkdir()
    (tmp_path / 'x' / 'bad.sh').write_text('#!/bin/sh\nalive "$1" foo\n')
    r = subprocess.run([sys.executable, str(EMBEDDER), '--root', str(tmp_path), '--output',
                        str(tmp_path / 'o.cpp'), '--header', str(tmp_path / 'o.hpp')],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert 'x/bad.sh: calls alive from lib.sh without the line' in r.stderr


def test_generated_header_names_every_script(tmp_path):
    subprocess.run([sys.executable, str(EMBEDDER), '--root', str(SCRIPTS), '--output',
                    str(tmp_path / 'o.cpp'), '--header', str(tmp_path / 'o.hpp')], check=True)
    header = (tmp_path / 'o.hpp').read_text()
    for name in ALL:
        ident = re.sub(r'[^A-Za-z0-9]', '_', name[:-3])
        assert f'inline constexpr std::string_view {ident} = "{name}";' in header


def test_no_remote_shell_left_in_cpp_string_literals():
    # No raw strings (R"...") in src/: shell lives in remote-scripts/ (the completion
    # scripts are generated from the CLI model, line by line).
    hits = [p.relative_to(ROOT).as_posix() for p in (ROOT / 'src').rglob('*.cpp')
            if re.search(r'\bR"[A-Za-z_]*\(', p.read_text())]
    assert hits == []
