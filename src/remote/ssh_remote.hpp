#pragma once
// SshRemote: Remote over one authenticated libssh session (internal to
// src/remote/; callers get it through connect_ssh()).

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "remote/remote.hpp"
#include "remote/ssh.hpp"
#include "remote/ssh_handles.hpp"
#include "util/result.hpp"

namespace zkctl::remote::detail {

class SshRemote final : public Remote {
 public:
  // Takes an authenticated `session`; `label` names the host in messages;
  // `io_timeout` bounds internal helper commands (the rename in uploads); with
  // Become::sudo every command runs through `sudo -n` and uploads are staged in /tmp
  // by `user` (the SSH user), then installed by root.
  SshRemote(std::string label, SharedSession session, std::chrono::seconds io_timeout,
            Become become, std::string user);
  ~SshRemote() override;

  const std::string& host() const override { return label_; }
  util::Result<CommandResult> run(const std::string& command,
                                  std::chrono::seconds timeout) override;
  util::Result<CommandResult> run_streaming(const std::string& command, const OutputSink& sink,
                                            std::chrono::seconds timeout) override;
  util::Result<void> upload_file(const std::string& local_path, const std::string& remote_path,
                                 int mode, const ProgressFn& progress) override;
  util::Result<void> write_file(const std::string& content, const std::string& remote_path,
                                int mode) override;
  util::Result<std::unique_ptr<Stream>> open_tcp(const std::string& host, int port) override;

 private:
  // Fills `buf` with up to `cap` bytes; 0 means the source is exhausted.
  using Source = std::function<util::Result<std::size_t>(char* buf, std::size_t cap)>;

  // A channel running `command` (as root with Become::sudo), its stdout starting with
  // the shell's PID line.
  util::Result<ChannelPtr> start_command(const std::string& command);
  // run() and run_streaming(): standard output to `sink` when it is set.
  util::Result<CommandResult> run_command(const std::string& command, const OutputSink* sink,
                                          std::chrono::seconds timeout);
  // The session's SFTP channel, opened on first use.
  util::Result<sftp_session> sftp();
  // Error text for the last SFTP failure.
  std::string sftp_error(sftp_session sftp) const;
  // Stream `total` bytes from `source` to a temp file beside `remote_path`, set
  // `mode`, rename into place; removes the temp file on failure.
  util::Result<void> put(const Source& source, std::uint64_t total, const std::string& remote_path,
                         int mode, const ProgressFn& progress);
  enum class Dest { absent, may_exist };
  // Replace `dest` with `tmp` atomically (rename(2) on the host); SFTP's own
  // rename when `dest` is absent, else `mv -f` (SFTP v3 rename never overwrites).
  util::Result<void> rename_over(sftp_session sftp, const std::string& tmp, const std::string& dest,
                                 Dest dest_state);
  // Become::sudo: stream `source` over SFTP to a staging file in /tmp (the SSH user's),
  // then as root copy it to a temp name beside `remote_path`, set `mode`, fsync and
  // rename into place; the staging file is removed in every case.
  util::Result<void> put_staged(const Source& source, std::uint64_t total,
                                const std::string& remote_path, int mode,
                                const ProgressFn& progress);
  // Write `source` to a new file `path` (O_EXCL, 0600) over SFTP and fsync it; removes
  // it on failure. `what` prefixes messages.
  util::Result<void> sftp_write_new(sftp_session sftp, const Source& source, std::uint64_t total,
                                    const std::string& path, const std::string& what,
                                    const ProgressFn& progress);

  std::string label_;
  SharedSession session_;  // declared before sftp_: freed after it
  SftpPtr sftp_;
  std::chrono::seconds io_timeout_;
  Become become_;
  std::string user_;
};

// The one-line error for a failed `sudo -n true` on `host` as `user`, from its exit
// status and stderr, e.g. "sudo on node1 needs a password; zkctl needs NOPASSWD sudo
// for user zkops".
std::string sudo_failure(const std::string& host, const std::string& user, int exit_status,
                         const std::string& err);

}  // namespace zkctl::remote::detail
