#include "ops/kafka/reassign.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "ops/cluster/state.hpp"
#include "ops/kafka/admin_tool.hpp"
#include "ops/kafka/health.hpp"
#include "remote/scripts.hpp"
#include "render/kafka_paths.hpp"
#include "runner/interrupt.hpp"
#include "util/file.hpp"

namespace zkctl::ops {

namespace fs = std::filesystem;
namespace scripts = remote::scripts;

namespace {

// The local record of a reassignment under way: clusters/<name>/reassign.json.
fs::path record_path(const std::string& cluster) {
  return fs::path(state_home()) / "clusters" / cluster / "reassign.json";
}

std::optional<nlohmann::json> read_record(const std::string& cluster) {
  std::ifstream in(record_path(cluster));
  if (!in) return std::nullopt;
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception&) {
    return std::nullopt;  // a torn record (written whole, so only by hand): planned afresh
  }
}

util::Result<void> write_record(const std::string& cluster, const PlannedMoves& p) {
  std::error_code ec;
  fs::create_directories(record_path(cluster).parent_path(), ec);
  nlohmann::json j{
      {"what", p.what}, {"throttle", p.throttle}, {"moves", moves_to_json(p.plan.moves)}};
  return util::write_file_atomically(record_path(cluster).string(), j.dump(1) + "\n", 0600);
}

std::string what_of(const MoveRequest& req) {
  return req.kind == MoveKind::drain ? "drain broker " + std::to_string(req.broker) : "rebalance";
}

BrokerRacks inventory_racks(const inventory::Cluster& cluster) {
  BrokerRacks racks;
  for (const auto* b : cluster.brokers()) racks[b->id] = b->rack;
  return racks;
}

util::Result<ToolHost> tool_host(Context& ctx) {
  auto h = first_reachable_broker(ctx);
  if (!h)
    return util::fail("no broker host reachable to run kafka-reassign-partitions.sh: " +
                      h.error().message);
  return h;
}

// reassign.sh ACTION ARG [THROTTLE] on `h`: its output (a non-zero exit: an error, the tool's
// last line).
util::Result<std::string> tool_ok(Context& ctx, const ToolHost& h, const std::string& action,
                                  const std::string& arg, const std::string& throttle = "") {
  AdminScript s{"kafka " + action,
                scripts::kafka_reassign,
                kafka_access(ctx.cluster()).bootstrap,
                {action, arg}};
  if (!throttle.empty()) s.args.push_back(throttle);
  return run_admin_script(ctx, *h.node, s);
}

// Partition sizes on every broker of `md`, read on `h`.
util::Result<LogDirSizes> sizes(Context& ctx, const ToolHost& h, const probe::KafkaMetadata& md) {
  std::string ids;
  for (const auto& b : md.brokers) ids += (ids.empty() ? "" : ",") + std::to_string(b.id);
  auto out = tool_ok(ctx, h, "sizes", ids);
  if (!out) return out.error();
  return parse_log_dirs(*out);
}

std::string file_on(const ToolHost& h, const std::string& name) {
  return render::kafka_paths(*h.node).install_dir + "/" + name;
}

}  // namespace

namespace {

// The record's request when it is `out`'s: its moves taken (resumed); another's: an error.
util::Result<bool> take_record(const inventory::Cluster& cluster, const MoveRequest& req,
                               PlannedMoves& out) {
  auto rec = read_record(cluster.name);
  if (!rec) return false;
  const std::string was = rec->value("what", "");
  if (was != out.what)
    return util::fail(
        "a reassignment zkctl started (" + was + ") is unfinished; finish it first (zkctl " +
        (was == "rebalance" ? "rebalance" : "drain " + was.substr(was.rfind(' ') + 1)) + ")");
  auto moves = moves_from_json(rec->value("moves", nlohmann::json::array()));
  if (!moves) return util::fail("the recorded reassignment: " + moves.error().message);
  out.resumed = true;
  out.recorded_moves = static_cast<int>(moves->size());
  if (req.throttle <= 0) out.throttle = rec->value("throttle", out.throttle);
  out.plan.moves = std::move(*moves);
  return true;
}

}  // namespace

util::Result<PlannedMoves> plan_moves(Context& ctx, const MoveRequest& req) {
  const auto& cluster = ctx.cluster();
  PlannedMoves out;
  out.what = what_of(req);
  out.throttle = req.throttle > 0 ? req.throttle : cluster.kafka->reassign_throttle;
  auto resumed = take_record(cluster, req, out);
  if (!resumed) return resumed.error();
  if (*resumed) return out;
  auto md = probe::kafka_metadata(kafka_access(cluster), ctx.admin_timeout());
  if (!md) return util::fail("metadata: " + md.error().message);
  std::vector<int> brokers;
  for (const auto* b : cluster.brokers()) brokers.push_back(b->id);
  if (req.kind == MoveKind::drain) {
    std::vector<int> remaining = req.remaining;
    if (remaining.empty())
      for (int b : brokers)
        if (b != req.broker) remaining.push_back(b);
    out.plan = plan_drain(*md, req.broker, remaining, inventory_racks(cluster));
  } else {
    out.plan = plan_rebalance(*md, brokers, inventory_racks(cluster));
  }
  if (!out.plan.moves.empty()) {
    if (auto h = tool_host(ctx); h) {
      if (auto s = sizes(ctx, *h, *md); s) size_moves(out.plan.moves, *md, *s);
    }
  }
  return out;
}

namespace {

// Refusal lines before anything starts: the plan's own, and partitions below min ISR; an
// error when the cluster cannot be read.
util::Result<std::vector<std::string>> gate(Context& ctx, const PlannedMoves& planned) {
  if (!planned.plan.refusals.empty()) return planned.plan.refusals;
  const auto access = kafka_access(ctx.cluster());
  auto md = probe::kafka_metadata(access, ctx.admin_timeout());
  if (!md) return util::fail("metadata: " + md.error().message);
  if (md->brokers.empty()) return util::fail("metadata: no broker registered");
  std::set<std::string> topics;
  for (const auto& p : md->partitions) topics.insert(p.topic);
  auto min = probe::kafka_min_insync(access, {topics.begin(), topics.end()},
                                     md->answered_by >= 0 ? md->answered_by : md->brokers[0].id,
                                     ctx.admin_timeout());
  if (!min) return util::fail("min.insync.replicas: " + min.error().message);
  auto below = under_min_isr(*md, *min);
  if (below.empty()) return std::vector<std::string>{};
  std::string names;
  for (std::size_t i = 0; i < below.size() && i < 5; ++i) names += (i ? ", " : "") + below[i];
  if (below.size() > 5) names += ", ... (" + std::to_string(below.size()) + " in all)";
  return std::vector<std::string>{"partitions below their min.insync.replicas already: " + names +
                                  "; no replica moves until they are back"};
}

std::string progress_text(const MoveProgress& p, long long throttle) {
  return std::to_string(p.partitions_left) + " partition(s) left, " + human_bytes(p.bytes_left) +
         " of " + human_bytes(p.bytes_total) + " left to copy (throttle " + human_bytes(throttle) +
         "/s)";
}

// Poll until every move is done; fails after the wait timeout without any change.
util::Result<void> await_moves(Context& ctx, const ToolHost& h, const PlannedMoves& planned,
                               const std::string& host, const std::string& step) {
  const auto stall = ctx.options().wait_timeout;
  auto last_change = std::chrono::steady_clock::now();
  std::string shown;
  LogDirSizes last_sizes;
  for (;;) {
    if (runner::stop_requested())
      return util::fail(
          "interrupted; the reassignment goes on in the cluster: rerun to follow "
          "it to the end (throttles stay until then)");
    auto md = probe::kafka_metadata(kafka_access(ctx.cluster()), ctx.admin_timeout());
    if (md) {
      if (auto s = sizes(ctx, h, *md); s) last_sizes = std::move(*s);
      const MoveProgress p = progress_of(planned.plan.moves, *md, last_sizes);
      const std::string text = progress_text(p, planned.throttle);
      if (text != shown) {  // each poll that moved on, the last one (0 left) too
        ctx.progress().report({host, step, runner::EventKind::progress, text});
        shown = text;
        last_change = std::chrono::steady_clock::now();
      }
      if (p.partitions_left == 0) return {};
    }
    if (std::chrono::steady_clock::now() - last_change > stall)
      return util::fail("no progress for " + std::to_string(stall.count()) + "s (" + shown +
                        "); the reassignment stays recorded: rerun to resume");
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
}

// --verify until the tool agrees every partition is done (it then removes the throttles).
util::Result<void> verify(Context& ctx, const ToolHost& h) {
  for (int i = 0;; ++i) {
    auto out = tool_ok(ctx, h, "verify", file_on(h, "reassign-plan.json"));
    if (!out) return out.error();
    const bool pending = out->find("still in progress") != std::string::npos;
    if (out->find("failed") != std::string::npos && !pending)
      return util::fail("kafka-reassign-partitions.sh --verify: " + *out);
    if (!pending) return {};
    if (i >= 30) return util::fail("--verify still reports moves in progress: " + *out);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

// Submit the plan's moves (resubmit with --additional when resumed).
util::Result<void> submit(Context& ctx, const ToolHost& h, const PlannedMoves& planned) {
  const std::string file = file_on(h, "reassign-plan.json");
  if (auto w = h.remote->write_file(reassignment_json(planned.plan.moves), file, 0600); !w)
    return w.error();
  auto out = tool_ok(ctx, h, planned.resumed ? "additional" : "execute", file,
                     std::to_string(planned.throttle));
  if (!out) return out.error();
  return {};
}

util::Result<void> elect(Context& ctx, const ToolHost& h, const PlannedMoves& planned) {
  const std::string file = file_on(h, "reassign-elect.json");
  if (auto w = h.remote->write_file(election_json(planned.plan.moves), file, 0600); !w)
    return w.error();
  auto out = tool_ok(ctx, h, "elect", file);
  if (!out) return out.error();
  return {};
}

MoveOutcome failed(const std::string& why) {
  return {MoveOutcome::Kind::failed, why};
}

}  // namespace

MoveOutcome run_moves(Context& ctx, const PlannedMoves& planned, const std::string& host,
                      const std::string& step) {
  const std::string name = ctx.cluster().name;
  if (planned.plan.moves.empty() && planned.plan.refusals.empty()) {
    std::error_code ec;
    fs::remove(record_path(name), ec);
    return {MoveOutcome::Kind::done, planned.what + ": nothing to move"};
  }
  auto refusals = gate(ctx, planned);
  if (!refusals) return failed(refusals.error().message);
  if (!refusals->empty()) {
    std::string why;
    for (const auto& r : *refusals) why += (why.empty() ? "" : "; ") + r;
    return {MoveOutcome::Kind::refused, planned.what + " refused: " + why};
  }
  if (!planned.resumed)
    if (auto w = write_record(name, planned); !w)
      return failed("local record: " + w.error().message);
  auto h = tool_host(ctx);
  if (!h) return failed(h.error().message);
  ctx.progress().report({host, step, runner::EventKind::progress,
                         (planned.resumed ? "resuming the recorded reassignment: " : "moving ") +
                             std::to_string(planned.plan.moves.size()) + " partition(s) via " +
                             h->node->host});
  if (auto s = submit(ctx, *h, planned); !s) {
    std::error_code ec;  // not started (another reassignment under way?): nothing to resume
    if (!planned.resumed) fs::remove(record_path(name), ec);
    return failed(s.error().message);
  }
  if (auto a = await_moves(ctx, *h, planned, host, step); !a) return failed(a.error().message);
  if (auto v = verify(ctx, *h); !v) return failed(v.error().message);
  std::error_code ec;
  fs::remove(record_path(name), ec);
  if (auto e = elect(ctx, *h, planned); !e)
    return failed("moves done, throttles removed, but the preferred-leader election failed: " +
                  e.error().message);
  long long bytes = 0;
  for (const auto& m : planned.plan.moves) bytes += std::max(m.bytes, 0LL);
  return {MoveOutcome::Kind::done, planned.what + ": " + std::to_string(planned.plan.moves.size()) +
                                       " partition(s) moved (" + human_bytes(bytes) +
                                       "), throttles removed, preferred leaders elected"};
}

MoveOutcome run_until_drained(Context& ctx, const MoveRequest& req, const PlannedMoves& first,
                              const std::string& host, const std::string& step) {
  constexpr int kRounds = 3;
  MoveOutcome out = run_moves(ctx, first, host, step);
  for (int round = 2; out.kind == MoveOutcome::Kind::done && req.kind == MoveKind::drain; ++round) {
    auto planned = plan_moves(ctx, req);
    if (!planned)
      return failed("after the drain, reading what is left: " + planned.error().message);
    if (planned->plan.moves.empty() && planned->plan.refusals.empty()) return out;
    if (round > kRounds)
      return failed("broker " + std::to_string(req.broker) + " still holds " +
                    std::to_string(planned->plan.moves.size()) + " replica(s) after " +
                    std::to_string(kRounds) + " drains (topics created meanwhile?)");
    ctx.progress().report({host, step, runner::EventKind::progress,
                           out.message + "; the metadata still shows " +
                               std::to_string(planned->plan.moves.size()) +
                               " replica(s) on it: draining again"});
    out = run_moves(ctx, *planned, host, step);
  }
  return out;
}

util::Result<void> drain_before_removal(Context& ctx, int id, const std::string& host,
                                        const std::string& step) {
  MoveRequest req;
  req.kind = MoveKind::drain;
  req.broker = id;
  auto planned = plan_moves(ctx, req);
  if (!planned) return planned.error();
  if (planned->plan.moves.empty() && planned->plan.refusals.empty()) return {};
  MoveOutcome out = run_until_drained(ctx, req, *planned, host, step);
  if (out.kind != MoveOutcome::Kind::done) return util::fail(out.message + ": not stopped");
  ctx.progress().report({host, step, runner::EventKind::progress, out.message});
  return {};
}

std::string planned_json(const PlannedMoves& planned) {
  long long bytes = 0;
  for (const auto& m : planned.plan.moves) bytes += std::max(m.bytes, 0LL);
  nlohmann::json j{{"what", planned.what},
                   {"throttle", planned.throttle},
                   {"resumed", planned.resumed},
                   {"partitions", planned.plan.moves.size()},
                   {"bytes", bytes},
                   {"moves", moves_to_json(planned.plan.moves)},
                   {"refusals", planned.plan.refusals}};
  return j.dump(2);
}

std::string planned_text(const PlannedMoves& planned) {
  auto list = [](const std::vector<int>& v) {
    std::string s;
    for (int b : v) s += (s.empty() ? "" : ",") + std::to_string(b);
    return "[" + s + "]";
  };
  std::ostringstream out;
  long long bytes = 0;
  for (const auto& m : planned.plan.moves) bytes += std::max(m.bytes, 0LL);
  out << planned.what << (planned.resumed ? " (resuming the recorded reassignment)" : "") << ": "
      << planned.plan.moves.size() << " partition(s) to move, " << human_bytes(bytes)
      << ", throttle " << human_bytes(planned.throttle) << "/s\n";
  for (const auto& m : planned.plan.moves)
    out << "  " << m.topic << "-" << m.partition << ": " << list(m.from) << " -> " << list(m.to)
        << (m.bytes >= 0 ? "  " + human_bytes(m.bytes) : "") << "\n";
  for (const auto& r : planned.plan.refusals) out << "  refused: " << r << "\n";
  return out.str();
}

}  // namespace zkctl::ops
