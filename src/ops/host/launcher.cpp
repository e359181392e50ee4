#include "ops/host/launcher.hpp"

#include <cstdio>
#include <sstream>

#include "remote/scripts.hpp"

namespace zkctl::ops {

namespace {

namespace scripts = remote::scripts;

// `mode` as the octal digits chmod takes ("640").
std::string octal(int mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

std::optional<int> pid_line(const std::string& out) {
  std::istringstream in(out);
  std::string line;
  std::optional<int> pid;
  while (std::getline(in, line))
    if (line.rfind("pid=", 0) == 0) pid = std::stoi(line.substr(4));
  return pid;
}

util::Result<int> launch_start(remote::Remote& remote, const inventory::ServiceSettings& service,
                               render::Product product, const ScriptLaunch& launch,
                               std::chrono::seconds timeout) {
  if (service.launcher == inventory::Launcher::systemd)
    return start_unit(remote, unit_of(service, product), timeout);
  auto r = run_script(remote, launch.start_what, launch.start_script, launch.start_args, timeout);
  if (!r) return r.error();
  auto pid = pid_line(r->out);
  if (!pid) return util::fail(launch.start_what + " printed no PID");
  return *pid;
}

util::Result<bool> launch_stop(remote::Remote& remote, const inventory::ServiceSettings& service,
                               render::Product product, const ScriptLaunch& launch,
                               std::chrono::seconds grace, std::chrono::seconds timeout) {
  if (service.launcher == inventory::Launcher::systemd)
    return stop_unit(remote, unit_of(service, product), timeout + grace);
  std::vector<std::string> args = launch.stop_args;
  args.push_back(std::to_string(grace.count()));
  auto r = run_script(remote, "stop", launch.stop_script, args, timeout + grace);
  if (!r) return r.error();
  return r->out.find("stopped") != std::string::npos;
}

util::Result<std::optional<int>> launch_pid(remote::Remote& remote,
                                            const inventory::ServiceSettings& service,
                                            render::Product product, const ScriptLaunch& launch,
                                            std::chrono::seconds timeout) {
  if (service.launcher == inventory::Launcher::systemd)
    return unit_pid(remote, unit_of(service, product), timeout);
  auto r = run_script(remote, "pid", launch.pid_script, launch.pid_args, timeout);
  if (!r) return r.error();
  return pid_line(r->out);
}

std::string unit_of(const inventory::ServiceSettings& service, render::Product product) {
  return render::unit_name(service.cluster, product, service.unit_suffix);
}

std::string inspected_unit(const inventory::ServiceSettings& service, render::Product product) {
  return service.launcher == inventory::Launcher::systemd ? unit_of(service, product) : "";
}

std::vector<std::string> node_host_problems(const inventory::Node& node, const CommonFacts& facts,
                                            const JavaNeed& java) {
  std::vector<std::string> problems;
  if (node.java_home.empty()) {  // no pushed JDK: the host's java must do
    if (auto p = java_problem(facts.java_version, java.min_major, java.product))
      problems.push_back(*p);
  }
  auto service = service_problems(node.service, facts);
  problems.insert(problems.end(), service.begin(), service.end());
  for (const auto& d : facts.unwritable)
    problems.push_back("cannot create " + d +
                       ": its nearest existing parent is not a writable directory");
  return problems;
}

std::vector<std::string> service_problems(const inventory::ServiceSettings& service,
                                          const CommonFacts& facts) {
  const std::string& pid1 = facts.pid1;
  std::vector<std::string> problems;
  if (service.launcher == inventory::Launcher::systemd && pid1 != "systemd") {
    problems.push_back("launcher = \"systemd\" but PID 1 on this host is '" +
                       (pid1.empty() ? std::string("unknown") : pid1) +
                       "', not systemd: set [service] launcher = \"scripts\" for hosts "
                       "without systemd");
  }
  if (!facts.user_exists) {
    problems.push_back("service user '" + service.user +
                       "' does not exist on this host: create it first (useradd --system "
                       "--no-create-home " +
                       service.user + "); zkctl creates no users");
  }
  return problems;
}

util::Result<void> enable_unit(remote::Remote& remote, const std::string& unit,
                               std::chrono::seconds timeout) {
  auto r = run_script(remote, "systemctl enable", scripts::systemd_enable, {unit}, timeout);
  if (!r) return r.error();
  return {};
}

util::Result<bool> remove_unit(remote::Remote& remote, const std::string& unit,
                               std::chrono::seconds timeout) {
  const std::string file = std::string(render::kSystemdUnitDir) + "/" + unit;
  auto r = run_script(remote, "systemctl disable", scripts::systemd_remove, {unit, file}, timeout);
  if (!r) return r.error();
  return r->out.find("removed") != std::string::npos;
}

util::Result<int> start_unit(remote::Remote& remote, const std::string& unit,
                             std::chrono::seconds timeout) {
  auto r = run_script(remote, "systemctl start", scripts::systemd_start, {unit}, timeout);
  if (!r) return r.error();
  auto pid = pid_line(r->out);
  if (!pid) return util::fail("systemctl start " + unit + " gave no main PID");
  return *pid;
}

util::Result<bool> stop_unit(remote::Remote& remote, const std::string& unit,
                             std::chrono::seconds timeout) {
  auto r = run_script(remote, "systemctl stop", scripts::systemd_stop, {unit}, timeout);
  if (!r) return r.error();
  return r->out.find("stopped") != std::string::npos;
}

util::Result<std::optional<int>> unit_pid(remote::Remote& remote, const std::string& unit,
                                          std::chrono::seconds timeout) {
  auto r = run_script(remote, "systemctl show", scripts::systemd_pid, {unit}, timeout);
  if (!r) return r.error();
  return pid_line(r->out);
}

util::Result<void> own_dirs(remote::Remote& remote, const std::string& user,
                            const std::vector<std::string>& dirs, std::chrono::seconds timeout) {
  std::vector<std::string> args = {user, std::to_string(dirs.size())};
  args.insert(args.end(), dirs.begin(), dirs.end());
  auto r = run_script(remote, "chown", scripts::host_own, args, timeout);
  if (!r) return r.error();
  return {};
}

util::Result<void> write_as(remote::Remote& remote, const std::string& user,
                            const std::string& path, const std::string& content, int mode,
                            std::chrono::seconds timeout) {
  auto r = run_script(remote, "write " + path, scripts::host_write_as,
                      {user, path, octal(mode), content}, timeout);
  if (!r) return r.error();
  return {};
}

util::Result<void> write_files(remote::Remote& remote, const std::string& user,
                               const std::vector<const render::RenderedFile*>& files,
                               std::chrono::seconds timeout) {
  for (const auto* f : files) {
    auto w = f->owner == render::FileOwner::service
                 ? write_as(remote, user, f->path, f->content, f->mode, timeout)
                 : remote.write_file(f->content, f->path, f->mode);
    if (!w) return w.error();
  }
  return {};
}

util::Result<void> settle_service(remote::Remote& remote, const inventory::ServiceSettings& service,
                                  render::Product product,
                                  const std::vector<render::RenderedFile>& files,
                                  std::chrono::seconds timeout) {
  std::vector<std::string> args = {service.user, "0"};
  for (const auto& f : files) {
    if (f.owner == render::FileOwner::service) continue;  // in a dir own_dirs gave the service
    args.insert(args.end(), {f.owner == render::FileOwner::root_service ? "group" : "root",
                             octal(f.mode), f.path});
  }
  if (auto r = run_script(remote, "chown", scripts::host_own, args, timeout); !r) return r.error();
  if (service.launcher == inventory::Launcher::systemd) {
    return enable_unit(remote, unit_of(service, product), timeout);
  }
  return {};
}

}  // namespace zkctl::ops
