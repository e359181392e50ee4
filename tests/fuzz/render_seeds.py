#!/usr/bin/env python3
"""Write the seed inputs of the render fuzz target to corpus/render/.

The bytes follow render_fuzz.cpp's reading order (byte_reader.hpp's encoding):
a string is one selector byte (< 0x80: the sample at that index), an integer two
big-endian bytes v giving lo + v % (hi - lo + 1). Rerun after changing the order.
"""
import pathlib
import struct

OUT = pathlib.Path(__file__).resolve().parent / "corpus" / "render"


def pick(i):
    return bytes([i])


def raw(data):
    assert len(data) < 0x40
    return bytes([0x80 | len(data)]) + data


def pick_then_raw(i, data):
    assert len(data) < 0x40
    return bytes([0xC0 | len(data), i]) + data


def integer(value, lo):
    return struct.pack(">H", value - lo)


def cluster(name, tick, init, sync, heap, words, servers, extras):
    b = pick(name) + integer(tick, -2) + integer(init, -2) + integer(sync, -2) + integer(heap, -2)
    if words is None:
        b += bytes([0x80])
    else:
        b += bytes([len(words)]) + b"".join(words)
    b += bytes([len(servers)])
    for s in servers:
        b += s
    b += bytes([len(extras)]) + b"".join(k + v for k, v in extras)
    return b


def server(host, id_byte, observer, ports, install, data, log):
    b = host + bytes([id_byte, 1 if observer else 0])
    for p in ports:
        b += integer(p, 0)
    return b + install + data + log


def env(log_dir, heap, flags, log4j, java_home):
    return log_dir + integer(heap, -1) + flags + log4j + java_home


DEFAULT_PORTS = (2181, 2888, 3888, 0)
SEEDS = {
    # Three voters and an observer, like inventories/seed.toml; renders the observer.
    "seed_observer": cluster(0, 2000, 10, 5, 256, None, [
        server(pick(0), 0, False, DEFAULT_PORTS, pick(0), pick(0), pick(0)),
        server(pick(1), 0, False, DEFAULT_PORTS, pick(0), pick(0), pick(0)),
        server(pick(2), 0, False, DEFAULT_PORTS, pick(0), pick(0), pick(0)),
        server(pick(6), 0, True, DEFAULT_PORTS, pick(0), pick(0), pick(0)),
    ], [(pick(0), pick(0)), (pick(1), pick(1))]) + bytes([3]) + env(
        pick(0), 256, pick(1), pick(2), pick(0)),
    # IPv6 hosts, AdminServer on, a transaction-log dir, every four-letter word.
    "ipv6_admin": cluster(1, 500, 20, 10, 4096, [pick(6)], [
        server(pick(3), 0, False, (2181, 2888, 3888, 8080), pick(2), pick(1), pick(1)),
        server(pick(4), 0, False, (2182, 2889, 3889, 8081), pick(0), pick(0), pick(1)),
    ], [(pick(3), pick(0))]) + bytes([1]) + env(pick(2), 1024, pick(2), pick(0), pick(1)),
    # A value that tries to add a server line: must be refused.
    "extra_newline": cluster(0, 2000, 10, 5, 512, None, [
        server(pick(0), 0, False, DEFAULT_PORTS, pick(0), pick(0), pick(0)),
    ], [(pick(0), pick(8))]) + bytes([0]) + env(pick(5), 512, pick(5), pick(3), pick(4)),
    # Raw bytes in a host, a directory, an extra value and the env values.
    "raw_bytes": cluster(0, 2000, 10, 5, 512, [pick(0), raw(b"cons")], [
        server(raw(b"h.example"), 0, False, DEFAULT_PORTS, pick_then_raw(0, b"/x y"),
               raw(b"/d"), pick(0)),
        server(pick(0), 0xC5, False, DEFAULT_PORTS, pick(0), pick(0), pick(0)),
    ], [(raw(b"k.k"), raw(b"v v'v"))]) + bytes([0]) + env(
        raw(b"/l'x"), 100, raw(b"-Da='b c'"), raw(b"$x"), raw(b"/j\"k")),
    # Not a member: the picked server's id is changed.
    "not_member": cluster(0, 2000, 10, 5, 512, None, [
        server(pick(0), 0, False, DEFAULT_PORTS, pick(0), pick(0), pick(0)),
    ], []) + bytes([0x80]),
}

OUT.mkdir(parents=True, exist_ok=True)
(OUT / "empty").write_bytes(b"")
for name, data in SEEDS.items():
    (OUT / name).write_bytes(data)
