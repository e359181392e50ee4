#pragma once
// A TCP connection through a jump host (ProxyJump), done in-process: libssh 0.10
// would instead run `ssh -W` with OpenSSH's own known_hosts and settings. Internal to
// src/remote/.

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "remote/ssh_handles.hpp"
#include "util/result.hpp"

namespace zkctl::remote::detail {

class JumpTunnel {
 public:
  // Open a direct-tcpip channel on the authenticated `jump` session to `host`:`port`
  // and relay it to one end of a socketpair in a thread of its own; `below` (may be
  // null) is the tunnel `jump` itself runs through, kept alive as long as this one.
  // `label` names the target in messages.
  static util::Result<std::shared_ptr<JumpTunnel>> open(SessionPtr jump,
                                                        std::shared_ptr<JumpTunnel> below,
                                                        const std::string& host, int port,
                                                        const std::string& label);
  // Stops the relay, then frees the channel and the jump session.
  ~JumpTunnel();
  JumpTunnel(const JumpTunnel&) = delete;
  JumpTunnel& operator=(const JumpTunnel&) = delete;

  // The socket to give the target session (SSH_OPTIONS_FD); once given, the target
  // session closes it. release_fd() hands it over.
  int release_fd();

 private:
  JumpTunnel() = default;
  void relay();

  std::shared_ptr<JumpTunnel> below_;  // declared first: freed last
  SessionPtr jump_;
  ChannelPtr channel_;
  int local_fd_ = -1;   // our end of the socketpair
  int remote_fd_ = -1;  // the target session's end until released
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace zkctl::remote::detail
