#include "cli/completion.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <string>

namespace zkctl::cli {
namespace {

// A parser shaped like zkctl's: a program option, a subcommand with a positional, a flag,
// a value option and a file option.
struct Parser {
  CLI::App app{"demo", "zkctl"};
  std::string color, node, inventory;
  bool force = false;
  int parallel = 1;
  Parser() {
    app.add_option("--color", color, "Colour: auto, always, never");
    auto* stop = app.add_subcommand("stop", "Stop one server; it's safe");
    stop->add_option("NODE", node, "Server host");
    stop->add_flag("--force", force, "Go ahead anyway");
    stop->add_option("--parallel", parallel, "Most hosts at once");
    stop->add_option("-i,--inventory", inventory, "Inventory file [TOML]");
  }
};

TEST(CompletionModel, ReadsCommandsOptionsAndWhatTheirValuesAre) {
  Parser p;
  CompletionModel m = completion_model(p.app);
  ASSERT_EQ(m.commands.size(), 1u);
  const CompletionCommand& stop = m.commands[0];
  EXPECT_EQ(stop.name, "stop");
  ASSERT_EQ(stop.args.size(), 1u);
  EXPECT_EQ(stop.args[0].value, Complete::node);
  ASSERT_EQ(stop.options.size(), 4u);  // --help, --force, --parallel, -i/--inventory
  EXPECT_EQ(stop.options[1].value, Complete::none);
  EXPECT_EQ(stop.options[2].value, Complete::any);
  EXPECT_EQ(stop.options[3].names, (std::vector<std::string>{"-i", "--inventory"}));
  EXPECT_EQ(stop.options[3].value, Complete::file);
  EXPECT_EQ(m.program.back().value, Complete::words);
  EXPECT_EQ(m.program.back().words, "auto always never");
}

TEST(CompletionScripts, QuoteHelpTextForEachShell) {
  Parser p;
  CompletionModel m = completion_model(p.app);
  // A quote in a description closes no string; zsh's brackets and colons are escaped.
  EXPECT_NE(zsh_completion(m).find("'stop:Stop one server; it'\\''s safe'"), std::string::npos);
  EXPECT_NE(zsh_completion(m).find("Inventory file \\[TOML\\]"), std::string::npos);
  EXPECT_NE(fish_completion(m).find("-d 'Stop one server; it\\'s safe'"), std::string::npos);
  EXPECT_NE(fish_completion(m).find("-s i -l inventory -r -F"), std::string::npos);
  EXPECT_NE(bash_completion(m).find("-i|--inventory) COMPREPLY=($(compgen -f"), std::string::npos);
}

}  // namespace
}  // namespace zkctl::cli
