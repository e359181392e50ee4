#pragma once
// A connection to one host: run commands, upload files, open TCP channels.
// One Remote is used by one thread at a time (libssh's threading rule).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace zkctl::remote {

struct CommandResult {
  int exit_status = -1;
  std::string out;
  std::string err;
};

// Called during uploads with bytes sent so far and the total.
using ProgressFn = std::function<void(std::uint64_t sent, std::uint64_t total)>;

// Gets each piece of a streamed command's standard output, in order; an error stops
// the command (its process group is killed) and is returned by run_streaming.
using OutputSink = std::function<util::Result<void>(std::string_view chunk)>;

// A bidirectional byte stream (a forwarded TCP connection through SSH).
class Stream {
 public:
  virtual ~Stream() = default;
  virtual util::Result<void> write_all(const std::string& data) = 0;
  // Read until EOF or `timeout`; returns what arrived.
  virtual util::Result<std::string> read_all(std::chrono::milliseconds timeout) = 0;
  // Read what arrives next, waiting up to `timeout`: some bytes, or empty at EOF or when
  // nothing came in time (for protocols with turns, such as a TLS handshake).
  virtual util::Result<std::string> read_some(std::chrono::milliseconds /*timeout*/) {
    return util::fail("this connection cannot be read piece by piece");
  }
};

class Remote {
 public:
  virtual ~Remote() = default;

  // The host this Remote talks to, as named in the inventory.
  virtual const std::string& host() const = 0;

  // Run `command` (already shell-quoted, see util::shell_join) through the
  // remote user's shell (with become = sudo: `sudo -n /bin/sh -c`, as root); fails
  // only if the command could not be run or timed out, a non-zero exit is a value
  // in CommandResult.
  virtual util::Result<CommandResult> run(const std::string& command,
                                          std::chrono::seconds timeout) = 0;

  // run(), but standard output goes to `sink` as it arrives instead of into
  // CommandResult::out (left empty): for outputs too large to hold, such as a backup's
  // tar stream. This default runs run() and hands its whole output over at the end.
  virtual util::Result<CommandResult> run_streaming(const std::string& command,
                                                    const OutputSink& sink,
                                                    std::chrono::seconds timeout) {
    auto r = run(command, timeout);
    if (!r) return r;
    if (!r->out.empty()) {
      if (auto s = sink(r->out); !s) return s.error();
    }
    r->out.clear();
    return r;
  }

  // Copy local file `local_path` to `remote_path` with `mode`: written to a temp
  // name beside it over SFTP, then renamed into place, so the file is either
  // whole or absent.
  virtual util::Result<void> upload_file(const std::string& local_path,
                                         const std::string& remote_path, int mode,
                                         const ProgressFn& progress) = 0;

  // Write `content` to `remote_path` the same way (temp name, rename).
  virtual util::Result<void> write_file(const std::string& content, const std::string& remote_path,
                                        int mode) = 0;

  // Open a TCP connection from the remote host to `host`:`port`.
  virtual util::Result<std::unique_ptr<Stream>> open_tcp(const std::string& host, int port) = 0;
};

}  // namespace zkctl::remote
