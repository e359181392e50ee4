#include "ops/commands/exec.hpp"

#include <algorithm>
#include <chrono>

#include "remote/scripts.hpp"
#include "render/kafka_paths.hpp"
#include "render/zk_paths.hpp"
#include "runner/interrupt.hpp"
#include "runner/runner.hpp"
#include "util/quote.hpp"
#include "util/trace.hpp"

namespace zkctl::ops {

namespace {

namespace scripts = remote::scripts;

}  // namespace

util::Result<std::vector<std::string>> exec_hosts(const inventory::Cluster& cluster,
                                                  const std::vector<std::string>& only) {
  std::vector<std::string> all;
  auto add = [&](const std::string& h) {
    if (std::find(all.begin(), all.end(), h) == all.end()) all.push_back(h);
  };
  for (const auto& s : cluster.servers) add(s.host);
  for (const auto& n : cluster.kafka_nodes) add(n.host);
  if (only.empty()) return all;
  for (const auto& h : only) {
    if (std::find(all.begin(), all.end(), h) == all.end()) {
      std::string known;
      for (const auto& a : all) known += (known.empty() ? "" : ", ") + a;
      return util::fail("no host '" + h + "' in cluster " + cluster.name + " (hosts: " + known +
                        ")");
    }
  }
  return only;
}

std::vector<ExecResult> exec_on(Context& ctx, const std::vector<std::string>& hosts,
                                const std::vector<std::string>& argv) {
  const auto& cluster = ctx.cluster();
  std::vector<ExecResult> results(hosts.size());
  // One connection per host: a ZooKeeper server's if it has one, else its Kafka node's.
  std::vector<Connection*> conns(hosts.size());
  std::vector<const inventory::Server*> zk;
  std::vector<const inventory::KafkaNode*> kafka;
  std::vector<std::size_t> zk_idx, kafka_idx;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (const auto* s = cluster.find(hosts[i])) {
      zk.push_back(s);
      zk_idx.push_back(i);
    } else if (const auto* n = cluster.find_kafka(hosts[i])) {
      kafka.push_back(n);
      kafka_idx.push_back(i);
    }
  }
  auto zc = ctx.connect(zk);
  auto kc = ctx.connect(kafka);
  for (std::size_t j = 0; j < zk_idx.size(); ++j) conns[zk_idx[j]] = zc[j];
  for (std::size_t j = 0; j < kafka_idx.size(); ++j) conns[kafka_idx[j]] = kc[j];
  const std::string command = util::shell_join(argv);
  auto timeout = std::chrono::seconds(
      ctx.options().command_timeout_s > 0 ? ctx.options().command_timeout_s : 300);
  runner::parallel_for(hosts.size(), std::max(1, ctx.options().parallel), [&](std::size_t i) {
    ExecResult& r = results[i];
    r.host = hosts[i];
    auto t0 = std::chrono::steady_clock::now();
    if (conns[i] == nullptr || !conns[i]->remote) {
      r.error = conns[i] ? conns[i]->error : "not a host of this cluster";
      return;
    }
    if (runner::stop_requested()) {  // hosts not yet started are left alone
      r.error = runner::kStepInterrupted;
      return;
    }
    util::trace(r.host, "exec " + command);
    auto out = conns[i]->remote->run(command, timeout);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!out) {
      r.error = out.error().message;
      return;
    }
    r.exit_status = out->exit_status;
    r.out = std::move(out->out);
    r.err = std::move(out->err);
  });
  return results;
}

util::Result<std::string> tail_log(Context& ctx, const std::string& host, LogOf which, int lines) {
  const auto& cluster = ctx.cluster();
  Connection* conn = nullptr;
  std::string dir, pattern, user;
  if (which == LogOf::zookeeper) {
    const auto* s = cluster.find(host);
    if (!s) return util::fail("no ZooKeeper server on '" + host + "'");
    conn = &ctx.connection(*s);
    dir = render::zk_paths(*s).log_dir;
    pattern = "zookeeper*.log";
    user = s->service.user;
  } else {
    const auto* n = cluster.find_kafka(host);  // the host's first, or the one of that id
    for (const auto& k : cluster.kafka_nodes)
      if (n == nullptr && std::to_string(k.id) == host) n = &k;
    if (!n) return util::fail("no Kafka node on '" + host + "' nor of that id");
    conn = &ctx.connection(*n);
    dir = render::kafka_paths(*n).log_dir;
    pattern = "server.log";
    user = n->service.user;
  }
  if (!conn->remote) return util::fail(conn->error);
  auto r = run_script(*conn->remote, "tail", scripts::host_tail_log,
                      {dir, std::to_string(lines), pattern, user}, std::chrono::seconds(60));
  if (!r) return r.error();
  return r->out;
}

}  // namespace zkctl::ops
