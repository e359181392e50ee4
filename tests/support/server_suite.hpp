#pragma once
// A gtest suite around one local server started once for all its tests; each test skips,
// with the reason, when the server could not start (no java, no fixture tarball, ...).
// Includes the pieces such servers are built from (child_process.hpp, free_port.hpp).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "support/child_process.hpp"
#include "support/free_port.hpp"

namespace zkctl::testing {

using Clock = std::chrono::steady_clock;  // what server tests time their waits with

// `Server` has `bool start(std::string& why)` and stops on destruction.
template <class Server>
class ServerSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<Server>();
    const auto t0 = Clock::now();
    if (!server_->start(skip_reason_)) {
      server_.reset();
      return;
    }
    std::printf("server ready after %.1f s\n",
                std::chrono::duration<double>(Clock::now() - t0).count());
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << skip_reason_;
  }

  static inline std::unique_ptr<Server> server_;
  static inline std::string skip_reason_;
};

}  // namespace zkctl::testing
