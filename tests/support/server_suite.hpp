#pragma once
// A gtest suite around one local server started once for all its tests; each test skips,
// with the reason, when the server could not start (no java, no fixture tarball, ...).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

namespace zkctl::testing {

// `Server` has `bool start(std::string& why)` and stops on destruction.
template <class Server>
class ServerSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<Server>();
    const auto t0 = std::chrono::steady_clock::now();
    if (!server_->start(skip_reason_)) {
      server_.reset();
      return;
    }
    std::printf("server ready after %.1f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << skip_reason_;
  }

  static inline std::unique_ptr<Server> server_;
  static inline std::string skip_reason_;
};

}  // namespace zkctl::testing
