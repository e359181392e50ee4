// A stand-in for libFuzzer's main: runs LLVMFuzzerTestOneInput once on every
// file named on the command line (directories: every regular file below them, in
// name order). Lets any compiler replay a corpus as an ordinary test.
//   fuzz_inventory_replay tests/fuzz/corpus/inventory [more files or dirs...]
// Exits 1 when no input was found, so an empty or misnamed corpus fails the test.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_of(const fs::path& arg) {
  std::vector<fs::path> out;
  if (fs::is_directory(arg)) {
    for (const auto& e : fs::recursive_directory_iterator(arg)) {
      if (e.is_regular_file()) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
  } else if (fs::is_regular_file(arg)) {
    out.push_back(arg);
  } else {
    std::fprintf(stderr, "replay: %s: no such file or directory\n", arg.c_str());
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    for (const fs::path& p : inputs_of(argv[i])) {
      std::ifstream in(p, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "replay: cannot read %s\n", p.c_str());
        return 1;
      }
      const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
      std::printf("replay: %s (%zu bytes)\n", p.c_str(), bytes.size());
      std::fflush(stdout);  // the last name printed is the input that crashed
      // Copy into an exactly sized heap block, as libFuzzer does, so reads past the end show.
      std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
      LLVMFuzzerTestOneInput(data.data(), data.size());
      ++count;
    }
  }
  std::printf("replay: %zu inputs\n", count);
  return count == 0 ? 1 : 0;
}
