#include "ops/security/expiry.hpp"

#include <algorithm>
#include <ctime>
#include <mutex>
#include <sstream>

#include "pki/pki.hpp"
#include "remote/scripts.hpp"
#include "render/kafka_paths.hpp"
#include "render/zk_paths.hpp"
#include "runner/runner.hpp"
#include "util/table.hpp"

namespace zkctl::ops {

namespace {

constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEnd = "-----END CERTIFICATE-----";

std::string date_of(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// A row for `pem`, or one saying why it could not be read.
CertExpiry row_of(const std::string& pem, std::chrono::system_clock::time_point now) {
  CertExpiry row;
  auto info = pki::inspect(pem);
  if (!info) {
    row.level = ExpiryLevel::fail;
    row.note = "unreadable: " + info.error().message;
    return row;
  }
  row.subject = info->subject;
  row.sha256 = info->sha256;
  row.days_left = info->days_left(now);
  row.not_after = date_of(info->not_after);
  row.level = expiry_level(row.days_left);
  return row;
}

const HeldFile* find_held(const std::vector<HeldFile>& held, std::string_view suffix) {
  for (const auto& f : held)
    if (f.path.size() >= suffix.size() && f.path.ends_with(suffix)) return &f;
  return nullptr;
}

std::string fingerprint(const std::string& pem) {
  auto info = pki::inspect(pem);
  return info ? info->sha256 : "";
}

// A CA row for `pem` seen at `where`, merged with the row of the same fingerprint.
void add_ca(ExpiryReport& report, const std::string& pem, const std::string& where,
            std::chrono::system_clock::time_point now) {
  CertExpiry row = row_of(pem, now);
  row.node = "CA";
  for (auto& r : report.rows) {
    if (r.node == "CA" && !row.sha256.empty() && r.sha256 == row.sha256) {
      r.note += ", " + where;
      return;
    }
  }
  row.note = (row.note.empty() ? "" : row.note + "; ") + "held by " + where;
  report.rows.push_back(std::move(row));
}

}  // namespace

ExpiryLevel expiry_level(long days_left) {
  if (days_left < kExpiryFailDays) return ExpiryLevel::fail;
  return days_left < kExpiryWarnDays ? ExpiryLevel::warn : ExpiryLevel::ok;
}

const char* to_string(ExpiryLevel level) {
  return level == ExpiryLevel::ok ? "ok" : level == ExpiryLevel::warn ? "warn" : "fail";
}

ExpiryLevel ExpiryReport::worst() const {
  ExpiryLevel w = ExpiryLevel::ok;
  for (const auto& r : rows) w = std::max(w, r.level);
  return w;
}

std::vector<std::string> certificate_blocks(const std::string& pem) {
  std::vector<std::string> out;
  std::size_t at = 0;
  for (;;) {
    const auto b = pem.find(kBegin, at);
    if (b == std::string::npos) break;
    const auto e = pem.find(kEnd, b);
    if (e == std::string::npos) break;
    out.push_back(pem.substr(b, e + kEnd.size() - b) + "\n");
    at = e + kEnd.size();
  }
  return out;
}

std::vector<HeldFile> parse_held_certs(const std::string& out) {
  std::vector<HeldFile> files;
  std::istringstream in(out);
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    const std::string key = eq == std::string::npos ? "" : line.substr(0, eq);
    if (!inside && (key == "file" || key == "absent" || key == "refused")) {
      HeldFile f{line.substr(eq + 1), HeldFile::State::read, {}};
      f.state = key == "file"     ? HeldFile::State::read
                : key == "absent" ? HeldFile::State::absent
                                  : HeldFile::State::refused;
      files.push_back(std::move(f));
    } else if (!files.empty() && line == kBegin) {
      inside = true;
      block = line + "\n";
    } else if (inside) {
      block += line + "\n";
      if (line == kEnd) {
        files.back().certs.push_back(block);
        inside = false;
      }
    }
  }
  return files;
}

void add_node_expiry(ExpiryReport& report, const std::string& host, const std::string& node,
                     const std::vector<HeldFile>& held, const std::string& local_leaf,
                     std::chrono::system_clock::time_point now) {
  const HeldFile* node_pem = find_held(held, "/node.pem");
  CertExpiry row;
  if (node_pem == nullptr || node_pem->state == HeldFile::State::absent) {
    row.note = "no node.pem (not deployed yet)";  // check before the first deploy passes
  } else if (node_pem->state == HeldFile::State::refused) {
    row.level = ExpiryLevel::fail;
    row.note = "node.pem not read: a link, or in a dir others may write";
  } else if (node_pem->certs.empty()) {
    row.level = ExpiryLevel::fail;
    row.note = "node.pem holds no certificate";
  } else {
    row = row_of(node_pem->certs.front(), now);
    const auto local = certificate_blocks(local_leaf);
    if (!local.empty() && fingerprint(local.front()) != row.sha256)
      row.note = "differs from this machine's copy (not pushed yet, or replaced)";
  }
  row.host = host;
  row.node = node;
  // Node rows first, the CA rows after them.
  const auto first_ca = std::find_if(report.rows.begin(), report.rows.end(),
                                     [](const CertExpiry& r) { return r.node == "CA"; });
  report.rows.insert(first_ca, std::move(row));
  if (const HeldFile* ca = find_held(held, "/ca.pem");
      ca != nullptr && ca->state == HeldFile::State::read) {
    for (const auto& pem : ca->certs) add_ca(report, pem, host, now);
  }
}

void add_local_ca(ExpiryReport& report, const std::string& ca_pem,
                  std::chrono::system_clock::time_point now) {
  for (const auto& pem : certificate_blocks(ca_pem)) add_ca(report, pem, "this machine", now);
}

std::string expiry_table(const ExpiryReport& report, util::Color color) {
  util::Table t(
      {{"CERTIFICATE"}, {"HOST"}, {"DAYS LEFT"}, {"EXPIRES"}, {"LEVEL"}, {"SUBJECT"}, {"NOTE"}});
  for (const auto& r : report.rows) {
    const util::Paint paint = r.level == ExpiryLevel::ok     ? util::Paint::green
                              : r.level == ExpiryLevel::warn ? util::Paint::yellow
                                                             : util::Paint::red;
    t.add_row({r.node, r.host.empty() ? "-" : r.host,
               r.sha256.empty() ? "-" : std::to_string(r.days_left),
               r.not_after.empty() ? "-" : r.not_after,
               util::paint(to_string(r.level), paint, color), r.subject.empty() ? "-" : r.subject,
               r.note.empty() ? "-" : r.note});
  }
  std::string worst = to_string(report.worst());
  return t.render() + "certificates: " + worst + " (warn under " + std::to_string(kExpiryWarnDays) +
         " days, fail under " + std::to_string(kExpiryFailDays) + ")\n";
}

nlohmann::json expiry_json(const ExpiryReport& report) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : report.rows) {
    nlohmann::json j = {
        {"certificate", r.node}, {"host", r.host},     {"level", to_string(r.level)},
        {"subject", r.subject},  {"sha256", r.sha256}, {"not_after", r.not_after},
        {"note", r.note}};
    if (!r.sha256.empty()) j["days_left"] = r.days_left;
    rows.push_back(std::move(j));
  }
  return rows;
}

namespace {

// One node to read: its session, where its files are, its identity and inventory entry.
struct Target {
  Connection* conn;
  std::string node;
  const char* identity;
  const inventory::Node* inv;
  std::vector<std::string> files;
};

std::vector<Target> targets_of(Context& ctx) {
  std::vector<Target> out;
  const auto& c = ctx.cluster();
  std::vector<const inventory::Server*> servers;
  for (const auto& s : c.servers) servers.push_back(&s);
  std::vector<const inventory::KafkaNode*> kafka;
  for (const auto& n : c.kafka_nodes) kafka.push_back(&n);
  auto zc = ctx.connect(servers);
  auto kc = ctx.connect(kafka);
  for (std::size_t i = 0; i < servers.size(); ++i) {
    const auto p = render::zk_paths(*servers[i]);
    out.push_back({zc[i],
                   "zookeeper " + std::to_string(servers[i]->id),
                   kZooKeeperIdentity,
                   servers[i],
                   {p.node_pem, p.ca_pem}});
  }
  for (std::size_t i = 0; i < kafka.size(); ++i) {
    const auto p = render::kafka_paths(*kafka[i]);
    out.push_back({kc[i],
                   "kafka " + std::to_string(kafka[i]->id),
                   kKafkaIdentity,
                   kafka[i],
                   {p.node_pem, p.ca_pem}});
  }
  return out;
}

}  // namespace

ExpiryReport collect_expiry(Context& ctx) {
  ExpiryReport report;
  if (!ctx.cluster().security.tls) return report;
  const auto now = std::chrono::system_clock::now();
  auto targets = targets_of(ctx);
  std::vector<std::vector<HeldFile>> held(targets.size());
  std::vector<std::string> errors(targets.size());
  runner::parallel_for(targets.size(), std::max(1, ctx.options().parallel), [&](std::size_t i) {
    const Target& t = targets[i];
    if (!t.conn->remote) {
      errors[i] = "not read: " + t.conn->error;
      return;
    }
    auto r = remote::run_script(*t.conn->remote, "certificates", remote::scripts::tls_certs,
                                t.files, std::chrono::seconds(30));
    if (!r)
      errors[i] = "not read: " + r.error().message;
    else
      held[i] = parse_held_certs(r->out);
  });
  auto pki = ctx.pki();
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const Target& t = targets[i];
    if (!errors[i].empty()) {
      report.rows.push_back({t.inv->host, t.node, "", "", 0, "", ExpiryLevel::warn, errors[i]});
      continue;
    }
    std::string local;
    if (pki) {
      if (auto m = (*pki)->node_tls(t.identity, *t.inv); m) local = m->node_pem;
    }
    add_node_expiry(report, t.inv->host, t.node, held[i], local, now);
  }
  if (pki) {
    if (auto ca = (*pki)->ca_cert(); ca) add_local_ca(report, *ca, now);
  }
  return report;
}

}  // namespace zkctl::ops
