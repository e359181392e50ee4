#include "ops/kafka/quorum.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "ops/cluster/state.hpp"
#include "ops/kafka/admin_tool.hpp"
#include "ops/kafka/node.hpp"
#include "remote/scripts.hpp"
#include "render/kafka_paths.hpp"
#include "util/file.hpp"

namespace zkctl::ops {

namespace {

namespace fs = std::filesystem;
namespace scripts = remote::scripts;

constexpr long long kCaughtUpLag = 10;        // records an observer may trail when added
constexpr long long kServingWithinMs = 5000;  // a voter caught up this recently serves
constexpr auto kPoll = std::chrono::milliseconds(1000);

// The members a CurrentVoters / CurrentObservers value lists: a JSON array of
// {"id": N, "directoryId": "D" or null, "endpoints": ["NAME://host:port", ...]} (Kafka 3.9+), or
// of bare ids (older tools, a static quorum). Anything else reads as none.
std::vector<QuorumMember> members_of(const std::string& text) {
  const auto list = nlohmann::json::parse(text, nullptr, false);
  if (!list.is_array()) return {};
  std::vector<QuorumMember> out;
  for (const auto& v : list) {
    if (v.is_number_integer()) {
      out.push_back({v.get<int>(), "", {}, true});
      continue;
    }
    if (!v.is_object() || !v.contains("id") || !v["id"].is_number_integer()) return {};
    QuorumMember m{v["id"].get<int>(), "", {}, false};
    if (auto d = v.find("directoryId"); d != v.end() && d->is_string()) m.directory_id = *d;
    if (auto e = v.find("endpoints"); e != v.end()) {
      if (!e->is_array()) return {};
      for (const auto& x : *e) {
        if (!x.is_string()) return {};
        m.endpoints.push_back(x.get<std::string>());
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::string endpoint(const inventory::KafkaNode& n) {
  const bool v6 = n.host.find(':') != std::string::npos;
  return (v6 ? "[" + n.host + "]" : n.host) + ":" + std::to_string(n.controller_port);
}

// quorum-admin.sh ACTION on `on`'s session, asking `controllers`.
util::Result<std::string> admin(Context& ctx, const inventory::KafkaNode& on,
                                const std::string& controllers,
                                const std::vector<std::string>& action) {
  return run_admin_script(ctx, on,
                          {"kafka-metadata-quorum.sh " + action.front(),
                           scripts::kafka_quorum_admin, controllers, action});
}

std::map<int, std::string> initial_dirs(const std::string& initial) {
  std::map<int, std::string> out;  // "id@host:port:dir,..."
  std::stringstream in(initial);
  for (std::string item; std::getline(in, item, ',');) {
    auto at = item.find('@');
    auto colon = item.rfind(':');
    if (at == std::string::npos || colon == std::string::npos) continue;
    out[std::atoi(item.substr(0, at).c_str())] = item.substr(colon + 1);
  }
  return out;
}

std::string refuse_static(const inventory::KafkaNode& n, const std::string& verb) {
  return "kafka node " + std::to_string(n.id) + " (" + n.host + "): " + verb +
         " a KRaft controller is refused: the cluster's controller quorum is static "
         "(controller.quorum.voters, kraft.version 0); changing controllers live needs a dynamic "
         "quorum (KIP-853: kraft.version 1, controller.quorum.bootstrap.servers, Kafka 3.9+), "
         "which only a cluster formatted for it has; keep the controllers as they are";
}

}  // namespace

std::string controller_endpoints(const inventory::Cluster& cluster, int except) {
  std::string out;
  for (const auto& n : cluster.kafka_nodes)
    if (n.controller && n.id != except) out += (out.empty() ? "" : ",") + endpoint(n);
  return out;
}

bool QuorumMembers::has_voter(int id) const {
  return voter(id) != nullptr;
}

const QuorumMember* QuorumMembers::voter(int id) const {
  for (const auto& v : voters)
    if (v.id == id) return &v;
  return nullptr;
}

util::Result<QuorumMembers> parse_quorum_members(const std::string& text) {
  QuorumMembers m;
  bool seen = false;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(0, colon), val = line.substr(colon + 1);
    if (key == "LeaderId") {
      m.leader_id = std::atoi(val.c_str());
      seen = true;
    } else if (key == "CurrentVoters") {
      m.voters = members_of(val);
    } else if (key == "CurrentObservers") {
      m.observers = members_of(val);
    }
  }
  if (!seen)
    return util::fail("kafka-metadata-quorum.sh: no LeaderId in: " +
                      text.substr(0, text.find('\n')));
  return m;
}

std::vector<ReplicaRow> parse_replication_rows(const std::string& text) {
  std::vector<ReplicaRow> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream cols(line);
    ReplicaRow r;
    std::string id;
    if (!(cols >> id) || id.empty() || !std::isdigit(static_cast<unsigned char>(id[0]))) continue;
    long long last_fetch = 0;
    if (!(cols >> r.directory_id >> r.log_end_offset >> r.lag >> last_fetch >>
          r.last_caught_up_ms >> r.status))
      continue;
    r.id = std::atoi(id.c_str());
    rows.push_back(r);
  }
  return rows;
}

std::optional<int> parse_kraft_version(const std::string& text) {
  static const std::regex line("Feature:\\s*kraft\\.version\\b.*FinalizedVersionLevel:\\s*(\\d+)");
  std::smatch m;
  if (!std::regex_search(text, m, line)) return std::nullopt;
  return std::stoi(m[1].str());
}

QuorumRecord recorded_quorum(const std::string& cluster) {
  QuorumRecord rec;
  std::ifstream in(fs::path(state_home()) / "clusters" / cluster / "kraft-quorum");
  for (std::string line; std::getline(in, line);) {
    if (line == "kind=dynamic") rec.kind = QuorumKind::dynamic;
    if (line == "kind=static") rec.kind = QuorumKind::fixed;
    if (line.rfind("initial=", 0) == 0) rec.initial = line.substr(8);
  }
  return rec;
}

util::Result<void> record_quorum(const std::string& cluster, const QuorumRecord& record) {
  if (record.kind == QuorumKind::unknown) return {};
  const fs::path dir = fs::path(state_home()) / "clusters" / cluster;
  if (auto r = util::make_dirs(dir.string(), 0700); !r) return r;
  const std::string text = std::string("kind=") +
                           (record.kind == QuorumKind::dynamic ? "dynamic" : "static") + "\n" +
                           (record.initial.empty() ? "" : "initial=" + record.initial + "\n");
  return util::write_file_atomically((dir / "kraft-quorum").string(), text, 0600);
}

bool dynamic_quorum_release(const DistVersion& version) {
  return version.major > 3 || (version.major == 3 && version.minor >= 9);
}

render::KafkaQuorum offline_quorum(const inventory::Cluster& cluster) {
  if (!cluster.kafka || cluster.kafka->mode != inventory::KafkaMode::kraft)
    return render::KafkaQuorum::voters;
  QuorumKind kind = recorded_quorum(cluster.name).kind;
  if (kind == QuorumKind::unknown) {
    auto v = distribution_version(cluster.kafka->distribution, render::Product::kafka);
    kind = v && dynamic_quorum_release(*v) ? QuorumKind::dynamic : QuorumKind::fixed;
  }
  return kind == QuorumKind::dynamic ? render::KafkaQuorum::bootstrap : render::KafkaQuorum::voters;
}

QuorumPlan decide_quorum(const inventory::Cluster& cluster, const QuorumFacts& f,
                         const std::function<std::string()>& new_id) {
  QuorumPlan p;
  if (!f.kraft || f.migration || !dynamic_quorum_release(f.version)) {
    p.kind = QuorumKind::fixed;  // ZooKeeper mode, a migration's nodes, Kafka before 3.9
    return p;
  }
  if (f.formatted.empty()) {  // a new cluster: every controller formatted as an initial voter
    p.kind = QuorumKind::dynamic;
    const auto kept = initial_dirs(f.record.initial);
    for (const auto& n : cluster.kafka_nodes) {
      if (!n.controller) continue;
      auto it = kept.find(n.id);
      p.initial += (p.initial.empty() ? "" : ",") + std::to_string(n.id) + "@" + endpoint(n) + ":" +
                   (it != kept.end() ? it->second : new_id());
      p.initial_ids.insert(n.id);
    }
    return p;
  }
  p.kind = f.kraft_version ? (*f.kraft_version >= 1 ? QuorumKind::dynamic : QuorumKind::fixed)
                           : f.record.kind;
  if (p.kind == QuorumKind::unknown) {
    p.problems.push_back(
        "kafka: cannot tell whether the KRaft controller quorum is static or dynamic: no "
        "controller answered kafka-features.sh and zkctl has no record of it; start the "
        "controllers (zkctl start) and deploy again");
    return p;
  }
  if (p.kind == QuorumKind::dynamic) {
    p.initial = f.record.initial;
    for (const auto& [id, dir] : initial_dirs(p.initial)) p.initial_ids.insert(id);
  }
  for (const auto& n : cluster.kafka_nodes) {
    if (!n.controller) continue;
    const bool voter = f.members ? f.members->has_voter(n.id)
                                 : (f.formatted.count(n.id) || p.initial_ids.count(n.id));
    if (voter) continue;
    if (p.kind == QuorumKind::fixed)
      p.refusals.push_back(refuse_static(n, "adding"));
    else
      p.joining.insert(n.id);
  }
  return p;
}

std::vector<std::string> format_quorum_args(const QuorumPlan& plan,
                                            const inventory::KafkaNode& node) {
  if (plan.kind != QuorumKind::dynamic || !node.controller) return {};
  if (plan.initial_ids.count(node.id) && !plan.joining.count(node.id))
    return {"--initial-controllers", plan.initial};
  return {"--no-initial-controllers"};
}

std::vector<std::string> controller_removal_refusals(const QuorumKind kind,
                                                     const QuorumMembers& members,
                                                     const std::vector<ReplicaRow>& rows,
                                                     const std::set<int>& removed, Force force) {
  std::vector<std::string> out;
  if (removed.empty()) return out;
  std::string ids;
  for (int id : removed) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
  if (kind != QuorumKind::dynamic) {
    out.push_back("removing KRaft controller(s) " + ids +
                  " is refused: the cluster's controller quorum is static (controller.quorum."
                  "voters, kraft.version 0); changing controllers live needs a dynamic quorum "
                  "(KIP-853: kraft.version 1, controller.quorum.bootstrap.servers, Kafka 3.9+); "
                  "keep them in the inventory");
    return out;
  }
  int left = 0;
  for (const auto& v : members.voters) left += removed.count(v.id) ? 0 : 1;
  const int serving = serving_voters(rows, removed);
  if (serving < left / 2 + 1) {
    out.push_back("removing KRaft controller(s) " + ids + " leaves " + std::to_string(left) +
                  " voter(s) of which only " + std::to_string(serving) +
                  " serve (caught up): fewer than a majority; bring the others back first");
  } else if (left < 3 && force == Force::no) {
    out.push_back("removing KRaft controller(s) " + ids + " leaves " + std::to_string(left) +
                  " voter(s) (fewer than 3: one more failure stops the controller quorum); "
                  "deploy --force to do it anyway");
  }
  return out;
}

long long quorum_leader_clock(const std::vector<ReplicaRow>& rows) {
  for (const auto& r : rows)
    if (r.status == "Leader") return r.last_caught_up_ms;
  return -1;
}

int serving_voters(const std::vector<ReplicaRow>& rows, const std::set<int>& excluded) {
  const long long now = quorum_leader_clock(rows);
  if (now < 0) return 0;
  return static_cast<int>(std::count_if(rows.begin(), rows.end(), [&](const ReplicaRow& r) {
    return r.voter() && !excluded.count(r.id) && now - r.last_caught_up_ms <= kServingWithinMs;
  }));
}

bool observer_caught_up(const std::vector<ReplicaRow>& rows, int id) {
  return std::any_of(rows.begin(), rows.end(), [&](const ReplicaRow& r) {
    return r.id == id && r.lag >= 0 && r.lag <= kCaughtUpLag;
  });
}

std::vector<std::string> check_controller_removal(Context& ctx, QuorumKind kind,
                                                  const std::set<int>& removed, Force force) {
  if (removed.empty()) return {};
  if (kind != QuorumKind::dynamic) return controller_removal_refusals(kind, {}, {}, removed, force);
  auto members = read_quorum_members(ctx);
  if (!members) return {"cannot check the controllers to be removed: " + members.error().message};
  auto rows = read_replication_rows(ctx);
  return controller_removal_refusals(kind, *members, rows ? *rows : std::vector<ReplicaRow>{},
                                     removed, force);
}

util::Result<std::vector<ReplicaRow>> read_replication_rows(Context& ctx) {
  const AdminScript s{"kafka-metadata-quorum.sh replication",
                      scripts::kafka_quorum_admin,
                      controller_endpoints(ctx.cluster(), -1),
                      {"replication"}};
  return ask_first_kafka_node<std::vector<ReplicaRow>>(
      ctx, s, "controller quorum",
      [](const std::string& out) -> util::Result<std::vector<ReplicaRow>> {
        auto r = parse_replication_rows(out);
        if (r.empty()) return util::fail("no replication rows");
        return r;
      });
}

util::Result<QuorumMembers> read_quorum_members(Context& ctx) {
  const AdminScript s{"kafka-metadata-quorum.sh status",
                      scripts::kafka_quorum_admin,
                      controller_endpoints(ctx.cluster(), -1),
                      {"status"}};
  return ask_first_kafka_node<QuorumMembers>(ctx, s, "controller quorum", parse_quorum_members);
}

QuorumPlan settle_quorum(Context& ctx, const std::vector<const inventory::KafkaNode*>& nodes,
                         const std::map<int, std::map<std::string, std::string>>& meta,
                         const std::set<int>& running, bool migration) {
  const auto& cluster = ctx.cluster();
  QuorumFacts f;
  f.kraft = cluster.kafka && cluster.kafka->mode == inventory::KafkaMode::kraft;
  f.migration = migration;
  if (auto v = distribution_version(cluster.kafka->distribution, render::Product::kafka); v)
    f.version = *v;
  f.record = recorded_quorum(cluster.name);
  for (const auto& [id, m] : meta) {
    auto it = m.find("directory.id");
    if (!m.empty()) f.formatted[id] = it != m.end() ? it->second : "";
  }
  const bool ask = f.kraft && !migration && !f.formatted.empty() &&
                   (f.version.major > 3 || (f.version.major == 3 && f.version.minor >= 9));
  std::string formatted_controllers;
  for (const auto* n : nodes)
    if (n->controller && f.formatted.count(n->id))
      formatted_controllers += (formatted_controllers.empty() ? "" : ",") + endpoint(*n);
  int tries = 0;
  for (const auto* n : nodes) {
    if (!ask || formatted_controllers.empty() || !running.count(n->id) || tries++ == 2) continue;
    auto features = admin(ctx, *n, formatted_controllers, {"features"});
    if (!features || !(f.kraft_version = parse_kraft_version(*features))) continue;
    if (auto s = admin(ctx, *n, formatted_controllers, {"status"}); s)
      if (auto m = parse_quorum_members(*s); m) f.members = *m;
    break;
  }
  return decide_quorum(cluster, f, new_kafka_cluster_id);
}

util::Result<void> join_quorum(Context& ctx, const inventory::KafkaNode& node,
                               const std::string& step) {
  const std::string others = controller_endpoints(ctx.cluster(), node.id);
  const auto deadline = std::chrono::steady_clock::now() + ctx.options().wait_timeout;
  auto report = [&](const std::string& text) {
    ctx.progress().report({node.host, step, runner::EventKind::progress, text});
  };
  std::string seen, last;
  for (;;) {  // an observer first, caught up
    auto out = admin(ctx, node, others, {"replication"});
    const auto rows = out ? parse_replication_rows(*out) : std::vector<ReplicaRow>{};
    if (observer_caught_up(rows, node.id)) break;
    std::string now = "waiting for observer " + std::to_string(node.id) + " to catch up";
    for (const auto& r : rows)
      if (r.id == node.id) now += ": lag " + std::to_string(r.lag);
    if (!out) now += " (" + out.error().message + ")";
    if (now != seen) report(seen = now);
    if (std::chrono::steady_clock::now() > deadline) return util::fail(now + ": timed out");
    std::this_thread::sleep_for(kPoll);
  }
  report("observer " + std::to_string(node.id) + " caught up; add-controller");
  auto added = admin(ctx, node, others, {"add", render::kafka_paths(node).server_properties});
  if (!added) return added.error();
  for (;;) {
    auto out = admin(ctx, node, others, {"status"});
    auto m = out ? parse_quorum_members(*out) : util::Result<QuorumMembers>(out.error());
    if (m && m->has_voter(node.id)) break;
    last = m ? "not a voter yet" : m.error().message;
    if (std::chrono::steady_clock::now() > deadline)
      return util::fail("controller " + std::to_string(node.id) + " added (" + *added +
                        ") but the quorum does not list it as a voter: " + last);
    std::this_thread::sleep_for(kPoll);
  }
  report("voter " + std::to_string(node.id) + " of the controller quorum");
  return {};
}

util::Result<void> leave_quorum(Context& ctx, const inventory::KafkaNode& node,
                                const std::string& step) {
  // The remaining controllers, then the leaving one (it may lead until the change commits).
  const std::string others = controller_endpoints(ctx.cluster(), node.id) + "," + endpoint(node);
  auto status = admin(ctx, node, others, {"status"});
  if (!status) return status.error();
  auto members = parse_quorum_members(*status);
  if (!members) return members.error();
  const QuorumMember* self = members->voter(node.id);
  if (self == nullptr) return {};  // not (or no longer) a voter
  if (self->directory_id.empty())
    return util::fail("the quorum names no directory id for controller " + std::to_string(node.id));
  ctx.progress().report(
      {node.host, step, runner::EventKind::progress,
       "remove-controller " + std::to_string(node.id) +
           (members->leader_id == node.id ? " (the quorum leader: it hands over)" : "")});
  auto removed = admin(ctx, node, others, {"remove", std::to_string(node.id), self->directory_id});
  if (!removed) return removed.error();
  const auto deadline = std::chrono::steady_clock::now() + ctx.options().wait_timeout;
  for (;;) {
    auto out = admin(ctx, node, others, {"status"});
    auto m = out ? parse_quorum_members(*out) : util::Result<QuorumMembers>(out.error());
    if (m && !m->has_voter(node.id) && m->leader_id >= 0 && m->leader_id != node.id) return {};
    if (std::chrono::steady_clock::now() > deadline)
      return util::fail("controller " + std::to_string(node.id) +
                        " still listed by the quorum after remove-controller: " +
                        (m ? std::string("a voter") : m.error().message));
    std::this_thread::sleep_for(kPoll);
  }
}

}  // namespace zkctl::ops
