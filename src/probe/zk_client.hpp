#pragma once
// A ZooKeeper client session from the control machine (ZooKeeper's C client, -mt flavour):
// read, write and list znodes, e.g. to check that a write through one server is seen through
// another. Every call is bounded; failures are values carrying zerror() text.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "probe/tls.hpp"
#include "util/result.hpp"

namespace zkctl::probe {

// How a znode is created.
enum class CreateMode {
  persistent,             // stays until deleted
  ephemeral,              // deleted when this session ends
  persistent_sequential,  // persistent, with a 10-digit sequence number appended to the name
};

// The ACL of the znodes a session creates.
enum class ZkAcl {
  open,     // world: anyone may do anything (an open cluster)
  creator,  // the creator's (x509: zkctl's certificate) and ZooKeeper's super users only
};

struct ZkOptions {
  std::chrono::milliseconds session_timeout{
      10000};  // asked of the server, which clamps it to
               // 2..20 tickTimes; also the C client's recv timeout
  std::chrono::milliseconds operation_timeout{10000};  // longest wait for one request's answer
  ClientTls tls;  // enabled: every server is reached over TLS through an in-process TlsRelay
  ZkAcl acl = ZkAcl::open;  // what create() gives its znodes
};

class ZkClient {
 public:
  // Connect to `connect_string` ("h1:2181,h2:2181" with an optional "/chroot" at the end)
  // and wait up to `timeout` for the session to be connected. The error names the hosts.
  // With options.tls, the C client (no TLS of its own) talks to a loopback relay per server
  // that carries its connection over TLS; the relay ends with the ZkClient.
  static util::Result<std::unique_ptr<ZkClient>> connect(const std::string& connect_string,
                                                         std::chrono::milliseconds timeout,
                                                         const ZkOptions& options = {});
  ~ZkClient();  // closes the session (its ephemeral nodes go away)
  ZkClient(const ZkClient&) = delete;
  ZkClient& operator=(const ZkClient&) = delete;

  // The data of `path`; nullopt if there is no such node.
  util::Result<std::optional<std::string>> get(const std::string& path);

  // The names (not paths) of `path`'s children, sorted. A missing `path` gives an empty list
  // (like a node without children); use exists() to tell them apart.
  util::Result<std::vector<std::string>> children(const std::string& path);

  // Whether `path` exists.
  util::Result<bool> exists(const std::string& path);

  // Create `path` holding `data` with ZkOptions::acl; returns the path created (with the sequence
  // number for persistent_sequential; relative to the chroot). Parent must exist.
  util::Result<std::string> create(const std::string& path, const std::string& data,
                                   CreateMode mode);

  // Replace the data of existing node `path` (any version).
  util::Result<void> set(const std::string& path, const std::string& data);

  // Delete `path` (any version); an error if it is missing or has children.
  util::Result<void> remove(const std::string& path);

  // Delete `path` and everything below it; a missing `path` is not an error.
  util::Result<void> remove_recursive(const std::string& path);

  // Make the connected server catch up with the leader for `path`, so a read through it
  // sees every write committed (through any server) before this call.
  util::Result<void> sync(const std::string& path);

  // "host:port" of the server the session is on, spelled as in the connect string when the
  // address matches one of its hosts (else "address:port"); empty while not connected.
  std::string connected_server() const;

  // The connect string given to connect().
  const std::string& connect_string() const;

  struct Session;  // internal: the C handle and the session-state watcher's state

 private:
  explicit ZkClient(std::unique_ptr<Session> session);
  std::unique_ptr<Session> session_;
};

}  // namespace zkctl::probe
