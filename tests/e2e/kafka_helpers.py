"""A real Kafka client for the end-to-end tests (python3-confluent-kafka, on librdkafka):
a background producer that records which sequence numbers the cluster acknowledged, a
background consumer reading through a case, and a consumer that reads everything back."""

from __future__ import annotations

import threading
import time
import uuid


class SequencedProducer:
    """Produces "seq-<n>" with acks=all in a background thread until stopped; `acked` holds
    every sequence number the cluster acknowledged, `errors` every delivery failure. At most
    MAX_IN_FLIGHT messages wait for their acknowledgement at a time (a client that outruns the
    cluster would only fill its local queue), so after stop() every message sent is either
    acknowledged or failed; `unresolved` counts those that were neither (0 unless the cluster
    stayed unreachable through stop()'s flush).

    `resend_on`: delivery error codes after which the message is produced again, as an
    application does when its idempotent producer had to reset its sequence numbers (a
    leader change can end in OUT_OF_ORDER_SEQUENCE_NUMBER for the first in-flight batch and
    _PURGE_QUEUE for those queued behind it); those go to `resent`, not `errors`."""

    MAX_IN_FLIGHT = 1000

    def __init__(self, bootstrap: str, topic: str, conf: dict | None = None,
                 resend_on: tuple[str, ...] = ()):
        from confluent_kafka import Producer
        self.topic = topic
        self.producer = Producer({"bootstrap.servers": bootstrap, "acks": "all",
                                  "enable.idempotence": True, "linger.ms": 5,
                                  "message.timeout.ms": 60000, "log_level": 0, **(conf or {})})
        self.acked: set[int] = set()
        self.errors: list[str] = []
        self.resent: list[str] = []
        self.refused: list[str] = []
        self._resend_on = resend_on
        self._to_resend: list[int] = []
        self.sent = 0
        self.unresolved = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _delivered(self, err, msg) -> None:
        seq = int(msg.value().decode().split("-")[1])
        if err is None:
            self.acked.add(seq)
        elif err.name() in self._resend_on:
            self.resent.append(err.name())
            self._to_resend.append(seq)
        else:
            self.errors.append(str(err))

    def _produce(self, seq: int) -> bool:
        """Whether the message was handed to the client; a refusal before sending (queue full,
        or a local error such as a topic the client's metadata does not show yet) is tried
        again, as an application does, and the local errors are kept in `refused`."""
        from confluent_kafka import KafkaException
        try:
            self.producer.produce(self.topic, value=f"seq-{seq}".encode(),
                                  on_delivery=self._delivered)
            return True
        except BufferError:
            return False
        except KafkaException as e:
            self.refused.append(str(e))
            time.sleep(0.1)
            return False

    def _run(self) -> None:
        while not self._stop.is_set() or self._to_resend:
            if len(self.producer) >= self.MAX_IN_FLIGHT:
                self.producer.poll(0.01)
                continue
            if self._to_resend:
                if self._produce(self._to_resend[0]):
                    self._to_resend.pop(0)
            elif self._produce(self.sent):
                self.sent += 1
            self.producer.poll(0.005)

    def start(self) -> "SequencedProducer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self.unresolved = self.producer.flush(60)
        for _ in range(3):  # failures met in the flush are produced again, like the thread's
            if not self._to_resend:
                break
            while self._to_resend:
                self._produce(self._to_resend.pop(0))
            self.unresolved = self.producer.flush(60)
        self.unresolved += len(self._to_resend)


def consume_all(bootstrap: str, topic: str, expected: set[int], timeout: float = 60,
                conf: dict | None = None, group: str | None = None) -> set[int]:
    """Sequence numbers read from `topic` (from the beginning) until `expected` are all seen or
    `timeout` passes. `conf`: extra client settings (TLS, SASL); `group`: the consumer group."""
    from confluent_kafka import Consumer
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group or f"e2e-{uuid.uuid4()}",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False, "log_level": 0,
                  **(conf or {})})
    c.subscribe([topic])
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not expected <= seen:
            msg = c.poll(0.5)
            if msg is None or msg.error():
                continue
            seen.add(int(msg.value().decode().split("-")[1]))
    finally:
        c.close()
    return seen


def lost_messages(bootstrap: str, producers: dict[str, "SequencedProducer"],
                  conf: dict | None = None) -> list[str]:
    """The acknowledged messages of each topic's producer (`producers`: topic -> producer)
    not read back through `bootstrap`, as "topic:number"."""
    lost = []
    for topic, producer in producers.items():
        seen = consume_all(bootstrap, topic, producer.acked, timeout=120, conf=conf)
        lost += [f"{topic}:{n}" for n in sorted(producer.acked - seen)]
    return lost


def new_topic_takes_messages(bootstrap: str, topic: str) -> tuple[set[int], set[int]]:
    """`topic` created, a producer run for 3 s, its messages read back: (acked, read)."""
    create_topic(bootstrap, topic)
    producer = SequencedProducer(bootstrap, topic).start()
    time.sleep(3)
    producer.stop()
    return producer.acked, consume_all(bootstrap, topic, producer.acked)


def create_topic(bootstrap: str, topic: str, partitions: int = 3, replication: int = 3,
                 conf: dict | None = None) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap, **(conf or {})})
    futures = admin.create_topics([NewTopic(topic, partitions, replication,
                                            config={"min.insync.replicas": "2"})])
    futures[topic].result(30)
    # Every broker asked answers for it before a client is pointed at it (ZooKeeper mode
    # propagates a new topic to the brokers' caches after the create returned).
    deadline = time.monotonic() + 30
    for broker in bootstrap.split(","):
        one = AdminClient({"bootstrap.servers": broker, **(conf or {})})
        while time.monotonic() < deadline:
            try:
                parts = one.list_topics(topic, timeout=10).topics.get(topic)
            except Exception:  # a broker a case stopped: the others answer
                break
            if parts and parts.error is None and len(parts.partitions) == partitions and \
                    all(p.leader >= 0 for p in parts.partitions.values()):
                break
            time.sleep(0.2)


class BackgroundConsumer:
    """Reads `topic` from the beginning in a thread for as long as the case runs; `seen`
    holds every sequence number read. The client's group and topic log goes to a file whose
    tail is printed when something expected was not read."""

    def __init__(self, bootstrap: str, topic: str, conf: dict | None = None):
        import logging
        import tempfile
        from confluent_kafka import Consumer
        self.log_path = tempfile.NamedTemporaryFile(prefix="consumer-", suffix=".log",
                                                    delete=False).name
        logger = logging.getLogger(self.log_path)
        handler = logging.FileHandler(self.log_path)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        self.assignments: list[str] = []
        self.consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"e2e-{uuid.uuid4()}",
                                  "auto.offset.reset": "earliest", "enable.auto.commit": False,
                                  # a topic created a moment ago may be missing from the
                                  # first metadata; the default re-asks after 5 min
                                  "topic.metadata.refresh.interval.ms": 1000,
                                  "debug": "cgrp,topic", "logger": logger, **(conf or {})})
        self.consumer.subscribe([topic], on_assign=self._assigned)
        self.seen: set[int] = set()
        self.last_error = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _assigned(self, _consumer, partitions) -> None:
        self.assignments.append(f"{time.strftime('%H:%M:%S')} "
                                f"{sorted(p.partition for p in partitions)}")

    def _run(self) -> None:
        while not self._stop.is_set():
            msg = self.consumer.poll(0.2)
            if msg is not None and msg.error():
                self.last_error = msg.error()
            elif msg is not None:
                self.seen.add(int(msg.value().decode().split("-")[1]))

    def start(self) -> "BackgroundConsumer":
        self._thread.start()
        return self

    def wait_reading(self, timeout: float = 60) -> None:
        """Returns once the consumer joined its group and read a first message, so that a
        case's action meets a consumer already reading rather than one still joining."""
        deadline = time.monotonic() + timeout
        while not self.seen and time.monotonic() < deadline:
            time.sleep(0.2)
        assert self.seen, f"consumer read nothing in {timeout:.0f} s; log: {self.log_path}"

    def stop(self, expected: set[int] | None = None, timeout: float = 60) -> set[int]:
        """Keeps reading until `expected` was all seen or `timeout`; returns what is missing."""
        if self._stop.is_set():
            return (expected or set()) - self.seen
        expected = expected or set()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not expected <= self.seen:
            time.sleep(0.2)
        self._stop.set()
        self._thread.join(timeout=10)
        self.consumer.close()
        if not expected <= self.seen:
            with open(self.log_path, errors="replace") as log:
                tail = log.readlines()[-60:]
            print(f"consumer: saw {len(self.seen)}, last error {self.last_error}, "
                  f"assignments {self.assignments}; its log ({self.log_path}) ends:\n"
                  + "".join(tail))
        return expected - self.seen
