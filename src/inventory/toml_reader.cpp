#include "inventory/toml_reader.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <utility>

#include "inventory/validate.hpp"

namespace zkctl::inventory::detail {
namespace {

namespace fs = std::filesystem;
using Severity = Diagnostic::Severity;

constexpr int kMaxPort = 65535;
const std::vector<std::string_view> kBecomeMethods = {"sudo", "none"};

std::string render_float(double v) {
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  if (ec != std::errc()) return std::to_string(v);
  return std::string(buf.data(), end);
}

// One [*.config] entry, its dotted key flattened.
struct ConfigEntry {
  std::string key;
  SourcePos key_pos;
  const toml::node* value = nullptr;
};

void flatten(const Reader& r, const toml::table& t, const std::string& prefix,
             std::vector<ConfigEntry>& out) {
  for (auto&& [k, v] : t) {
    std::string name = prefix + std::string(k.str());
    if (v.is_table())
      flatten(r, *v.as_table(), name + ".", out);
    else
      out.push_back(ConfigEntry{name, r.at(k), &v});
  }
}

bool valid_config_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace

std::string type_name(const toml::node& n) {
  using T = toml::node_type;
  static constexpr std::pair<T, const char*> kNames[] = {
      {T::string, "a string"},       {T::integer, "an integer"}, {T::floating_point, "a float"},
      {T::boolean, "a boolean"},     {T::date, "a date"},        {T::time, "a time"},
      {T::date_time, "a date-time"}, {T::array, "an array"},     {T::table, "a table"}};
  for (const auto& [type, name] : kNames)
    if (type == n.type()) return name;
  return "nothing";
}

std::string show(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string one_line(std::string_view text) {
  std::string q = show(text);
  return q.substr(1, q.size() - 2);
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Reader::Reader(std::string file, const std::string& base_dir, LocalFiles local_files)
    : file_(std::move(file)), local_files_(local_files) {
  std::error_code ec;
  base_dir_ = fs::absolute(base_dir.empty() ? fs::path(".") : fs::path(base_dir), ec);
  if (ec) base_dir_ = fs::path(base_dir);
  base_dir_ = base_dir_.lexically_normal();
}

SourcePos Reader::at(const toml::source_position& p) const {
  return SourcePos{file_, static_cast<int>(p.line), static_cast<int>(p.column)};
}

void Reader::error(SourcePos pos, std::string message) {
  diags_.push_back(Diagnostic{Severity::error, std::move(pos), std::move(message)});
}

void Reader::error_with_hint(SourcePos pos, std::string message, std::string_view word,
                             const std::vector<std::string_view>& candidates) {
  if (auto hint = closest_match(word, candidates)) message += "; did you mean '" + *hint + "'?";
  error(std::move(pos), std::move(message));
}

void Reader::warn(SourcePos pos, std::string message) {
  diags_.push_back(Diagnostic{Severity::warning, std::move(pos), std::move(message)});
}

LoadResult Reader::finish(std::optional<Cluster> cluster) {
  std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.pos.line, a.pos.col) < std::pair(b.pos.line, b.pos.col);
  });
  LoadResult result;
  result.diagnostics = std::move(diags_);
  if (!result.has_errors()) result.cluster = std::move(cluster);
  return result;
}

void Reader::check_keys(const toml::table& t, std::string_view where,
                        const std::vector<std::string_view>& known) {
  for (auto&& [k, v] : t) {
    if (std::find(known.begin(), known.end(), k.str()) != known.end()) continue;
    error_with_hint(at(k), "unknown key " + show(k.str()) + " " + std::string(where), k.str(),
                    known);
  }
}

const toml::table* Reader::read_table(const toml::table& parent, std::string_view key,
                                      const std::string& path) {
  const toml::node* n = parent.get(key);
  if (n == nullptr) return nullptr;
  if (!n->is_table()) {
    error(at(*n), path + ": expected a table, got " + type_name(*n));
    return nullptr;
  }
  return n->as_table();
}

std::optional<std::string> Reader::read_string(const toml::table& t, std::string_view key,
                                               const std::string& path) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_string()) {
    error(at(*n), path + ": expected a string, got " + type_name(*n));
    return std::nullopt;
  }
  return n->as_string()->get();
}

std::optional<bool> Reader::read_bool(const toml::table& t, std::string_view key,
                                      const std::string& path) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_boolean()) {
    error(at(*n), path + ": expected a boolean (true or false), got " + type_name(*n));
    return std::nullopt;
  }
  return n->as_boolean()->get();
}

std::optional<int> Reader::read_int(const toml::table& t, std::string_view key,
                                    const std::string& path, int64_t lo, int64_t hi,
                                    std::string_view what) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_integer()) {
    error(at(*n), path + ": expected an integer, got " + type_name(*n));
    return std::nullopt;
  }
  const int64_t v = n->as_integer()->get();
  if (v < lo || v > hi) {
    const std::string range =
        what.empty() ? std::to_string(lo) + ".." + std::to_string(hi) : std::string(what);
    error(at(*n), path + ": " + std::to_string(v) + " is outside " + range);
    return std::nullopt;
  }
  return static_cast<int>(v);
}

std::optional<int> Reader::read_port(const toml::table& t, std::string_view key,
                                     const std::string& path) {
  if (key == "admin_port")
    return read_int(t, key, path, 0, kMaxPort, "0..65535 (0 turns the AdminServer off)");
  return read_int(t, key, path, 1, kMaxPort);
}

std::optional<std::string> Reader::read_user(const toml::table& t, std::string_view key,
                                             const std::string& path) {
  auto user = read_string(t, key, path);
  if (!user) return std::nullopt;
  if (is_valid_ssh_user(*user)) return user;
  error(at(*t.get(key)),
        path + ": " + show(*user) + " is not a valid user name ([a-z_][a-z0-9_-]*)");
  return std::nullopt;
}

std::optional<Become> Reader::read_become(const toml::table& t, std::string_view key,
                                          const std::string& path) {
  auto v = read_string(t, key, path);
  if (!v) return std::nullopt;
  if (*v == "sudo") return Become::sudo;
  if (*v == "none") return Become::none;
  error_with_hint(at(*t.get(key)),
                  path + ": " + show(*v) + " is not a become method; expected 'sudo' or 'none'", *v,
                  kBecomeMethods);
  return std::nullopt;
}

std::optional<std::string> Reader::read_remote_dir(const toml::table& t, std::string_view key,
                                                   const std::string& path, EmptyOk empty_ok,
                                                   std::string_view product, RemoteDirKind kind) {
  auto raw = read_string(t, key, path);
  if (!raw) return std::nullopt;
  return remote_dir_value(*t.get(key), *raw, path, empty_ok, product, kind);
}

std::optional<std::string> Reader::remote_dir_chars_problem(const std::string& raw,
                                                            std::string_view product,
                                                            RemoteDirKind kind) {
  if (has_control_char(raw) || raw.find('\\') != std::string::npos)
    return "contains a control character or backslash";
  if (std::any_of(raw.begin(), raw.end(),
                  [](char ch) { return static_cast<unsigned char>(ch) > 0x7e; }))
    return "contains a non-ASCII character";  // zoo.cfg and server.properties are Latin-1
  if (raw.front() == ' ' || raw.back() == ' ')
    return "starts or ends with a space (zoo.cfg readers trim it, zkctl's paths would not)";
  if (raw.find('=') != std::string::npos)
    return "contains '=' (zkServer.sh reads zoo.cfg's dirs after the last '=')";
  if (kind == RemoteDirKind::install && raw.find(':') != std::string::npos)
    return "contains ':', which splits the Java class path the start scripts build from it";
  if (kind == RemoteDirKind::install && product == "Kafka" && raw.find(' ') != std::string::npos)
    return "contains a space, which Kafka's start scripts split its paths on";
  return std::nullopt;
}

std::optional<std::string> Reader::remote_dir_value(const toml::node& n, const std::string& raw,
                                                    const std::string& path, EmptyOk empty_ok,
                                                    std::string_view product, RemoteDirKind kind) {
  if (raw.empty()) {
    if (empty_ok == EmptyOk::yes) return std::string();
    error(at(n), path + ": must not be empty");
    return std::nullopt;
  }
  if (auto problem = remote_dir_chars_problem(raw, product, kind)) {
    error(at(n), path + ": " + show(raw) + " " + *problem);
    return std::nullopt;
  }
  if (raw.front() != '/') {
    error(at(n), path + ": " + show(raw) + " must be an absolute path (remote directory)");
    return std::nullopt;
  }
  const fs::path p(raw);
  for (const auto& part : p)
    if (part == "..") {
      error(at(n), path + ": " + show(raw) + " must not contain '..'");
      return std::nullopt;
    }
  std::string norm = p.lexically_normal().string();
  while (norm.size() > 1 && norm.back() == '/') norm.pop_back();
  if (norm == "/") {
    error(at(n),
          path + ": the root directory '/' is not a valid directory for " + std::string(product));
    return std::nullopt;
  }
  if (auto problem = system_dir_problem(norm)) {
    error(at(n), path + ": " + show(norm) + " " + *problem + ": deploy would take it over for " +
                     std::string(product) +
                     " and destroy remove it; name a directory of its own (such as " +
                     show(norm + "/" + lowercase(product)) + ")");
    return std::nullopt;
  }
  return norm;
}

std::optional<std::string> Reader::read_local_path(const toml::table& t, std::string_view key,
                                                   const std::string& path) {
  auto raw = read_string(t, key, path);
  if (!raw) return std::nullopt;
  if (raw->empty()) return std::string();
  const toml::node& n = *t.get(key);
  if (has_control_char(*raw)) {
    error(at(n), path + ": " + show(*raw) + " contains a control character");
    return std::nullopt;
  }
  std::string p = *raw;
  if (p[0] == '~') {
    if (p.size() > 1 && p[1] != '/') {
      error(at(n), path + ": " + show(*raw) + ": only '~' and '~/...' are expanded, not '~user'");
      return std::nullopt;
    }
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0') {
      error(at(n), path + ": cannot expand '~': HOME is not set");
      return std::nullopt;
    }
    p = std::string(home) + p.substr(1);
  }
  fs::path fp(p);
  if (fp.is_relative()) fp = base_dir_ / fp;
  std::string norm = fp.lexically_normal().string();
  while (norm.size() > 1 && norm.back() == '/') norm.pop_back();
  return norm;
}

bool Reader::read_distribution(const toml::table& t, const std::string& table, std::string& out,
                               SourcePos& out_pos) {
  auto dist = read_local_path(t, "distribution", table + ".distribution");
  if (!dist) {
    if (t.get("distribution") == nullptr)
      error(at(t), "missing required key 'distribution' in [" + table + "]");
    return false;
  }
  const toml::node& n = *t.get("distribution");
  if (dist->empty()) {
    error(at(n), table + ".distribution: must not be empty");
    return false;
  }
  if (local_files_ == LocalFiles::must_exist) {
    std::error_code ec;
    const auto status = fs::status(*dist, ec);
    if (!fs::exists(status)) {
      error(at(n), table + ".distribution: file " + show(*dist) + " does not exist");
      return false;
    }
    if (!fs::is_regular_file(status)) {
      error(at(n), table + ".distribution: " + show(*dist) + " is not a regular file");
      return false;
    }
  }
  out = *dist;
  out_pos = at(n);
  return true;
}

std::vector<ConfigValue> Reader::read_config(const toml::table& cfg, const std::string& section,
                                             const std::string& file, AsciiOnly ascii_only) {
  std::vector<ConfigEntry> entries;
  flatten(*this, cfg, "", entries);
  // toml++ tables are unordered: restore the file's order.
  std::stable_sort(entries.begin(), entries.end(), [](const ConfigEntry& a, const ConfigEntry& b) {
    return std::pair(a.key_pos.line, a.key_pos.col) < std::pair(b.key_pos.line, b.key_pos.col);
  });
  std::vector<ConfigValue> out;
  std::map<std::string, int> seen;  // key -> line
  for (const ConfigEntry& e : entries) {
    const std::string where = section + ": key " + show(e.key);
    if (has_control_char(e.key)) {
      error(e.key_pos,
            where + " contains a control character (it would inject a line into " + file + ")");
      continue;
    }
    if (!valid_config_key(e.key)) {
      error(e.key_pos, where + " may contain only letters, digits, '.', '_' and '-'");
      continue;
    }
    if (auto it = seen.find(e.key); it != seen.end()) {
      error(e.key_pos, where + " is already set at line " + std::to_string(it->second));
      continue;
    }
    seen.emplace(e.key, e.key_pos.line);
    if (auto text = config_text(*e.value, where, file, ascii_only))
      out.push_back(ConfigValue{e.key, e.key_pos, std::move(*text)});
  }
  return out;
}

// The text `file` will hold for config value `v`, or nullopt (reported).
std::optional<std::string> Reader::config_text(const toml::node& v, const std::string& where,
                                               const std::string& file, AsciiOnly ascii_only) {
  if (v.is_integer()) return std::to_string(v.as_integer()->get());
  if (v.is_boolean()) return std::string(v.as_boolean()->get() ? "true" : "false");
  if (v.is_floating_point()) {
    const double d = v.as_floating_point()->get();
    if (std::isfinite(d)) return render_float(d);
    error(at(v), where + ": value must be a finite number");
    return std::nullopt;
  }
  if (!v.is_string()) {
    error(at(v), where + ": expected a string, integer, boolean or float, got " + type_name(v));
    return std::nullopt;
  }
  const std::string& text = v.as_string()->get();
  if (has_control_char(text)) {
    error(at(v), where + ": value contains a control character (it would inject a line into " +
                     file + ")");
    return std::nullopt;
  }
  if (text.find('\\') != std::string::npos) {
    error(at(v), where + ": value contains '\\', which " + file +
                     " (a Java properties file) treats as an escape");
    return std::nullopt;
  }
  if (ascii_only == AsciiOnly::yes && std::any_of(text.begin(), text.end(), [](char ch) {
        return static_cast<unsigned char>(ch) >= 0x80;
      })) {
    error(at(v), where + ": value contains a non-ASCII character, which " + file +
                     " (read as Latin-1) would garble");
    return std::nullopt;
  }
  return text;
}

void Reader::override_port(const toml::table& t, std::string_view key, const std::string& path,
                           int& value, Origin& origin) {
  if (auto v = read_port(t, key, path + "." + std::string(key))) {
    value = *v;
    origin = Origin{at(*t.get(key)), true};
  }
}

void Reader::override_remote_dir(const toml::table& t, std::string_view key,
                                 const std::string& path, EmptyOk empty_ok,
                                 std::string_view product, std::string& value, Origin& origin,
                                 RemoteDirKind kind) {
  if (auto v = read_remote_dir(t, key, path + "." + std::string(key), empty_ok, product, kind)) {
    value = *v;
    origin = Origin{at(*t.get(key)), true};
  }
}

}  // namespace zkctl::inventory::detail
