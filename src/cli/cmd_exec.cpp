#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/changing.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "ops/commands/exec.hpp"

namespace zkctl::cli {

namespace {

// Each line of `text` with `tag` in front.
void print_lines(const std::string& text, const char* tag) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    std::printf("%s%s\n", tag, line.c_str());
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

// Each host's outcome and output, as text or as one JSON array.
void print_exec_results(const std::vector<ops::ExecResult>& results, Output output) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& r : results) {
    if (output == Output::json) {
      j.push_back({{"host", r.host},
                   {"exit_status", r.exit_status},
                   {"stdout", r.out},
                   {"stderr", r.err},
                   {"error", r.error},
                   {"seconds", r.seconds}});
      continue;
    }
    if (!r.error.empty()) {
      std::printf("[%s] FAILED: %s\n", r.host.c_str(), r.error.c_str());
      continue;
    }
    std::printf("[%s] exit %d (%.2fs)\n", r.host.c_str(), r.exit_status, r.seconds);
    print_lines(r.out, "  ");
    print_lines(r.err, "  stderr: ");
  }
  if (output == Output::json) std::printf("%s\n", j.dump(2).c_str());
}

}  // namespace

int cmd_exec(GlobalOptions& g, const std::vector<std::string>& nodes,
             const std::vector<std::string>& command, Output output) {
  if (command.empty()) {
    std::fprintf(stderr, "zkctl: exec needs a command after --, e.g. zkctl exec -- uptime\n");
    return kUsage;
  }
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  auto hosts = ops::exec_hosts(loaded->cluster, nodes);
  if (!hosts) {
    std::fprintf(stderr, "zkctl: %s\n", hosts.error().message.c_str());
    return kUsage;
  }
  runner::NullProgress progress;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  // A root shell on every host: locked (unless --no-lock) and on the record.
  return run_changing(g, ctx, [&](ops::AuditRecord& audit) {
    auto results = ops::exec_on(ctx, *hosts, command);
    int failed = 0;
    for (const auto& r : results) {
      const bool ok = r.error.empty() && r.exit_status == 0;
      failed += ok ? 0 : 1;
      audit.hosts.push_back(
          {r.host, !r.error.empty() ? r.error : "exit " + std::to_string(r.exit_status)});
    }
    audit.summary = "exec on " + std::to_string(results.size()) + " hosts, " +
                    std::to_string(failed) + " failed";
    print_exec_results(results, output);
    return failed == 0 ? kOk : kFailed;
  });
}

int cmd_logs(GlobalOptions& g, const std::string& node, ops::LogOf which, int lines) {
  auto loaded = load_cluster(g.choice);
  if (!loaded) return kUsage;
  runner::NullProgress progress;
  ops::Context ctx(loaded->cluster, g.ops, progress);
  if (!loaded->cluster.find(node)) which = ops::LogOf::kafka;
  auto text = ops::tail_log(ctx, node, which, lines);
  if (!text) {
    std::fprintf(stderr, "zkctl: %s: %s\n", node.c_str(), text.error().message.c_str());
    return kFailed;
  }
  std::fwrite(text->data(), 1, text->size(), stdout);
  return kOk;
}

}  // namespace zkctl::cli
