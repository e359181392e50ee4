#!/usr/bin/env bash
# From a fresh Debian 12 machine (as root): install what zkctl needs, build it, start the
# local sandbox cluster (four simulated hosts node1 node2 node3 nn01, each with its own
# network and sshd), deploy the seed ensemble onto it and print its status.
# The sandbox stays up so you can try more commands; `bash tests/lab/lab.sh down` removes it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
if [[ ! -f build/build.ninja ]]; then meson setup build; fi
ninja -C build
dist=$(bash tests/fixtures/zookeeper-dist.sh | tail -n 1)
echo "ZooKeeper distribution: $dist"
bash tests/lab/lab.sh up --fresh node1 node2 node3 nn01

./build/src/zkctl deploy inventories/seed.toml
./build/src/zkctl status

cat <<MSG

The sandbox is running. Try:
  ./build/src/zkctl restart node3
  ./build/src/zkctl status --json
  bash tests/lab/lab.sh down        # remove the sandbox
MSG
