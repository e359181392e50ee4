// TlsRelay: a connection from this process is relayed over TLS to an echo server; one from
// another process is closed without reaching it; a failed handshake is reported; the
// relay's ports close when it is destroyed. ZkClient reports relay failures.

#include "probe/tls_relay.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "probe/zk_client.hpp"
#include "support/fake_zk.hpp"
#include "support/free_port.hpp"
#include "support/test_pki.hpp"
#include "support/tls_front.hpp"

using namespace zkctl::probe;
using namespace std::chrono_literals;
using probe_test::BoundSocket;
using probe_test::TestPki;
using probe_test::TlsFront;

namespace {

// Read until `want` bytes, EOF or 3 s.
std::string read_some(int fd, std::size_t want) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[256];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

class Relay : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new TestPki(); }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  static ClientTls client() { return {pki_->pem("ca"), pki_->pem("client"), pki_->key("client")}; }
  static TestPki* pki_;
};
TestPki* Relay::pki_ = nullptr;

}  // namespace

TEST_F(Relay, RelaysAConnectionFromThisProcess) {
  TlsFront echo(*pki_, "server");
  auto relay = TlsRelay::start({{"127.0.0.1", echo.port()}, {"localhost", echo.port()}}, client());
  ASSERT_TRUE(relay) << relay.error().message;
  for (std::size_t i = 0; i < 2; ++i) {
    const int fd = zkctl::testing::connect_loopback((*relay)->port(i));
    ASSERT_GE(fd, 0);
    const std::string hello = "hello through the relay " + std::to_string(i);
    ASSERT_EQ(::send(fd, hello.data(), hello.size(), 0), static_cast<ssize_t>(hello.size()));
    EXPECT_EQ(read_some(fd, hello.size()), hello);
    ::close(fd);
  }
  EXPECT_EQ((*relay)->refused(), 0);
  EXPECT_EQ((*relay)->last_failure(), "");
}

TEST_F(Relay, ClosesAConnectionFromAnotherProcessUnrelayed) {
  TlsFront echo(*pki_, "server");
  auto relay = TlsRelay::start({{"127.0.0.1", echo.port()}}, client());
  ASSERT_TRUE(relay) << relay.error().message;
  const int port = (*relay)->port(0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Another process: connect, send, expect the relay to close at once with no echo.
    const int fd = zkctl::testing::connect_loopback(port);
    if (fd < 0) ::_exit(2);
    ::send(fd, "hello", 5, MSG_NOSIGNAL);
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 3000) <= 0) ::_exit(3);  // not closed
    char buf[16];
    ::_exit(::recv(fd, buf, sizeof buf, 0) <= 0 ? 0 : 4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: no connect, 3: not closed, 4: got data";
  EXPECT_EQ((*relay)->refused(), 1);
  EXPECT_EQ(echo.accepted(), 0);
  EXPECT_TRUE(peer_is_this_process(-1) == false);
}

TEST_F(Relay, AFailedHandshakeIsReported) {
  TlsFront echo(*pki_, "elsewhere");  // names elsewhere.example only
  auto relay = TlsRelay::start({{"127.0.0.1", echo.port()}}, client());
  ASSERT_TRUE(relay) << relay.error().message;
  const int fd = zkctl::testing::connect_loopback((*relay)->port(0));
  ASSERT_GE(fd, 0);
  ::send(fd, "hello", 5, MSG_NOSIGNAL);
  EXPECT_EQ(read_some(fd, 5), "");  // closed
  ::close(fd);
  EXPECT_NE((*relay)->last_failure().find("certificate verify failed"), std::string::npos)
      << (*relay)->last_failure();
}

TEST_F(Relay, EndsWithItsOwner) {
  TlsFront echo(*pki_, "server");
  int port = 0;
  int held = -1;
  {
    auto relay = TlsRelay::start({{"127.0.0.1", echo.port()}}, client());
    ASSERT_TRUE(relay) << relay.error().message;
    port = (*relay)->port(0);
    held = zkctl::testing::connect_loopback(port);
    ASSERT_GE(held, 0);
    ::send(held, "x", 1, MSG_NOSIGNAL);
    EXPECT_EQ(read_some(held, 1), "x");
  }
  // The relayed connection is closed and nothing listens any more.
  EXPECT_EQ(read_some(held, 1), "");
  ::close(held);
  EXPECT_LT(zkctl::testing::connect_loopback(port), 0);
}

TEST_F(Relay, BadTargetsAndFilesAreErrors) {
  auto unresolved = TlsRelay::start({{"no-such-host.invalid", 1}}, client());
  ASSERT_FALSE(unresolved);
  EXPECT_NE(unresolved.error().message.find("no-such-host.invalid"), std::string::npos);
  auto bad_ca = TlsRelay::start({{"127.0.0.1", 1}}, {"/nonexistent/ca.pem", "", ""});
  ASSERT_FALSE(bad_ca);
  EXPECT_NE(bad_ca.error().message.find("/nonexistent/ca.pem"), std::string::npos);
}

TEST_F(Relay, ZkClientOverTlsNamesTheRelaysFailure) {
  // A TLS server whose certificate names another host: the session never starts, and the
  // error says why in TLS terms (real ZooKeeper over TLS: the end-to-end tests).
  TlsFront echo(*pki_, "elsewhere");
  ZkOptions options;
  options.tls = client();
  const std::string connect = "127.0.0.1:" + std::to_string(echo.port()) + "/chroot";
  auto zk = ZkClient::connect(connect, 1500ms, options);
  ASSERT_FALSE(zk);
  EXPECT_NE(zk.error().message.find(connect), std::string::npos) << zk.error().message;
  EXPECT_NE(zk.error().message.find("certificate verify failed"), std::string::npos)
      << zk.error().message;
}
