#pragma once
// Inventories for unit tests: TOML text edited line by line, loaded against a
// per-test temp dir that holds the tarballs it names, and the diagnostics checked
// by their exact "file:line:col: severity: message" text.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "inventory/load.hpp"

namespace zkctl::test {

using Lines = std::vector<std::string>;

// Three ZooKeeper voters a, b, c (ids 1-3); tests edit it by line number (1-based).
inline const Lines kThreeVoters = {
    "[cluster]",                     // 1
    "name = \"t\"",                  // 2
    "[zookeeper]",                   // 3
    "distribution = \"zk.tar.gz\"",  // 4
    "[[zookeeper.servers]]",         // 5
    "host = \"a\"",                  // 6
    "id = 1",                        // 7
    "[[zookeeper.servers]]",         // 8
    "host = \"b\"",                  // 9
    "id = 2",                        // 10
    "[[zookeeper.servers]]",         // 11
    "host = \"c\"",                  // 12
    "id = 3",                        // 13
};

// `base` with `extra` inserted after line `after` (0: at the top).
inline Lines insert_after(Lines base, size_t after, const Lines& extra) {
  base.insert(base.begin() + static_cast<long>(after), extra.begin(), extra.end());
  return base;
}

// kThreeVoters (lines 1-13) plus brokers 11..13 on hosts a, b, c (zookeeper mode), no
// [security] (so secure: each broker has its INTERNAL listener too).
inline const Lines kThreeVotersThreeBrokers =
    insert_after(kThreeVoters, 13,
                 {
                     "[kafka]",                       // 14
                     "distribution = \"kafka.tgz\"",  // 15
                     "[[kafka.nodes]]",               // 16
                     "host = \"a\"",                  // 17
                     "id = 11",                       // 18
                     "[[kafka.nodes]]",               // 19
                     "host = \"b\"",                  // 20
                     "id = 12",                       // 21
                     "[[kafka.nodes]]",               // 22
                     "host = \"c\"",                  // 23
                     "id = 13",                       // 24
                 });

// `base` with line `line` (1-based) replaced by `text`.
inline Lines replace_line(Lines base, size_t line, const std::string& text) {
  base.at(line - 1) = text;
  return base;
}

// The lines as one text, each ending in '\n'.
inline std::string join(const Lines& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// Every diagnostic of `r`, one a line, for failure messages.
inline std::string dump(const inventory::LoadResult& r) {
  std::string out = "diagnostics:\n";
  for (const auto& d : r.diagnostics) out += "  " + d.str() + "\n";
  return out;
}

// Whether `r` has a diagnostic whose text is exactly `expected`.
inline ::testing::AssertionResult HasDiag(const inventory::LoadResult& r,
                                          const std::string& expected) {
  for (const auto& d : r.diagnostics)
    if (d.str() == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "missing: " << expected << "\n" << dump(r);
}

inline size_t count(const inventory::LoadResult& r, inventory::Diagnostic::Severity severity) {
  size_t n = 0;
  for (const auto& d : r.diagnostics) n += d.severity == severity ? 1 : 0;
  return n;
}
inline size_t errors(const inventory::LoadResult& r) {
  return count(r, inventory::Diagnostic::Severity::error);
}
inline size_t warnings(const inventory::LoadResult& r) {
  return count(r, inventory::Diagnostic::Severity::warning);
}

// Whether `r` has exactly one error and a diagnostic whose text is exactly `expected`.
inline ::testing::AssertionResult HasOnlyError(const inventory::LoadResult& r,
                                               const std::string& expected) {
  if (errors(r) != 1)
    return ::testing::AssertionFailure() << errors(r) << " errors, expected 1\n" << dump(r);
  return HasDiag(r, expected);
}

// Whether `r` has exactly as many diagnostics of `severity` as `expected` holds,
// each of them a diagnostic of `r` word for word.
inline ::testing::AssertionResult HasExactly(const inventory::LoadResult& r,
                                             inventory::Diagnostic::Severity severity,
                                             const std::vector<std::string>& expected) {
  if (count(r, severity) != expected.size())
    return ::testing::AssertionFailure()
           << count(r, severity) << " diagnostics of that severity, expected " << expected.size()
           << "\n"
           << dump(r);
  for (const auto& e : expected)
    if (auto found = HasDiag(r, e); !found) return found;
  return ::testing::AssertionSuccess();
}
inline ::testing::AssertionResult HasErrors(const inventory::LoadResult& r,
                                            const std::vector<std::string>& expected) {
  return HasExactly(r, inventory::Diagnostic::Severity::error, expected);
}
inline ::testing::AssertionResult HasWarnings(const inventory::LoadResult& r,
                                              const std::vector<std::string>& expected) {
  return HasExactly(r, inventory::Diagnostic::Severity::warning, expected);
}

// The bytes of file `p` ("" when unreadable).
inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A file at `p` (parents created) standing in for a tarball.
inline void touch(const std::filesystem::path& p) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << "not really a tarball";
}

// A fixture with a fresh temp dir per test holding zk.tar.gz and kafka.tgz;
// load() reads an inventory as "inv.toml" with its relative paths in that dir.
class InventoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("zkctl-inventory-" + std::string(info->test_suite_name()) + "-" +
            std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    touch(dir_ / "zk.tar.gz");
    touch(dir_ / "kafka.tgz");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  inventory::LoadResult load(const Lines& lines) { return load_text(join(lines)); }
  inventory::LoadResult load_text(const std::string& text) {
    return inventory::load_string(text, "inv.toml", dir_.string());
  }

  // The shipped inventory `file` loaded as `name`, each of `cached` (tarballs it names
  // under /var/cache/zkctl/, which must occur) replaced by a stand-in in the temp dir.
  inventory::LoadResult load_shipped(const std::filesystem::path& file, const std::string& name,
                                     const std::vector<std::string>& cached) {
    std::string text = read_text(file);
    for (const auto& tarball : cached) {
      const std::string real = "/var/cache/zkctl/" + tarball;
      const auto at = text.find(real);
      EXPECT_NE(at, std::string::npos) << real << " not in " << file;
      if (at != std::string::npos) text.replace(at, real.size(), tarball);
      touch(dir_ / tarball);
    }
    return inventory::load_string(text, name, dir_.string());
  }

  std::filesystem::path dir_;
};

}  // namespace zkctl::test
