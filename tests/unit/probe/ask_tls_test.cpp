// Four-letter words over TLS (ask_tcp, ask_tcp_all, ask_via) against FakeZk's TLS mode with
// certificates made by the openssl command: right CA and client certificate answer; a wrong
// CA, a wrong host name, a missing client certificate and a plaintext port fail clearly.

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

#include "probe/ask.hpp"
#include "probe/node.hpp"
#include "probe/tls_client.hpp"
#include "support/fake_zk.hpp"
#include "support/test_pki.hpp"

using namespace zkctl::probe;
using namespace std::chrono_literals;
using probe_test::ClientAuth;
using probe_test::FakeRemote;
using probe_test::FakeZk;
using probe_test::ServerTls;
using probe_test::TestPki;

namespace {

const std::string kSrvr =
    "Zookeeper version: 3.8.4\nLatency min/avg/max: 0/0.0/0\nReceived: 1\nSent: 0\n"
    "Connections: 1\nOutstanding: 0\nZxid: 0x100000000\nMode: follower\nNode count: 5\n";

class AskTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new TestPki(); }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  static ServerTls server(const std::string& cert = "server", ClientAuth auth = ClientAuth::need) {
    return {pki_->pem(cert), pki_->key(cert), pki_->pem("ca"), auth};
  }
  static ClientTls client(const std::string& ca = "ca", const std::string& cert = "client") {
    if (cert.empty()) return {pki_->pem(ca), "", ""};
    return {pki_->pem(ca), pki_->pem(cert), pki_->key(cert)};
  }
  static TestPki* pki_;
};
TestPki* AskTls::pki_ = nullptr;

bool mentions(const Answer& a, const std::string& text) {
  return !a && a.error().message.find(text) != std::string::npos;
}

}  // namespace

TEST_F(AskTls, AnswersWithTheRightCaAndClientCertificate) {
  FakeZk zk(server(), {{"srvr", kSrvr}});
  auto a = ask_tcp("127.0.0.1", zk.port(), "srvr", 3000ms, client());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(*a, kSrvr);
  // A DNS name in the certificate works too (localhost may try ::1 first, where nothing is).
  auto by_name = ask_tcp("localhost", zk.port(), "srvr", 3000ms, client());
  ASSERT_TRUE(by_name) << by_name.error().message;
  EXPECT_EQ(zk.words(), (std::vector<std::string>{"srvr", "srvr"}));
}

TEST_F(AskTls, AWrongCaFailsVerification) {
  FakeZk zk(server(), {{"srvr", kSrvr}});
  auto a = ask_tcp("127.0.0.1", zk.port(), "srvr", 3000ms, client("other-ca", "client"));
  EXPECT_EQ(a.failure(), Failure::tls);
  EXPECT_TRUE(mentions(a, "certificate verify failed")) << a.error().message;
  EXPECT_TRUE(mentions(a, "not issued by the cluster CA")) << a.error().message;
  EXPECT_TRUE(zk.words().empty());
}

TEST_F(AskTls, AWrongHostNameOrAddressFailsVerification) {
  FakeZk zk(server("elsewhere"), {{"srvr", kSrvr}});
  auto by_ip = ask_tcp("127.0.0.1", zk.port(), "srvr", 3000ms, client());
  EXPECT_EQ(by_ip.failure(), Failure::tls);
  EXPECT_TRUE(mentions(by_ip, "certificate verify failed")) << by_ip.error().message;
  EXPECT_TRUE(mentions(by_ip, "does not name the host")) << by_ip.error().message;
  auto by_name = ask_tcp("localhost", zk.port(), "srvr", 3000ms, client());
  EXPECT_EQ(by_name.failure(), Failure::tls);
  EXPECT_TRUE(mentions(by_name, "hostname mismatch")) << by_name.error().message;
  EXPECT_TRUE(zk.words().empty());
}

TEST_F(AskTls, NoClientCertificateWhereOneIsNeededFailsClearly) {
  FakeZk zk(server(), {{"srvr", kSrvr}});
  auto a = ask_tcp("127.0.0.1", zk.port(), "srvr", 3000ms, client("ca", ""));
  EXPECT_EQ(a.failure(), Failure::tls) << a.error().message;
  EXPECT_TRUE(mentions(a, "client certificate")) << a.error().message;
  // A certificate from another CA is refused as well.
  auto stranger = ask_tcp("127.0.0.1", zk.port(), "srvr", 3000ms, client("ca", "stranger"));
  EXPECT_EQ(stranger.failure(), Failure::tls) << stranger.error().message;
  EXPECT_TRUE(mentions(stranger, "client certificate")) << stranger.error().message;
  EXPECT_TRUE(zk.words().empty());
  // Without client authentication, no certificate is fine.
  FakeZk open(server("server", ClientAuth::none), {{"srvr", kSrvr}});
  auto ok = ask_tcp("127.0.0.1", open.port(), "srvr", 3000ms, client("ca", ""));
  EXPECT_TRUE(ok) << ok.error().message;
}

TEST_F(AskTls, APlaintextPortFailsDuringTheHandshake) {
  FakeZk plain({{"srvr", kSrvr}});
  auto a = ask_tcp("127.0.0.1", plain.port(), "srvr", 3000ms, client());
  EXPECT_EQ(a.failure(), Failure::tls);
  EXPECT_TRUE(mentions(a, "TLS handshake")) << a.error().message;
  // And a TLS port asked in plaintext does not answer the word.
  FakeZk secure(server(), {{"srvr", kSrvr}});
  auto b = ask_tcp("127.0.0.1", secure.port(), "srvr", 1000ms);
  EXPECT_FALSE(b);
  EXPECT_TRUE(secure.words().empty());
}

TEST_F(AskTls, ABadCaFileIsNamed) {
  FakeZk zk(server(), {{"srvr", kSrvr}});
  auto a = ask_tcp("127.0.0.1", zk.port(), "srvr", 1000ms, {"/nonexistent/ca.pem", "", ""});
  EXPECT_EQ(a.failure(), Failure::tls);
  EXPECT_TRUE(mentions(a, "/nonexistent/ca.pem")) << a.error().message;
  EXPECT_EQ(std::string(to_string(Failure::tls)), "tls");
}

TEST_F(AskTls, OnePollLoopForSeveralTlsServers) {
  FakeZk a(server(), {{"srvr", kSrvr}, {"mntr", "zk_server_state\tleader\n"}});
  FakeZk b(server(), {{"srvr", kSrvr}});
  FakeZk wrong(server("elsewhere"), {{"srvr", kSrvr}});
  probe_test::BoundSocket closed;
  const auto start = std::chrono::steady_clock::now();
  auto answers = ask_tcp_all({{"127.0.0.1", a.port(), "srvr"},
                              {"127.0.0.1", b.port(), "srvr"},
                              {"127.0.0.1", a.port(), "mntr"},
                              {"127.0.0.1", wrong.port(), "srvr"},
                              {"127.0.0.1", closed.port(), "srvr"}},
                             3000ms, client());
  ASSERT_EQ(answers.size(), 5u);
  ASSERT_TRUE(answers[0]) << answers[0].error().message;
  EXPECT_EQ(*answers[0], kSrvr);
  ASSERT_TRUE(answers[1]) << answers[1].error().message;
  ASSERT_TRUE(answers[2]) << answers[2].error().message;
  EXPECT_EQ(*answers[2], "zk_server_state\tleader\n");
  EXPECT_EQ(answers[3].failure(), Failure::tls);
  EXPECT_EQ(answers[4].failure(), Failure::refused);
  EXPECT_LT(probe_test::ms_since(start), 3000ms);
  // probe_nodes_tcp passes TLS on.
  auto probes = probe_nodes_tcp({{"127.0.0.1", b.port()}}, 3000ms, AskMntr::no, client());
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0].mode, Mode::follower) << probes[0].detail;
}

TEST_F(AskTls, AskViaRunsTlsOverTheChannel) {
  FakeZk zk(server(), {{"srvr", kSrvr}});
  FakeRemote remote;
  remote.forward_port = zk.port();
  auto a = ask_via(remote, "127.0.0.1", zk.port(), "srvr", 3000ms, client());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(*a, kSrvr);
  auto wrong_ca = ask_via(remote, "127.0.0.1", zk.port(), "srvr", 3000ms, client("other-ca"));
  EXPECT_EQ(wrong_ca.failure(), Failure::tls);
  EXPECT_TRUE(mentions(wrong_ca, "certificate verify failed")) << wrong_ca.error().message;
  EXPECT_TRUE(mentions(wrong_ca, "via ssh to jump1")) << wrong_ca.error().message;
  auto no_cert = ask_via(remote, "127.0.0.1", zk.port(), "srvr", 3000ms, client("ca", ""));
  EXPECT_EQ(no_cert.failure(), Failure::tls) << no_cert.error().message;
  EXPECT_TRUE(mentions(no_cert, "client certificate")) << no_cert.error().message;
  FakeZk plain({{"srvr", kSrvr}});
  remote.forward_port = plain.port();
  auto p = ask_via(remote, "127.0.0.1", plain.port(), "srvr", 3000ms, client());
  EXPECT_EQ(p.failure(), Failure::tls) << p.error().message;
  EXPECT_TRUE(mentions(p, "TLS handshake")) << p.error().message;
  // probe_node_via passes TLS on.
  remote.forward_port = zk.port();
  auto probe = probe_node_via(remote, "127.0.0.1", zk.port(), 3000ms, client());
  EXPECT_EQ(probe.mode, Mode::follower) << probe.detail;
}

TEST(SigpipeGuard, AWriteToAClosedPeerDoesNotEndTheProcess) {
  // OpenSSL writes with write(2); without the guard this write ends the test with SIGPIPE.
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ::close(sv[1]);
  {
    const tls::SigpipeGuard guard;
    EXPECT_EQ(::write(sv[0], "x", 1), -1);
    EXPECT_EQ(errno, EPIPE);
  }
  ::close(sv[0]);
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0);  // taken off, not left for later
  sigset_t mask;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  EXPECT_EQ(sigismember(&mask, SIGPIPE), 0);  // the mask restored
}
