// Integration: the Kafka client against a real single-node KRaft cluster (combined
// broker,controller) from the project's fixture tarball (tests/fixtures/kafka-dist.sh 4),
// unpacked into a temp dir, started on 127.0.0.1 with free ports (plaintext, and TLS with
// client certificates and the authorizer on: ACLs) and stopped by PID. Those
// tests skip without java or the tarball; the unreachable-broker tests always run.

#include "probe/kafka_client.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "probe/kafka_acl.hpp"
#include "support/kafka_load_producer.hpp"
#include "support/server_suite.hpp"
#include "support/test_pki.hpp"

using namespace zkctl::probe;
using namespace zkctl::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A KRaft cluster id: 16 random bytes, base64url without padding (22 characters), not
// starting with '-' (kafka-storage.sh random-uuid, without starting a JVM for it).
std::string cluster_id() {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  std::string id;
  while (id.size() < 22) {
    const char c = alphabet[rd() % 64];
    if (id.empty() && c == '-') continue;
    id += c;
  }
  // The last character carries only 2 bits of the 16th byte: keep the 4 low bits zero.
  id.back() = "AQgw"[rd() % 4];
  return id;
}

// One combined broker,controller node in a temp dir; stopped by PID (SIGTERM, then SIGKILL)
// and the dir removed on destruction.
class KafkaNode : public ServerProcess {
 public:
  KafkaNode() : ServerProcess(15s) {}

  // Unpack, format and start; false with `why` set if something is missing or fails.
  bool start(std::string& why) {
    // Cached after the first build; a first build (mvn) that fails or takes too long skips.
    why = unpack_java_fixture(
        "timeout 120 " + std::string(SOURCE_DIR) + "/tests/fixtures/kafka-dist.sh 4",
        "zkctl-kafkaclient-it", "kafka", dir_);
    if (!why.empty()) return false;
    const fs::path dist = dir_ / "kafka";
    port_ = free_port();
    int cport = free_port();
    while (cport == port_) cport = free_port();
    tls_port_ = free_port();
    while (tls_port_ == port_ || tls_port_ == cport) tls_port_ = free_port();
    // The TLS listener: PEM stores, client certificates required; the authorizer on, with
    // the plaintext listeners' ANONYMOUS and zkctl's test certificate as super users.
    const fs::path keystore = dir_ / "server-keystore.pem";
    std::ofstream(keystore) << read_text(pki_.key("server"), 100000)
                            << read_text(pki_.pem("server"), 100000);
    const fs::path cfg = dir_ / "server.properties";
    std::ofstream(cfg)
        << "process.roles=broker,controller\n"
        << "node.id=1\n"
        << "controller.quorum.bootstrap.servers=127.0.0.1:" << cport << "\n"
        << "listeners=PLAINTEXT://127.0.0.1:" << port_ << ",CONTROLLER://127.0.0.1:" << cport
        << ",SSL://127.0.0.1:" << tls_port_ << "\n"
        << "advertised.listeners=PLAINTEXT://127.0.0.1:" << port_
        << ",CONTROLLER://127.0.0.1:" << cport << ",SSL://127.0.0.1:" << tls_port_ << "\n"
        << "inter.broker.listener.name=PLAINTEXT\n"
        << "controller.listener.names=CONTROLLER\n"
        << "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL\n"
        << "listener.name.ssl.ssl.keystore.type=PEM\n"
        << "listener.name.ssl.ssl.keystore.location=" << keystore.string() << "\n"
        << "listener.name.ssl.ssl.truststore.type=PEM\n"
        << "listener.name.ssl.ssl.truststore.location=" << pki_.pem("ca") << "\n"
        << "listener.name.ssl.ssl.client.auth=required\n"
        << "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer\n"
        << "super.users=User:ANONYMOUS;User:CN=client\n"
        << "log.dirs=" << (dir_ / "data").string() << "\n"
        << "num.partitions=1\n"
        << "offsets.topic.replication.factor=1\n"
        << "offsets.topic.num.partitions=3\n"
        << "transaction.state.log.replication.factor=1\n"
        << "transaction.state.log.min.isr=1\n"
        << "group.initial.rebalance.delay.ms=0\n";
    const std::string env =
        "KAFKA_HEAP_OPTS='-Xmx256m -Xms256m' LOG_DIR='" + (dir_ / "logs").string() + "' ";
    const std::string format = env + "'" + (dist / "bin" / "kafka-storage.sh").string() +
                               "' format -t " + cluster_id() + " -c '" + cfg.string() +
                               "' --standalone >'" + (dir_ / "format.log").string() + "' 2>&1";
    if (std::system(format.c_str()) != 0) {
      why = "kafka-storage.sh format failed: " + read(dir_ / "format.log");
      return false;
    }
    const fs::path out = dir_ / "server.out";
    // The script execs java: this PID is the broker's.
    pid_ = spawn_logged(
        {(dist / "bin" / "kafka-server-start.sh").string(), cfg.string()}, out.string(), "",
        {"KAFKA_HEAP_OPTS=-Xmx256m -Xms256m", "LOG_DIR=" + (dir_ / "logs").string()});
    const auto end = Clock::now() + 60s;
    while (Clock::now() < end) {
      if (child_exited(pid_)) {
        pid_ = -1;
        why = "Kafka exited: " + read(out);
        return false;
      }
      auto md = kafka_metadata(bootstrap(), 1000ms);
      if (md && md->brokers.size() == 1) return true;
      std::this_thread::sleep_for(300ms);
    }
    why = "Kafka did not answer metadata within 60 s: " + read(out);
    return false;
  }

  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  // The TLS listener with zkctl's test certificate (or `cert`, "" for none) and `ca`.
  KafkaAccess tls_access(const std::string& ca = "ca", const std::string& cert = "client") const {
    ClientTls tls{pki_.pem(ca), "", ""};
    if (!cert.empty()) tls = {pki_.pem(ca), pki_.pem(cert), pki_.key(cert)};
    return KafkaAccess("127.0.0.1:" + std::to_string(tls_port_), tls);
  }

 private:
  static std::string read(const fs::path& p) { return read_text(p, 4000); }
  probe_test::TestPki pki_;
  int tls_port_ = 0;
};

using KafkaClientTest = ServerSuite<KafkaNode>;

}  // namespace

TEST_F(KafkaClientTest, MetadataListsTheBroker) {
  auto md = kafka_metadata(server_->bootstrap(), 5s);
  ASSERT_TRUE(md) << md.error().message;
  ASSERT_EQ(md->brokers.size(), 1u);
  EXPECT_EQ(md->brokers[0].id, 1);
  EXPECT_EQ(md->brokers[0].host, "127.0.0.1");
  EXPECT_EQ(md->brokers[0].port, server_->port());
  EXPECT_EQ(md->answered_by, 1);
  EXPECT_EQ(md->offline(), 0);
  EXPECT_EQ(md->under_replicated(), 0);
}

TEST_F(KafkaClientTest, CreateProduceConsumeDelete) {
  const std::string bs = server_->bootstrap();
  auto created = create_topic(bs, "verify", 3, 1, 20s);
  ASSERT_TRUE(created) << created.error().message;

  auto md = kafka_metadata(bs, 5s);
  ASSERT_TRUE(md) << md.error().message;
  int partitions = 0;
  for (const auto& p : md->partitions) {
    if (p.topic != "verify") continue;
    ++partitions;
    EXPECT_EQ(p.leader, 1);
    EXPECT_EQ(p.replicas, std::vector<int>{1});
    EXPECT_EQ(p.isr, std::vector<int>{1});
    EXPECT_EQ(p.error, "");
  }
  EXPECT_EQ(partitions, 3);

  auto again = create_topic(bs, "verify", 3, 1, 10s);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("already exists"), std::string::npos)
      << again.error().message;
  auto too_many = create_topic(bs, "verify-rf3", 1, 3, 10s);
  ASSERT_FALSE(too_many);  // one broker cannot hold 3 replicas
  std::printf("replication 3 on one broker: %s\n", too_many.error().message.c_str());

  auto report = produce(bs, "verify", 50, 20s);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->acked, 50);
  EXPECT_EQ(report->failed, 0);
  EXPECT_TRUE(report->errors.empty()) << report->errors.front();
  EXPECT_GT(report->avg_ms, 0);
  EXPECT_GE(report->max_ms, report->avg_ms);
  std::printf("produce: %d acked, avg %.1f ms, max %.1f ms\n", report->acked, report->avg_ms,
              report->max_ms);

  const auto t0 = Clock::now();
  auto seen = consume(bs, "verify", 50, 30s);
  ASSERT_TRUE(seen) << seen.error().message;
  std::printf("consume: %zu payloads in %.1f s\n", seen->size(),
              std::chrono::duration<double>(Clock::now() - t0).count());
  std::set<std::string> got(seen->begin(), seen->end());
  std::set<std::string> want;
  for (int i = 0; i < 50; ++i) want.insert("zkctl-verify-" + std::to_string(i));
  EXPECT_EQ(got, want);

  // Fewer than expected: returns what there is when the time is up.
  auto partial = consume(bs, "verify", 60, 4s);
  ASSERT_TRUE(partial) << partial.error().message;
  EXPECT_EQ(partial->size(), 50u);

  // The consumer group made the internal offsets topic appear in metadata.
  md = kafka_metadata(bs, 5s);
  ASSERT_TRUE(md);
  EXPECT_TRUE(md->has_topic("__consumer_offsets"));

  auto deleted = delete_topic(bs, "verify", 20s);
  ASSERT_TRUE(deleted) << deleted.error().message;
  md = kafka_metadata(bs, 5s);
  ASSERT_TRUE(md);
  EXPECT_FALSE(md->has_topic("verify"));
  auto missing = delete_topic(bs, "verify", 10s);
  ASSERT_FALSE(missing);
  std::printf("delete missing: %s\n", missing.error().message.c_str());
}

TEST_F(KafkaClientTest, MinInsyncReplicasPerTopicElseTheBrokers) {
  const std::string bs = server_->bootstrap();
  auto strict = create_topic(bs, "gate-strict", 1, 1, 20s, {{"min.insync.replicas", "2"}});
  ASSERT_TRUE(strict) << strict.error().message;
  auto plain = create_topic(bs, "gate-plain", 1, 1, 20s);
  ASSERT_TRUE(plain) << plain.error().message;
  auto min = kafka_min_insync(bs, {"gate-strict", "gate-plain"}, 1, 10s);
  ASSERT_TRUE(min) << min.error().message;
  EXPECT_EQ(min->broker, 1);                       // Kafka's default
  EXPECT_EQ(min->topics.count("gate-plain"), 0u);  // follows the broker
  EXPECT_EQ(min->of("gate-strict"), 2);
  EXPECT_EQ(min->of("gate-plain"), 1);
  auto missing = kafka_min_insync(bs, {"gate-none"}, 1, 10s);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("gate-none"), std::string::npos)
      << missing.error().message;
  EXPECT_TRUE(delete_topic(bs, "gate-strict", 20s));
  EXPECT_TRUE(delete_topic(bs, "gate-plain", 20s));
}

TEST_F(KafkaClientTest, ConsumingAMissingTopicIsAnError) {
  const auto t0 = Clock::now();
  auto seen = consume(server_->bootstrap(), "no-such-topic", 1, 15s);
  ASSERT_FALSE(seen);
  EXPECT_NE(seen.error().message.find("no-such-topic"), std::string::npos) << seen.error().message;
  EXPECT_LT(Clock::now() - t0, 10s);
  std::printf("missing topic: %s\n", seen.error().message.c_str());
}

TEST_F(KafkaClientTest, BackgroundProducerRecordsAcknowledgedSequenceNumbers) {
  const std::string bs = server_->bootstrap();
  ASSERT_TRUE(create_topic(bs, "load", 1, 1, 20s));
  zkctl::testing::Producer producer;
  auto started = producer.start(bs, "load", {.interval = 2ms});
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_FALSE(producer.start(bs, "load"));  // once only

  const auto end = Clock::now() + 15s;
  while (producer.progress().acked.size() < 200 && Clock::now() < end) {
    std::this_thread::sleep_for(50ms);
  }
  // The broker freezes for a second: messages wait, none is lost or fails.
  ::kill(server_->pid(), SIGSTOP);
  std::this_thread::sleep_for(1s);
  const auto frozen = producer.progress();
  ::kill(server_->pid(), SIGCONT);
  while (producer.progress().acked.size() < frozen.acked.size() + 200 && Clock::now() < end) {
    std::this_thread::sleep_for(50ms);
  }
  auto report = producer.stop(5s);
  EXPECT_GE(report.acked.size(), frozen.acked.size() + 200);
  EXPECT_GT(frozen.sent, static_cast<std::int64_t>(frozen.acked.size()));  // kept producing
  EXPECT_EQ(report.failed, 0);
  EXPECT_EQ(report.unresolved, 0);
  EXPECT_EQ(static_cast<std::int64_t>(report.acked.size()), report.sent);
  ASSERT_FALSE(report.acked.empty());
  EXPECT_EQ(*report.acked.begin(), 0);
  EXPECT_EQ(*report.acked.rbegin(), report.sent - 1);
  std::printf("producer: %lld sent, %zu acked\n", static_cast<long long>(report.sent),
              report.acked.size());
  // A second stop() returns the same report.
  EXPECT_EQ(producer.stop().acked.size(), report.acked.size());

  // Every acknowledged message is in the topic.
  auto seen = consume(bs, "load", static_cast<int>(report.sent), 30s);
  ASSERT_TRUE(seen) << seen.error().message;
  std::set<std::string> got(seen->begin(), seen->end());
  for (auto seq : report.acked) {
    EXPECT_TRUE(got.count("zkctl-load-" + std::to_string(seq))) << seq;
  }
  EXPECT_TRUE(delete_topic(bs, "load", 20s));
}

// No broker: every call gives up within its timeout.
TEST_F(KafkaClientTest, OverTlsWithZkctlsCertificate) {
  const KafkaAccess tls = server_->tls_access();
  auto md = kafka_metadata(tls, 10s);
  ASSERT_TRUE(md) << md.error().message;
  ASSERT_EQ(md->brokers.size(), 1u);
  EXPECT_EQ(md->brokers[0].port, std::stoi(tls.bootstrap.substr(tls.bootstrap.rfind(':') + 1)));
  auto created = create_topic(tls, "over-tls", 1, 1, 20s);
  ASSERT_TRUE(created) << created.error().message;
  auto report = produce(tls, "over-tls", 5, 20s);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->acked, 5);
  auto seen = consume(tls, "over-tls", 5, 20s);
  ASSERT_TRUE(seen) << seen.error().message;
  EXPECT_EQ(seen->size(), 5u);
  EXPECT_TRUE(delete_topic(tls, "over-tls", 20s));
}

TEST_F(KafkaClientTest, OverTlsAWrongCaOrNoCertificateGetsNothing) {
  auto wrong_ca = kafka_metadata(server_->tls_access("other-ca"), 2s);
  ASSERT_FALSE(wrong_ca);
  EXPECT_NE(wrong_ca.error().message.find("certificate verify failed"), std::string::npos);
  std::printf("wrong CA: %s\n", wrong_ca.error().message.c_str());
  auto no_cert = kafka_metadata(server_->tls_access("ca", ""), 2s);
  ASSERT_FALSE(no_cert);
  EXPECT_NE(no_cert.error().message.find("SSL"), std::string::npos);
  std::printf("no certificate: %s\n", no_cert.error().message.c_str());
}

TEST_F(KafkaClientTest, AclsRoundTrip) {
  const KafkaAccess tls = server_->tls_access();
  KafkaAcl read;
  read.name = "orders-";
  read.pattern = AclPattern::prefixed;
  read.principal = "User:alice";
  read.operation = AclOperation::read;
  KafkaAcl group = read;
  group.resource_type = AclResource::group;
  group.name = "alice-";
  KafkaAcl write = read;
  write.operation = AclOperation::write;
  const std::vector<KafkaAcl> wanted = {read, group, write};

  auto created = create_acls(tls, wanted, 10s);
  ASSERT_TRUE(created) << created.error().message;
  std::vector<KafkaAcl> present;
  for (int i = 0; i < 50; ++i) {  // the authorizer applies new ACLs through the metadata log
    auto listed = list_acls(tls, 10s);
    ASSERT_TRUE(listed) << listed.error().message;
    present = *listed;
    if (diff_acls(wanted, present).missing.empty()) break;
    std::this_thread::sleep_for(100ms);
  }
  const AclDiff diff = diff_acls(wanted, present);
  EXPECT_TRUE(diff.missing.empty()) << to_string(diff.missing.front());
  EXPECT_TRUE(diff.extra.empty());
  for (const auto& acl : present) std::printf("acl: %s\n", to_string(acl).c_str());

  auto deleted = delete_acls(server_->bootstrap(), {write, group}, 10s);
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_EQ(*deleted, 2);
  std::vector<KafkaAcl> after;
  for (int i = 0; i < 50; ++i) {
    auto listed = list_acls(tls, 10s);
    ASSERT_TRUE(listed) << listed.error().message;
    after = *listed;
    if (after.size() == 1) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(after, (std::vector<KafkaAcl>{read}));
  EXPECT_EQ(*delete_acls(tls, {read}, 10s), 1);
}

TEST(KafkaClientUnreachable, CallsFailWithinTheirTimeouts) {
  const std::string bs = "127.0.0.1:" + std::to_string(free_port());

  auto t0 = Clock::now();
  auto md = kafka_metadata(bs, 1500ms);
  ASSERT_FALSE(md);
  EXPECT_LT(Clock::now() - t0, 3s);
  EXPECT_NE(md.error().message.find(bs), std::string::npos) << md.error().message;
  std::printf("metadata: %s\n", md.error().message.c_str());

  t0 = Clock::now();
  auto created = create_topic(bs, "t", 1, 1, 1500ms);
  ASSERT_FALSE(created);
  EXPECT_LT(Clock::now() - t0, 4s);
  std::printf("create: %s\n", created.error().message.c_str());

  t0 = Clock::now();
  auto deleted = delete_topic(bs, "t", 1500ms);
  ASSERT_FALSE(deleted);
  EXPECT_LT(Clock::now() - t0, 4s);

  t0 = Clock::now();
  auto min = kafka_min_insync(bs, {"t"}, 1, 1500ms);
  ASSERT_FALSE(min);
  EXPECT_LT(Clock::now() - t0, 4s);

  t0 = Clock::now();
  auto report = produce(bs, "t", 10, 1500ms);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->acked, 0);
  EXPECT_EQ(report->failed, 10);
  EXPECT_FALSE(report->errors.empty());
  EXPECT_LT(Clock::now() - t0, 4s);
  for (const auto& e : report->errors) std::printf("produce error: %s\n", e.c_str());

  t0 = Clock::now();
  auto seen = consume(bs, "t", 1, 1500ms);
  EXPECT_LT(Clock::now() - t0, 6s);
  ASSERT_FALSE(seen);
  EXPECT_NE(seen.error().message.find("no broker reachable"), std::string::npos)
      << seen.error().message;

  t0 = Clock::now();
  zkctl::testing::Producer producer;
  ASSERT_TRUE(producer.start(bs, "t", {.interval = 10ms}));
  std::this_thread::sleep_for(300ms);
  auto pr = producer.stop(500ms);
  EXPECT_LT(Clock::now() - t0, 4s);
  EXPECT_TRUE(pr.acked.empty());
  EXPECT_GT(pr.sent, 0);
  EXPECT_EQ(pr.failed + pr.unresolved, pr.sent);
}

TEST(KafkaClientConfig, BadSettingsAreErrors) {
  auto report = produce("127.0.0.1:1", "t", 1, 0ms);
  ASSERT_TRUE(report);  // a zero timeout still reports, every message failed
  EXPECT_EQ(report->failed, 1);
  auto created = create_topic("127.0.0.1:1", "", 1, 1, 500ms);
  EXPECT_FALSE(created);
}
