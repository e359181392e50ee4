#include "remote/jump.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <utility>

namespace zkctl::remote::detail {
namespace {

struct EventFree {
  void operator()(ssh_event e) const { ssh_event_free(e); }
};
struct ConnectorFree {
  void operator()(ssh_connector c) const { ssh_connector_free(c); }
};
using EventPtr = std::unique_ptr<ssh_event_struct, EventFree>;
using ConnectorPtr = std::unique_ptr<ssh_connector_struct, ConnectorFree>;

// Poll slice of the relay: how soon it notices stop_.
constexpr int kRelayPollMs = 100;

}  // namespace

util::Result<std::shared_ptr<JumpTunnel>> JumpTunnel::open(SessionPtr jump,
                                                           std::shared_ptr<JumpTunnel> below,
                                                           const std::string& host, int port,
                                                           const std::string& label) {
  std::shared_ptr<JumpTunnel> t(new JumpTunnel());
  t->below_ = std::move(below);
  t->jump_ = std::move(jump);
  t->channel_.reset(ssh_channel_new(t->jump_.get()));
  if (!t->channel_ ||
      ssh_channel_open_forward(t->channel_.get(), host.c_str(), port, "127.0.0.1", 0) != SSH_OK) {
    return util::fail(label + ": the jump host cannot open a TCP connection to " + host + " port " +
                      std::to_string(port) + ": " + session_error(t->jump_.get()));
  }
  int fds[2] = {-1, -1};
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return util::fail(label + ": cannot create a socket pair for the jump host");
  }
  t->local_fd_ = fds[0];
  t->remote_fd_ = fds[1];
  t->thread_ = std::thread([raw = t.get()] { raw->relay(); });
  return t;
}

int JumpTunnel::release_fd() {
  return std::exchange(remote_fd_, -1);
}

void JumpTunnel::relay() {
  ssh_session s = jump_.get();
  ssh_channel ch = channel_.get();
  EventPtr event(ssh_event_new());
  ConnectorPtr to_channel(ssh_connector_new(s));
  ConnectorPtr from_channel(ssh_connector_new(s));
  if (!event || !to_channel || !from_channel) {
    ::shutdown(local_fd_, SHUT_RDWR);
    return;
  }
  ssh_connector_set_in_fd(to_channel.get(), local_fd_);
  ssh_connector_set_out_channel(to_channel.get(), ch, SSH_CONNECTOR_STDINOUT);
  ssh_connector_set_in_channel(from_channel.get(), ch, SSH_CONNECTOR_STDINOUT);
  ssh_connector_set_out_fd(from_channel.get(), local_fd_);
  ssh_event_add_connector(event.get(), to_channel.get());
  ssh_event_add_connector(event.get(), from_channel.get());
  while (!stop_.load()) {
    if (ssh_channel_is_closed(ch) != 0 || ssh_channel_is_eof(ch) != 0) break;
    if (ssh_event_dopoll(event.get(), kRelayPollMs) == SSH_ERROR) break;
  }
  ssh_event_remove_connector(event.get(), to_channel.get());
  ssh_event_remove_connector(event.get(), from_channel.get());
  // The target session sees the end of its connection.
  ::shutdown(local_fd_, SHUT_RDWR);
}

JumpTunnel::~JumpTunnel() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (channel_ && ssh_channel_is_open(channel_.get()) != 0) ssh_channel_close(channel_.get());
  channel_.reset();
  if (local_fd_ >= 0) ::close(local_fd_);
  if (remote_fd_ >= 0) ::close(remote_fd_);
  jump_.reset();
}

}  // namespace zkctl::remote::detail
