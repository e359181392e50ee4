#!/usr/bin/python3
"""Stand-ins for ZooKeeper servers' client ports, for bench/run.sh's 32-host status case.

Usage: fake-4lw.py [--ready FILE] LISTEN... -- WORD=FILE...

LISTEN is NETNS:PORT (a network namespace under /run/netns, e.g. b01:2181) or ADDR:PORT
(e.g. 127.0.0.2:2181, in the current namespace). One process serves every LISTEN from one
event loop: for a namespace it enters /run/netns/NETNS (setns) only to create the listening
socket, then returns; the socket stays bound in that namespace. Each connection is answered
like ZooKeeper answers a four-letter word: the first 4 bytes are read, FILE's content for that
WORD (captured from a real server) or ZooKeeper's whitelist refusal for any other word is
sent, the write side is shut, and whatever the client still sends is read until it closes
(closing with unread input would reset the connection and could lose the answer).

With --ready FILE, FILE is created once every socket listens. One small process instead of a
JVM (or a Python process) per host: 28 of them share 2 cores with everything else.
"""

import ctypes
import os
import selectors
import socket
import sys

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def setns_fd(fd: int) -> None:
    """setns(2) into the network namespace `fd` refers to (os.setns is Python 3.12+)."""
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def setns(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        setns_fd(fd)
    finally:
        os.close(fd)


def listen_socket(spec: str) -> socket.socket:
    where, _, port_text = spec.rpartition(":")
    port = int(port_text)
    netns = None if where.replace(".", "").isdigit() else where
    addr = "0.0.0.0" if netns else where
    home = None
    if netns:
        home = os.open("/proc/self/ns/net", os.O_RDONLY)
        setns("/run/netns/" + netns)
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(128)
        s.setblocking(False)
        return s
    finally:
        if home is not None:
            setns_fd(home)
            os.close(home)


class Conn:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.word = b""
        self.out = b""
        self.answered = False
        self.eof = False  # the client closed its side


def main() -> None:
    args = sys.argv[1:]
    ready = None
    if len(args) >= 2 and args[0] == "--ready":
        ready = args[1]
        args = args[2:]
    if "--" not in args:
        sys.exit(__doc__)
    cut = args.index("--")
    listens, words = args[:cut], args[cut + 1:]
    if not listens or not words:
        sys.exit(__doc__)
    answers: dict[bytes, bytes] = {}
    for arg in words:
        word, _, path = arg.partition("=")
        with open(path, "rb") as f:
            answers[word.encode()] = f.read()

    sel = selectors.DefaultSelector()
    for spec in listens:
        sel.register(listen_socket(spec), selectors.EVENT_READ, None)
    if ready:
        with open(ready, "w") as f:
            f.write(f"{os.getpid()}\n")

    def close(conn: Conn) -> None:
        sel.unregister(conn.sock)
        conn.sock.close()

    while True:
        for key, mask in sel.select():
            if key.data is None:  # a listening socket
                try:
                    sock, _ = key.fileobj.accept()
                except OSError:
                    continue
                sock.setblocking(False)
                sel.register(sock, selectors.EVENT_READ, Conn(sock))
                continue
            conn: Conn = key.data
            try:
                if mask & selectors.EVENT_WRITE and conn.out:
                    n = conn.sock.send(conn.out)
                    conn.out = conn.out[n:]
                    if not conn.out:
                        if conn.eof:
                            close(conn)
                            continue
                        conn.sock.shutdown(socket.SHUT_WR)
                        sel.modify(conn.sock, selectors.EVENT_READ, conn)
                if mask & selectors.EVENT_READ and not conn.eof:
                    data = conn.sock.recv(256)
                    if not data:
                        conn.eof = True
                        if not conn.out:
                            close(conn)
                        else:  # the client shut its side early: send, then close
                            sel.modify(conn.sock, selectors.EVENT_WRITE, conn)
                        continue
                    if not conn.answered:
                        conn.word += data
                        if len(conn.word) >= 4:
                            w = conn.word[:4]
                            conn.out = answers.get(
                                w, w + b" is not executed because it is not in the whitelist.\n")
                            conn.answered = True
                            sel.modify(conn.sock, selectors.EVENT_READ | selectors.EVENT_WRITE,
                                       conn)
            except OSError:
                close(conn)


if __name__ == "__main__":
    main()
