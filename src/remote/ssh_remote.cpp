#include "remote/ssh_remote.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "remote/scripts.hpp"
#include "util/quote.hpp"
#include "util/trace.hpp"

namespace zkctl::remote::detail {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

// SFTP write size: one request per chunk, well under OpenSSH's 256 KiB packet cap.
constexpr std::size_t kChunk = 128 * 1024;
// Upper bound on one wait inside run(), so the deadline is re-checked.
constexpr milliseconds kPollSlice{50};
// Bound on killing a timed-out command's process group.
constexpr std::chrono::seconds kKillTimeout{5};

// Remove a leading "<pid>\n" line from `out` and return the PID; nullopt (and
// `out` untouched) if `out` does not start with one.
std::optional<long> take_pid_line(std::string& out) {
  const auto nl = out.find('\n');
  if (nl == 0 || nl == std::string::npos || nl > 12) return std::nullopt;
  long pid = 0;
  for (std::size_t i = 0; i < nl; ++i) {
    if (out[i] < '0' || out[i] > '9') return std::nullopt;
    pid = pid * 10 + (out[i] - '0');
  }
  out.erase(0, nl + 1);
  if (pid <= 1) return std::nullopt;
  return pid;
}

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

// Split "a/b/c" into ("a/b", "c"); "c" into (".", "c"); "/c" into ("/", "c").
std::pair<std::string, std::string> split_path(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

std::string join_path(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

const char* sftp_code_text(int code) {
  switch (code) {
    case SSH_FX_EOF:
      return "end of file";
    case SSH_FX_NO_SUCH_FILE:
      return "no such file";
    case SSH_FX_PERMISSION_DENIED:
      return "permission denied";
    case SSH_FX_FAILURE:
      return "failure";
    case SSH_FX_BAD_MESSAGE:
      return "bad message";
    case SSH_FX_NO_CONNECTION:
      return "no connection";
    case SSH_FX_CONNECTION_LOST:
      return "connection lost";
    case SSH_FX_OP_UNSUPPORTED:
      return "operation unsupported";
    case SSH_FX_INVALID_HANDLE:
      return "invalid handle";
    case SSH_FX_NO_SUCH_PATH:
      return "no such path";
    case SSH_FX_FILE_ALREADY_EXISTS:
      return "file already exists";
    case SSH_FX_WRITE_PROTECT:
      return "write protected";
    case SSH_FX_NO_MEDIA:
      return "no media";
    default:
      return nullptr;
  }
}

// A forwarded TCP connection; keeps the session alive while it exists.
class SshStream final : public Stream {
 public:
  SshStream(std::string label, SharedSession session, ChannelPtr channel)
      : label_(std::move(label)), session_(std::move(session)), channel_(std::move(channel)) {}
  ~SshStream() override {
    if (ssh_channel_is_open(channel_.get()) != 0) ssh_channel_close(channel_.get());
  }

  util::Result<void> write_all(const std::string& data) override {
    std::size_t off = 0;
    while (off < data.size()) {
      const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(data.size() - off, kChunk));
      const int rc = ssh_channel_write(channel_.get(), data.data() + off, n);
      if (rc == SSH_ERROR) {
        return util::fail(label_ + ": write to forwarded TCP connection failed: " +
                          session_error(session_.get()));
      }
      off += static_cast<std::size_t>(rc);
    }
    return {};
  }

  util::Result<std::string> read_all(milliseconds timeout) override {
    std::string out;
    std::array<char, 16 * 1024> buf{};
    const auto deadline = Clock::now() + timeout;
    while (true) {
      const auto left = duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) break;
      const int n = ssh_channel_read_timeout(channel_.get(), buf.data(), buf.size(), 0,
                                             static_cast<int>(left));
      if (n > 0) {
        out.append(buf.data(), static_cast<std::size_t>(n));
        continue;
      }
      if (n == SSH_EOF || ssh_channel_is_eof(channel_.get()) != 0 ||
          ssh_channel_is_closed(channel_.get()) != 0) {
        break;
      }
      if (n == SSH_ERROR) {
        return util::fail(label_ + ": read from forwarded TCP connection failed: " +
                          session_error(session_.get()));
      }
    }
    return out;
  }

  util::Result<std::string> read_some(milliseconds timeout) override {
    std::array<char, 16 * 1024> buf{};
    const int n = ssh_channel_read_timeout(channel_.get(), buf.data(), buf.size(), 0,
                                           static_cast<int>(std::max<long>(timeout.count(), 1)));
    if (n > 0) return std::string(buf.data(), static_cast<std::size_t>(n));
    if (n == SSH_ERROR) {
      return util::fail(
          label_ + ": read from forwarded TCP connection failed: " + session_error(session_.get()));
    }
    return std::string();  // EOF, closed, or nothing in time
  }

 private:
  std::string label_;
  SharedSession session_;  // declared first: outlives channel_
  ChannelPtr channel_;
};

}  // namespace

SshRemote::SshRemote(std::string label, SharedSession session, std::chrono::seconds io_timeout,
                     Become become, std::string user)
    : label_(std::move(label)),
      session_(std::move(session)),
      io_timeout_(io_timeout),
      become_(become),
      user_(std::move(user)) {}

std::string sudo_failure(const std::string& host, const std::string& user, int exit_status,
                         const std::string& err) {
  const std::string text = one_line(err);
  if (text.find("password is required") != std::string::npos ||
      text.find("terminal is required") != std::string::npos) {
    return "sudo on " + host + " needs a password; zkctl needs NOPASSWD sudo for user " + user;
  }
  if (exit_status == 127) {
    return host + ": become = \"sudo\", but sudo is not installed there (" + text + ")";
  }
  if (text.find("not in the sudoers") != std::string::npos ||
      text.find("not allowed") != std::string::npos) {
    return "sudo on " + host + " refuses user " + user + ": " + text;
  }
  return "sudo on " + host + " failed for user " + user + " (exit " + std::to_string(exit_status) +
         "): " + (text.empty() ? "no message" : text);
}

SshRemote::~SshRemote() = default;

util::Result<CommandResult> SshRemote::run(const std::string& command,
                                           std::chrono::seconds timeout) {
  return run_command(command, nullptr, timeout);
}

util::Result<CommandResult> SshRemote::run_streaming(const std::string& command,
                                                     const OutputSink& sink,
                                                     std::chrono::seconds timeout) {
  return run_command(command, &sink, timeout);
}

util::Result<ChannelPtr> SshRemote::start_command(const std::string& command) {
  ssh_session s = session_.get();
  ChannelPtr ch(ssh_channel_new(s));
  if (!ch || ssh_channel_open_session(ch.get()) != SSH_OK) {
    return util::fail(label_ + ": cannot open an SSH channel: " + session_error(s));
  }
  // The first stdout line is the shell's PID: sshd makes that shell a process
  // group leader, so a timed-out command can be killed as a group (sshd refuses
  // "signal" channel requests for root sessions).
  // With sudo, the shell execs sudo (same PID): the kill below goes through sudo too.
  const std::string wrapped =
      "echo $$\n" + (become_ == Become::sudo
                         ? "exec sudo -n -- /bin/sh -c " + util::shell_quote(command)
                         : command);
  if (ssh_channel_request_exec(ch.get(), wrapped.c_str()) != SSH_OK) {
    return util::fail(label_ + ": cannot start command: " + session_error(s));
  }
  return ch;
}

util::Result<CommandResult> SshRemote::run_command(const std::string& command,
                                                   const OutputSink* sink,
                                                   std::chrono::seconds timeout) {
  ssh_session s = session_.get();
  auto started = start_command(command);
  if (!started) return started.error();
  ChannelPtr ch = std::move(*started);

  CommandResult result;
  std::array<char, 32 * 1024> buf{};
  std::optional<long> pid;  // streaming: the PID line, taken off before `sink` sees output
  // Streaming: hand stdout after the PID line to `sink`.
  auto pass_on = [&]() -> util::Result<void> {
    if (sink == nullptr) return {};
    if (!pid) {
      if (result.out.find('\n') == std::string::npos) return {};
      pid = take_pid_line(result.out).value_or(0);
    }
    if (result.out.empty()) return {};
    auto r = (*sink)(result.out);
    result.out.clear();
    return r;
  };
  auto kill_group = [&] {
    if (!pid) pid = take_pid_line(result.out);
    // Best effort: the command may have ended or ignore SIGTERM.
    if (pid && *pid > 1) {
      (void)run(script_command(scripts::host_kill_group, {std::to_string(*pid)}), kKillTimeout);
    }
  };
  // Move whatever is buffered on both streams into `result` (stdout to `sink` if set).
  auto drain = [&]() -> util::Result<void> {
    for (int is_stderr : {0, 1}) {
      std::string& into = is_stderr != 0 ? result.err : result.out;
      while (true) {
        const int n = ssh_channel_read_nonblocking(ch.get(), buf.data(), buf.size(), is_stderr);
        if (n > 0) {
          into.append(buf.data(), static_cast<std::size_t>(n));
          if (is_stderr == 0) {
            if (auto r = pass_on(); !r) {
              ssh_channel_close(ch.get());
              kill_group();
              return r.error();
            }
          }
          continue;
        }
        if (n == SSH_ERROR) {
          return util::fail(label_ + ": reading command output failed: " + session_error(s));
        }
        break;  // 0 (nothing buffered) or SSH_EOF
      }
    }
    return {};
  };

  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (auto r = drain(); !r) return r.error();
    if (ssh_channel_is_eof(ch.get()) != 0 || ssh_channel_is_closed(ch.get()) != 0) {
      // Data queued before EOF may have arrived while draining the other stream.
      if (auto r = drain(); !r) return r.error();
      break;
    }
    const auto left = duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      ssh_channel_close(ch.get());
      kill_group();
      return util::fail(label_ + ": command timed out after " + std::to_string(timeout.count()) +
                        "s");
    }
    // Waits for stdout data or EOF; stderr data is buffered meanwhile and
    // drained every slice.
    const int rc =
        ssh_channel_poll_timeout(ch.get(), static_cast<int>(std::min(left, kPollSlice).count()), 0);
    if (rc == SSH_ERROR) {
      return util::fail(label_ + ": waiting for command output failed: " + session_error(s));
    }
  }
  if (sink == nullptr) (void)take_pid_line(result.out);
  result.exit_status = ssh_channel_get_exit_status(ch.get());
  ssh_channel_send_eof(ch.get());
  ssh_channel_close(ch.get());
  return result;
}

util::Result<sftp_session> SshRemote::sftp() {
  if (sftp_) return sftp_.get();
  SftpPtr sftp(sftp_new(session_.get()));
  if (!sftp) return util::fail(label_ + ": cannot open SFTP: " + session_error(session_.get()));
  if (sftp_init(sftp.get()) != SSH_OK) {
    return util::fail(label_ + ": cannot start SFTP (is the sftp subsystem enabled in sshd?): " +
                      sftp_error(sftp.get()));
  }
  sftp_ = std::move(sftp);
  return sftp_.get();
}

std::string SshRemote::sftp_error(sftp_session sftp) const {
  const int code = sftp != nullptr ? sftp_get_error(sftp) : 0;
  const char* text = sftp_code_text(code);
  if (text != nullptr && code != SSH_FX_FAILURE) return text;
  return session_error(session_.get());
}

util::Result<void> SshRemote::sftp_write_new(sftp_session sftp, const Source& source,
                                             std::uint64_t total, const std::string& path,
                                             const std::string& what, const ProgressFn& progress) {
  auto remove_tmp = [&] { sftp_unlink(sftp, path.c_str()); };  // best effort

  SftpFilePtr file(sftp_open(sftp, path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
  if (!file) return util::fail(what + ": cannot create " + path + ": " + sftp_error(sftp));

  std::vector<char> buf(kChunk);
  std::uint64_t sent = 0;
  if (progress) progress(0, total);
  while (true) {
    auto got = source(buf.data(), buf.size());
    if (!got) {
      file.reset();
      remove_tmp();
      return got.error();
    }
    if (*got == 0) break;
    std::size_t off = 0;
    while (off < *got) {
      const ssize_t n = sftp_write(file.get(), buf.data() + off, *got - off);
      if (n <= 0) {
        const std::string err = sftp_error(sftp);
        file.reset();
        remove_tmp();
        return util::fail(what + ": write failed after " + std::to_string(sent + off) +
                          " bytes: " + err);
      }
      off += static_cast<std::size_t>(n);
    }
    sent += *got;
    if (progress) progress(sent, total);
  }
  if (sftp_extension_supported(sftp, "fsync@openssh.com", "1") != 0 &&
      sftp_fsync(file.get()) != 0) {
    const std::string err = sftp_error(sftp);
    file.reset();
    remove_tmp();
    return util::fail(what + ": fsync failed: " + err);
  }
  if (sftp_close(file.release()) != SSH_NO_ERROR) {
    const std::string err = sftp_error(sftp);
    remove_tmp();
    return util::fail(what + ": closing " + path + " failed: " + err);
  }
  return {};
}

util::Result<void> SshRemote::put(const Source& source, std::uint64_t total,
                                  const std::string& remote_path, int mode,
                                  const ProgressFn& progress) {
  if (become_ == Become::sudo) return put_staged(source, total, remote_path, mode, progress);
  auto sftp_r = sftp();
  if (!sftp_r) return sftp_r.error();
  sftp_session sftp = *sftp_r;

  const auto [dir, name] = split_path(remote_path);
  const std::string what = label_ + ": cannot write " + remote_path;
  if (name.empty() || name == "." || name == "..") {
    return util::fail(what + ": not a file name");
  }
  {
    SftpAttributesPtr dir_attr(sftp_stat(sftp, dir.c_str()));
    if (!dir_attr) {
      const int code = sftp_get_error(sftp);
      if (code == SSH_FX_NO_SUCH_FILE || code == SSH_FX_NO_SUCH_PATH) {
        return util::fail(what + ": directory " + dir + " does not exist");
      }
      return util::fail(what + ": cannot stat directory " + dir + ": " + sftp_error(sftp));
    }
    if (dir_attr->type != SSH_FILEXFER_TYPE_DIRECTORY) {
      return util::fail(what + ": " + dir + " is not a directory");
    }
  }
  Dest dest_state = Dest::may_exist;
  {
    SftpAttributesPtr attr(sftp_lstat(sftp, remote_path.c_str()));
    if (attr && attr->type == SSH_FILEXFER_TYPE_DIRECTORY) {
      return util::fail(what + ": it is a directory");
    }
    if (!attr && sftp_get_error(sftp) == SSH_FX_NO_SUCH_FILE) dest_state = Dest::absent;
  }

  const std::string tmp = join_path(dir, "." + name + ".zkctl-tmp-" + random_suffix());
  if (auto r = sftp_write_new(sftp, source, total, tmp, what, progress); !r) return r;
  auto remove_tmp = [&] { sftp_unlink(sftp, tmp.c_str()); };  // best effort
  if (sftp_chmod(sftp, tmp.c_str(), static_cast<mode_t>(mode & 07777)) != 0) {
    const std::string err = sftp_error(sftp);
    remove_tmp();
    return util::fail(what + ": chmod failed: " + err);
  }
  if (auto r = rename_over(sftp, tmp, remote_path, dest_state); !r) {
    remove_tmp();
    return r;
  }
  return {};
}

util::Result<void> SshRemote::put_staged(const Source& source, std::uint64_t total,
                                         const std::string& remote_path, int mode,
                                         const ProgressFn& progress) {
  const auto [dir, name] = split_path(remote_path);
  const std::string what = label_ + ": cannot write " + remote_path;
  if (name.empty() || name == "." || name == "..") {
    return util::fail(what + ": not a file name");
  }
  auto sftp_r = sftp();
  if (!sftp_r) return sftp_r.error();
  const std::string staging = "/tmp/.zkctl-upload-" + random_suffix();
  if (auto r = sftp_write_new(*sftp_r, source, total, staging, what, progress); !r) return r;

  const std::string tmp = join_path(dir, "." + name + ".zkctl-tmp-" + random_suffix());
  char mode_text[8];
  std::snprintf(mode_text, sizeof mode_text, "%o", static_cast<unsigned>(mode & 07777));
  // As root (run() adds sudo): host/install-staged.sh copies it beside `remote_path`,
  // chmods, flushes and renames; exit 3 with a message for a bad destination.
  auto r =
      run(script_command(scripts::host_install_staged, {staging, dir, remote_path, tmp, mode_text}),
          io_timeout_);
  if (!r) {
    sftp_unlink(*sftp_r, staging.c_str());  // best effort
    return util::fail(what + ": " + r.error().message);
  }
  if (r->exit_status != 0) {
    return util::fail(
        what + ": " +
        one_line(r->err.empty() ? "installing it as root exited " + std::to_string(r->exit_status)
                                : r->err));
  }
  return {};
}

util::Result<void> SshRemote::rename_over(sftp_session sftp, const std::string& tmp,
                                          const std::string& dest, Dest dest_state) {
  // libssh 0.10 has no posix-rename@openssh.com call; plain SFTP rename fails
  // when `dest` exists, so that case goes through mv (rename(2), same directory).
  if (dest_state == Dest::absent && sftp_rename(sftp, tmp.c_str(), dest.c_str()) == 0) return {};
  auto r = run(util::shell_join({"mv", "-f", "--", tmp, dest}), io_timeout_);
  if (!r) return r.error();
  if (r->exit_status != 0) {
    return util::fail(
        label_ + ": cannot rename " + tmp + " to " + dest + ": " +
        one_line(r->err.empty() ? "mv exited " + std::to_string(r->exit_status) : r->err));
  }
  return {};
}

util::Result<void> SshRemote::upload_file(const std::string& local_path,
                                          const std::string& remote_path, int mode,
                                          const ProgressFn& progress) {
  util::trace(label_, "upload " + local_path + " -> " + remote_path);
  std::ifstream in(local_path, std::ios::binary | std::ios::ate);
  if (!in) return util::fail(label_ + ": cannot upload " + local_path + ": cannot open it");
  const auto size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  Source source = [&](char* buf, std::size_t cap) -> util::Result<std::size_t> {
    in.read(buf, static_cast<std::streamsize>(cap));
    if (in.bad()) return util::fail(label_ + ": cannot upload " + local_path + ": read error");
    return static_cast<std::size_t>(in.gcount());
  };
  return put(source, size, remote_path, mode, progress);
}

util::Result<void> SshRemote::write_file(const std::string& content, const std::string& remote_path,
                                         int mode) {
  util::trace(label_, "write " + remote_path + " (" + std::to_string(content.size()) + " bytes)");
  std::size_t off = 0;
  Source source = [&](char* buf, std::size_t cap) -> util::Result<std::size_t> {
    const std::size_t n = std::min(cap, content.size() - off);
    std::copy_n(content.data() + off, n, buf);
    off += n;
    return n;
  };
  return put(source, content.size(), remote_path, mode, ProgressFn{});
}

util::Result<std::unique_ptr<Stream>> SshRemote::open_tcp(const std::string& host, int port) {
  util::trace(label_, "tcp channel to " + host + ":" + std::to_string(port));
  ssh_session s = session_.get();
  ChannelPtr ch(ssh_channel_new(s));
  if (!ch) return util::fail(label_ + ": cannot open an SSH channel: " + session_error(s));
  if (ssh_channel_open_forward(ch.get(), host.c_str(), port, "127.0.0.1", 0) != SSH_OK) {
    return util::fail(label_ + ": cannot open TCP connection to " + host + ":" +
                      std::to_string(port) + " through SSH: " + session_error(s));
  }
  return std::unique_ptr<Stream>(std::make_unique<SshStream>(label_, session_, std::move(ch)));
}

}  // namespace zkctl::remote::detail
