#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace zkctl::cli {

// What the shell offers for an option's value or a positional argument.
enum class Complete {
  none,     // a flag: no value
  any,      // a value the shell cannot guess (a number, a word)
  file,     // a local file or directory
  cluster,  // a cluster recorded under $ZKCTL_HOME/clusters
  node,     // a host of the current cluster (from `zkctl status --json`)
  words,    // one of a fixed list of words
};

// One option (or positional argument) as completion sees it.
struct CompletionItem {
  std::vector<std::string> names;   // "-i", "--inventory"; a positional: its name ("NODE")
  std::string help;                 // its one-line description
  Complete value = Complete::none;  // what its value (or the argument itself) is
  std::string words;                // the words to offer when value is words, space-separated
};

// One subcommand: its options and its positional arguments.
struct CompletionCommand {
  std::string name;                     // "deploy"
  std::string help;                     // its one-line description
  std::vector<CompletionItem> options;  // every option, --help included
  std::vector<CompletionItem> args;     // positional arguments, in order
};

// The whole command line: the program's own options and every subcommand.
struct CompletionModel {
  std::vector<CompletionItem> program;      // --help, --version, --color, --verbose
  std::vector<CompletionCommand> commands;  // in the order --help lists them
};

// Reads the model from the parser itself, so completion never drifts from --help.
CompletionModel completion_model(const CLI::App& app);

// The completion script of one shell, generated from the model.
std::string bash_completion(const CompletionModel& model);
std::string zsh_completion(const CompletionModel& model);
std::string fish_completion(const CompletionModel& model);

}  // namespace zkctl::cli
