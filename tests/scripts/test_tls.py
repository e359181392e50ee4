"""remote-scripts/tls/: reading the certificates a node holds (never its key)."""

import os
from pathlib import Path

from conftest import needs_root, service_owned

CERT = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n'
CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n'
KEY = '-----BEGIN PRIVATE KEY-----\nSECRETKEY\n-----END PRIVATE KEY-----\n'


class TestCerts:
    @needs_root
    def test_prints_only_certificate_blocks(self, run, tmp_path):
        tls = tmp_path / 'tls'
        tls.mkdir(mode=0o755)
        (tls / 'node.pem').write_text(KEY + CERT + CA)
        (tls / 'node.pem').chmod(0o640)
        (tls / 'ca.pem').write_text(CA)
        r = run('tls/certs.sh', tls / 'node.pem', tls / 'ca.pem', tls / 'none.pem')
        assert r.returncode == 0, r.stderr
        assert 'SECRETKEY' not in r.stdout and 'PRIVATE' not in r.stdout
        assert r.stdout == (f'file={tls}/node.pem\n' + CERT + CA + f'file={tls}/ca.pem\n' + CA +
                            f'absent={tls}/none.pem\n')

    @needs_root
    def test_refuses_a_link_and_a_dir_the_service_user_may_write(self, run, tmp_path, shared_dir):
        secret = tmp_path / 'secret.pem'
        secret.write_text(CERT)
        tls = tmp_path / 'tls'
        tls.mkdir(mode=0o755)
        os.symlink(secret, tls / 'node.pem')
        planted = service_owned(shared_dir)
        (planted / 'ca.pem').write_text(CERT)
        r = run('tls/certs.sh', tls / 'node.pem', planted / 'ca.pem')
        assert r.returncode == 0, r.stderr
        assert r.stdout == f'refused={tls}/node.pem\nrefused={planted}/ca.pem\n'
