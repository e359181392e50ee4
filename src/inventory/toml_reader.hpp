#pragma once
// Reading TOML values for the inventory loader: every typed read reports what is
// wrong with the value at its file:line:col and returns nullopt. Internal to
// src/inventory (the loader's parts share it); nothing outside includes it.

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/diagnostic.hpp"
#include "inventory/load.hpp"
#include "inventory/model.hpp"

namespace zkctl::inventory::detail {

// `text` in single quotes, with control characters escaped so a message stays one line.
std::string show(std::string_view text);
// show() without the quotes.
std::string one_line(std::string_view text);
std::string lowercase(std::string_view s);
// "a string", "an integer", ... for "expected X, got Y" messages.
std::string type_name(const toml::node& n);

// Where a value came from, for cross-node messages.
struct Origin {
  SourcePos pos;            // the value in the node's table, else where it was inherited from
  bool overridden = false;  // set in the node's own table
};

// Whether an empty remote directory string is accepted (and kept).
enum class EmptyOk { no, yes };
// What a remote directory holds: an install dir's path also goes into the start
// scripts' class path and JVM flags (no ':'; Kafka's scripts split it on spaces).
enum class RemoteDirKind { data, install };
// Whether a pass-through config value must be ASCII.
enum class AsciiOnly { no, yes };

// One pass-through config entry whose key and value passed the common checks.
struct ConfigValue {
  std::string key;
  SourcePos key_pos;
  std::string text;  // the value as the config file will hold it
};

// The diagnostics of one inventory and the typed reads that add to them.
class Reader {
 public:
  Reader(std::string file, const std::string& base_dir, LocalFiles local_files);

  const std::string& file() const { return file_; }
  // Whether local files the inventory names must exist (LocalFiles::must_exist).
  LocalFiles local_files() const { return local_files_; }
  SourcePos at(const toml::source_position& p) const;
  SourcePos at(const toml::node& n) const { return at(n.source().begin); }
  SourcePos at(const toml::key& k) const { return at(k.source().begin); }
  SourcePos file_start() const { return SourcePos{file_, 1, 1}; }

  void error(SourcePos pos, std::string message);
  // error(), with "; did you mean 'X'?" when a candidate is close to `word`.
  void error_with_hint(SourcePos pos, std::string message, std::string_view word,
                       const std::vector<std::string_view>& candidates);
  void warn(SourcePos pos, std::string message);
  // The diagnostics sorted by position; `cluster` kept only when none is an error.
  LoadResult finish(std::optional<Cluster> cluster);

  // Report every key of `t` not in `known`, suggesting the closest known one.
  void check_keys(const toml::table& t, std::string_view where,
                  const std::vector<std::string_view>& known);

  // ---- typed reads: absent -> nullopt; wrong -> reported, nullopt ----------
  const toml::table* read_table(const toml::table& parent, std::string_view key,
                                const std::string& path);
  std::optional<std::string> read_string(const toml::table& t, std::string_view key,
                                         const std::string& path);
  std::optional<bool> read_bool(const toml::table& t, std::string_view key,
                                const std::string& path);
  // An integer in lo..hi; `what` describes the range when it is not plain "lo..hi".
  std::optional<int> read_int(const toml::table& t, std::string_view key, const std::string& path,
                              int64_t lo, int64_t hi, std::string_view what = {});
  // 1..65535; admin_port also 0 (AdminServer off).
  std::optional<int> read_port(const toml::table& t, std::string_view key, const std::string& path);
  // A login name ([a-z_][a-z0-9_-]*).
  std::optional<std::string> read_user(const toml::table& t, std::string_view key,
                                       const std::string& path);
  // "sudo" or "none".
  std::optional<Become> read_become(const toml::table& t, std::string_view key,
                                    const std::string& path);
  // A directory on the remote hosts: absolute, normalized, safe to quote, no
  // whitespace at either end, no '=' (zkServer.sh cuts zoo.cfg lines at the last
  // one), not a system directory; `product` names who would use it in messages.
  std::optional<std::string> read_remote_dir(const toml::table& t, std::string_view key,
                                             const std::string& path, EmptyOk empty_ok,
                                             std::string_view product,
                                             RemoteDirKind kind = RemoteDirKind::data);
  // The checks of read_remote_dir() on `raw`, the string held by node `n`.
  std::optional<std::string> remote_dir_value(const toml::node& n, const std::string& raw,
                                              const std::string& path, EmptyOk empty_ok,
                                              std::string_view product,
                                              RemoteDirKind kind = RemoteDirKind::data);
  // A path on this machine: '~' expanded, relative paths against the base dir.
  // An empty string stays empty.
  std::optional<std::string> read_local_path(const toml::table& t, std::string_view key,
                                             const std::string& path);
  // The local tarball `[table].distribution`: required, an existing regular file
  // (unless local files are unchecked). Sets `out` and `out_pos` and returns true when it is.
  bool read_distribution(const toml::table& t, const std::string& table, std::string& out,
                         SourcePos& out_pos);
  // Each element of the array `n` passed to `each(node, text, element_path)` when it is a
  // string (else reported); false when an element was not or `each` returned false.
  template <class Each>
  bool for_each_string(const toml::node& n, const std::string& path, Each each) {
    bool ok = true;
    size_t i = 0;
    for (const toml::node& e : *n.as_array()) {
      const std::string p = path + "[" + std::to_string(i++) + "]";
      if (!e.is_string()) {
        error(at(e), p + ": expected a string, got " + type_name(e));
        ok = false;
        continue;
      }
      ok = each(e, e.as_string()->get(), p) && ok;
    }
    return ok;
  }
  // The entries of `cfg` ([`section`], written into `file`) in file order, with
  // every malformed, duplicated or line-breaking key or value reported and dropped.
  std::vector<ConfigValue> read_config(const toml::table& cfg, const std::string& section,
                                       const std::string& file, AsciiOnly ascii_only);

  // ---- a value a node may override ---------------------------------------
  // `key` of node table `t` into `value` when set; `origin` says where the value came from.
  void override_port(const toml::table& t, std::string_view key, const std::string& path,
                     int& value, Origin& origin);
  void override_remote_dir(const toml::table& t, std::string_view key, const std::string& path,
                           EmptyOk empty_ok, std::string_view product, std::string& value,
                           Origin& origin, RemoteDirKind kind = RemoteDirKind::data);

 private:
  // What is wrong with the characters of `raw` as a remote directory, or nullopt.
  static std::optional<std::string> remote_dir_chars_problem(const std::string& raw,
                                                             std::string_view product,
                                                             RemoteDirKind kind);
  std::optional<std::string> config_text(const toml::node& v, const std::string& where,
                                         const std::string& file, AsciiOnly ascii_only);

  std::string file_;
  LocalFiles local_files_ = LocalFiles::must_exist;
  std::filesystem::path base_dir_;
  std::vector<Diagnostic> diags_;
};

}  // namespace zkctl::inventory::detail
