#pragma once
// RAII owners for libssh handles (internal to src/remote/). Each unique_ptr
// frees its handle with the matching libssh call.

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <memory>
#include <string>

namespace zkctl::remote::detail {

struct SessionFree {
  void operator()(ssh_session s) const {
    if (ssh_is_connected(s) != 0) ssh_disconnect(s);
    ssh_free(s);
  }
};
struct ChannelFree {
  void operator()(ssh_channel c) const { ssh_channel_free(c); }
};
struct SftpFree {
  void operator()(sftp_session s) const { sftp_free(s); }
};
struct SftpFileFree {
  void operator()(sftp_file f) const { sftp_close(f); }
};
struct SftpAttributesFree {
  void operator()(sftp_attributes a) const { sftp_attributes_free(a); }
};
struct KeyFree {
  void operator()(ssh_key k) const { ssh_key_free(k); }
};

using SessionPtr = std::unique_ptr<ssh_session_struct, SessionFree>;
// Sessions are shared between a Remote and the Streams it opened, so a Stream
// never outlives the session its channel lives on.
using SharedSession = std::shared_ptr<ssh_session_struct>;
using ChannelPtr = std::unique_ptr<ssh_channel_struct, ChannelFree>;
using SftpPtr = std::unique_ptr<sftp_session_struct, SftpFree>;
using SftpFilePtr = std::unique_ptr<sftp_file_struct, SftpFileFree>;
using SftpAttributesPtr = std::unique_ptr<sftp_attributes_struct, SftpAttributesFree>;
using KeyPtr = std::unique_ptr<ssh_key_struct, KeyFree>;

// Call ssh_init() exactly once per process, before any thread uses libssh.
void ensure_libssh_initialized();

// `message` with line breaks folded into spaces and trailing space trimmed.
std::string one_line(std::string message);

// The session's last error as one line ("unknown error" if empty).
std::string session_error(ssh_session session);

}  // namespace zkctl::remote::detail
