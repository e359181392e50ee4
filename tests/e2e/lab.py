"""Python side of the simulated-host test lab (tests/lab/lab.sh).

A Lab drives lab.sh: `up` starts one simulated host per name (own network, mount, UTS and PID
namespaces, sshd as PID 1), `down` removes them. Assertions look inside a host through
`exec` (nsenter into the host's namespaces), never through the machine's own process table.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

REPO = Path(__file__).resolve().parents[2]
LAB_SH = REPO / "tests" / "lab" / "lab.sh"
ZK_DIST_SH = REPO / "tests" / "fixtures" / "zookeeper-dist.sh"
DEFAULT_STATE = Path("/var/lib/zkctl-lab")
SEED_HOSTS = ("node1", "node2", "node3", "nn01")

Command = Union[str, Sequence[str]]


def _argv(cmd: Command) -> list[str]:
    """A shell string runs through `sh -c`; a sequence runs as given."""
    if isinstance(cmd, str):
        return ["sh", "-c", cmd]
    return [str(c) for c in cmd]


class Lab:
    """A set of simulated hosts; `up()` starts them, `down()` removes every lab host."""

    def __init__(self, names: Iterable[str] = SEED_HOSTS, state: Optional[Path] = None):
        self.names: list[str] = list(names)
        self.state: Path = Path(state or os.environ.get("ZKLAB_STATE", DEFAULT_STATE))
        self._env = dict(os.environ, ZKLAB_STATE=str(self.state))
        self._up = False

    # -- paths -----------------------------------------------------------------------------
    @property
    def key_path(self) -> Path:
        """Private key authorized for root on every host."""
        return self.state / "id_ed25519"

    @property
    def known_hosts(self) -> Path:
        """known_hosts with every host's key under its name and its address."""
        return self.state / "known_hosts"

    @property
    def known_hosts_empty(self) -> Path:
        """An empty known_hosts file (for unknown-host-key tests)."""
        return self.state / "known_hosts.empty"

    # -- lifecycle -------------------------------------------------------------------------
    def _lab(self, *args: str, check: bool = True, timeout: float = 300,
             capture: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([str(LAB_SH), *args], env=self._env, check=check,
                              timeout=timeout, text=True,
                              capture_output=capture, stdin=subprocess.DEVNULL)

    def up(self, fresh: bool = True) -> None:
        """Starts the hosts; with fresh, any running lab is replaced (clean /opt etc.)."""
        args = ["up", "--fresh"] if fresh else ["up"]
        try:
            self._lab(*args, *self.names)
        except subprocess.CalledProcessError as e:
            raise RuntimeError(f"lab.sh up failed:\n{e.stdout}\n{e.stderr}") from e
        self._up = True

    def add_hosts(self, *names: str) -> None:
        """Adds hosts to the running lab (next free addresses)."""
        new = [n for n in names if n not in self.names]
        self.names.extend(new)
        self.up(fresh=False)

    def down(self) -> None:
        """Removes every lab host; idempotent, never raises."""
        try:
            self._lab("down", check=False, timeout=120)
        except Exception:  # noqa: BLE001 - teardown must not fail
            pass
        self._up = False

    def list(self) -> dict[str, tuple[str, int]]:
        """name -> (address, sshd PID in the root namespace)."""
        out = self._lab("list").stdout
        hosts = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3:
                hosts[parts[0]] = (parts[1], int(parts[2]))
        return hosts

    def address(self, name: str) -> str:
        """The host's IPv4 address (10.231.0.x)."""
        return (self.state / "hosts" / name / "addr").read_text().strip()

    # -- inside a host ---------------------------------------------------------------------
    def exec(self, name: str, cmd: Command, *, check: bool = False, timeout: float = 60,
             input: Optional[str] = None) -> subprocess.CompletedProcess:
        """Runs cmd inside the host's namespaces (not over ssh); output captured as text."""
        return subprocess.run([str(LAB_SH), "exec", name, "--", *_argv(cmd)], env=self._env,
                              check=check, timeout=timeout, text=True, capture_output=True,
                              input=input, stdin=None if input is not None else subprocess.DEVNULL)

    def ssh_argv(self, name: str, known_hosts: Optional[Path] = None) -> list[str]:
        """ssh command line (without the remote command) with the lab key, strict checking."""
        return ["ssh", "-F", "/dev/null", "-i", str(self.key_path), "-o", "IdentitiesOnly=yes",
                "-o", f"UserKnownHostsFile={known_hosts or self.known_hosts}",
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", f"root@{name}"]

    def ssh(self, name: str, cmd: str, *, check: bool = False, timeout: float = 60,
            known_hosts: Optional[Path] = None,
            input: Optional[str] = None) -> subprocess.CompletedProcess:
        """Runs a shell command on the host over ssh as root."""
        return subprocess.run([*self.ssh_argv(name, known_hosts), cmd], check=check,
                              timeout=timeout, text=True, capture_output=True, input=input,
                              stdin=None if input is not None else subprocess.DEVNULL)

    def read_file(self, name: str, path: str) -> str:
        """Contents of a file as the host sees it; raises if unreadable."""
        return self.exec(name, ["cat", path], check=True).stdout

    def link_down(self, name: str) -> None:
        """Cuts the host off the lab network (its bridge-side veth goes down)."""
        self._lab("link-down", name)

    def link_up(self, name: str) -> None:
        """Reconnects the host."""
        self._lab("link-up", name)

    def console_log(self, name: str) -> str:
        """What the host's sshd (PID 1, `-e`) has logged so far: connections, auth results."""
        return (self.state / "hosts" / name / "console.log").read_text(errors="replace")

    def block_ssh_from_machine(self, name: str) -> None:
        """Inside the host's network namespace only: refuse TCP port 22 from the machine's
        bridge address (the host stays reachable from the other lab hosts and on its other
        ports). Undone by unblock_ssh_from_machine() or when the lab goes down."""
        ns = f"zklab-{name}"
        rules = ("table inet zkctl_e2e {\n"
                 "  chain input {\n"
                 "    type filter hook input priority 0; policy accept;\n"
                 "    ip saddr 10.231.0.1 tcp dport 22 reject with tcp reset\n"
                 "  }\n"
                 "}\n")
        subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=rules, text=True,
                       check=True, capture_output=True, timeout=30)

    def unblock_ssh_from_machine(self, name: str) -> None:
        """Removes what block_ssh_from_machine() added; never raises."""
        subprocess.run(["ip", "netns", "exec", f"zklab-{name}", "nft", "delete", "table", "inet",
                        "zkctl_e2e"], check=False, capture_output=True, timeout=30)

    def processes(self, name: str) -> dict[int, str]:
        """PID (as the host sees it) -> command line, read from /proc inside the host by one
        bash process using builtins only (which is left out); kernel threads and zombies,
        having no command line, are left out too."""
        script = ('for p in /proc/[0-9]*; do n=${p#/proc/}; [ "$n" = "$$" ] && continue; '
                  'mapfile -d "" -t a < "$p/cmdline" 2>/dev/null || continue; '
                  '[ ${#a[@]} -gt 0 ] && printf "%s\\t%s\\n" "$n" "${a[*]}"; done; true')
        out = self.exec(name, ["bash", "-c", script], check=True).stdout
        procs: dict[int, str] = {}
        for line in out.splitlines():
            pid, _, cmdline = line.partition("\t")
            if pid.isdigit():
                procs[int(pid)] = cmdline
        return procs

    def pids_of(self, name: str, pattern: str) -> list[int]:
        """PIDs (host's view) whose command line matches the regex pattern, ascending."""
        rx = re.compile(pattern)
        return sorted(p for p, c in self.processes(name).items() if rx.search(c))

    def pid_of(self, name: str, pattern: str) -> Optional[int]:
        """Lowest matching PID (host's view) or None."""
        pids = self.pids_of(name, pattern)
        return pids[0] if pids else None

    def kill(self, name: str, pid: int, sig: int = signal.SIGTERM) -> None:
        """Sends sig to a PID (host's view) inside the host."""
        self.exec(name, ["kill", f"-{int(sig)}", str(pid)], check=True)

    def reset(self, names: Optional[Iterable[str]] = None) -> None:
        """Returns hosts to their just-started state: SIGKILL every process but sshd (PID 1),
        empty /opt, /usr/local, /var/lib/zookeeper, /var/lib/kafka, /var/log, /tmp."""
        for name in (names or self.names):
            victims = [str(p) for p in self.processes(name) if p != 1]
            if victims:
                self.exec(name, ["kill", "-9", *victims])
            self.exec(name, "rm -rf /opt/* /var/lib/zookeeper/* /var/lib/zookeeper/.[!.]* "
                            "/var/lib/kafka/* /var/lib/kafka/.[!.]* /var/log/* "
                            "/tmp/* /tmp/.[!.]* /usr/local/bin/* /usr/local/etc/* "
                            "/usr/local/lib/* /usr/local/share/*", check=True)


def zookeeper_dist(version: str = "3.8") -> Path:
    """Builds (or takes from the cache) the ZooKeeper distribution tarball of `version` (3.8:
    3.8.0 from Debian's packages; 3.9: the newest 3.9 release, jars fetched with mvn); returns
    its path."""
    out = subprocess.run([str(ZK_DIST_SH), version], check=True, text=True, capture_output=True,
                         stdin=subprocess.DEVNULL, timeout=900)
    return Path(out.stdout.strip().splitlines()[-1])
