#pragma once
// The shell scripts zkctl runs on hosts: the files of remote-scripts/, embedded at
// build time with the lib.sh helpers each calls inlined (src/remote/embed_scripts.py),
// and how they run: `sh -c SCRIPT zkctl ARG...`, every value a quoted positional
// argument, never spliced into a script. Names: the constants of script_names.hpp.

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "remote/remote.hpp"
#include "remote/script_names.hpp"  // generated: remote::scripts::zookeeper_inspect, ...
#include "util/result.hpp"

namespace zkctl::remote {

// One embedded script: its path under remote-scripts/ and the text a host runs.
struct EmbeddedScript {
  std::string_view name;
  std::string_view text;
};

// Every embedded script, sorted by name.
std::span<const EmbeddedScript> embedded_scripts();

// The text of script `name`; empty if there is no such script.
std::string_view script_text(std::string_view name);

// `sh -c TEXT zkctl ARGS...` with every word quoted: one command line for Remote::run.
std::string sh_command(std::string_view text, const std::vector<std::string>& args);

// sh_command of the embedded script `name`; throws std::logic_error for a name that is
// not embedded (a bug: use the constants of remote::scripts).
std::string script_command(std::string_view name, const std::vector<std::string>& args);

// Run script `name` with `args` on `remote`. A non-zero exit is an error
// "`what` failed (exit N): <last line of stderr, else of stdout>".
util::Result<CommandResult> run_script(Remote& remote, const std::string& what,
                                       std::string_view name, const std::vector<std::string>& args,
                                       std::chrono::seconds timeout);

}  // namespace zkctl::remote
