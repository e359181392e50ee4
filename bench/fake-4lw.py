#!/usr/bin/python3
"""Stand-in for a ZooKeeper server's client port, for bench/run.sh's 32-host status case.

Usage: fake-4lw.py PORT WORD=FILE...

Listens on 0.0.0.0:PORT and answers each connection like ZooKeeper answers a four-letter word:
reads the first 4 bytes, sends FILE's content for that WORD (captured from a real server) or
ZooKeeper's whitelist refusal for any other word, and closes. One small process instead of a
JVM: 28 of these fit where 28 ZooKeeper servers would not.
"""

import socket
import socketserver
import sys


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    port = int(sys.argv[1])
    answers: dict[bytes, bytes] = {}
    for arg in sys.argv[2:]:
        word, _, path = arg.partition("=")
        with open(path, "rb") as f:
            answers[word.encode()] = f.read()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            sock: socket.socket = self.request
            sock.settimeout(2)
            word = b""
            try:
                while len(word) < 4:
                    chunk = sock.recv(4 - len(word))
                    if not chunk:
                        break
                    word += chunk
                answer = answers.get(word, word + b" is not executed because it is not in "
                                     b"the whitelist.\n")
                sock.sendall(answer)
                sock.shutdown(socket.SHUT_WR)
                # Read what the client still sends (nc's newline) until it closes: closing
                # with unread input would reset the connection and could lose the answer.
                while sock.recv(256):
                    pass
            except OSError:
                pass

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        request_queue_size = 64
        daemon_threads = True

    with Server(("0.0.0.0", port), Handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
