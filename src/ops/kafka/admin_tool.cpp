#include "ops/kafka/admin_tool.hpp"

#include "remote/scripts.hpp"
#include "render/kafka_paths.hpp"

namespace zkctl::ops {

namespace {

void add_error(std::string& errors, const std::string& error) {
  errors += (errors.empty() ? "" : "; ") + error;
}

}  // namespace

std::string admin_client_config(const inventory::Cluster& cluster,
                                const inventory::KafkaNode& node) {
  return cluster.security.tls ? render::kafka_paths(node).admin_properties : "";
}

util::Result<std::string> run_admin_script(Context& ctx, const inventory::KafkaNode& node,
                                           const AdminScript& s) {
  Connection& c = ctx.connection(node);
  if (!c.remote) return util::fail(node.host + ": " + c.error);
  std::vector<std::string> args = {render::kafka_paths(node).install_dir, s.servers,
                                   admin_client_config(ctx.cluster(), node)};
  args.insert(args.end(), s.args.begin(), s.args.end());
  auto r = remote::run_script(*c.remote, s.what, s.script, args, ctx.command_timeout(node));
  if (!r) return util::fail(node.host + ": " + r.error().message);
  return r->out;
}

util::Result<std::string> run_admin_script_on_first(Context& ctx, const AdminScript& s,
                                                    const std::string& what,
                                                    const AcceptOutput& accept) {
  std::string errors;
  for (const auto& n : ctx.cluster().kafka_nodes) {
    auto out = run_admin_script(ctx, n, s);
    if (!out) {
      add_error(errors, out.error().message);
      continue;
    }
    if (!accept) return out;
    auto taken = accept(*out);
    if (taken) return out;
    add_error(errors, n.host + ": " + taken.error().message);
  }
  return util::fail(what + ": " + (errors.empty() ? std::string("no node") : errors));
}

util::Result<ToolHost> first_reachable_broker(Context& ctx) {
  std::string errors;
  for (const auto* b : ctx.cluster().brokers()) {
    Connection& c = ctx.connection(*b);
    if (c.remote) return ToolHost{b, c.remote.get()};
    add_error(errors, b->host + ": " + c.error);
  }
  return util::fail(errors.empty() ? std::string("no broker") : errors);
}

}  // namespace zkctl::ops
