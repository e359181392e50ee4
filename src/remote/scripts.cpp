#include "remote/scripts.hpp"

#include <algorithm>
#include <stdexcept>

#include "util/quote.hpp"
#include "util/trace.hpp"

namespace zkctl::remote {

std::string_view script_text(std::string_view name) {
  const auto all = embedded_scripts();
  const auto it =
      std::lower_bound(all.begin(), all.end(), name,
                       [](const EmbeddedScript& s, std::string_view n) { return s.name < n; });
  if (it == all.end() || it->name != name) return {};
  return it->text;
}

std::string sh_command(std::string_view text, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"sh", "-c", std::string(text), "zkctl"};
  argv.insert(argv.end(), args.begin(), args.end());
  return util::shell_join(argv);
}

std::string script_command(std::string_view name, const std::vector<std::string>& args) {
  const std::string_view text = script_text(name);
  if (text.empty()) throw std::logic_error("no embedded remote script " + std::string(name));
  return sh_command(text, args);
}

util::Result<CommandResult> run_script(Remote& remote, const std::string& what,
                                       std::string_view name, const std::vector<std::string>& args,
                                       std::chrono::seconds timeout) {
  const std::string command = script_command(name, args);
  util::trace(remote.host(), "run " + what);
  auto r = remote.run(command, timeout);
  if (!r) return r.error();
  if (r->exit_status != 0) {
    std::string msg = r->err.empty() ? r->out : r->err;
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.pop_back();
    auto nl = msg.rfind('\n');
    if (nl != std::string::npos) msg = msg.substr(nl + 1);  // the last line says most
    return util::fail(what + " failed (exit " + std::to_string(r->exit_status) + ")" +
                      (msg.empty() ? "" : ": " + msg));
  }
  return r;
}

}  // namespace zkctl::remote
