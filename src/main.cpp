#include "cli/app.hpp"

int main(int argc, char** argv) {
  return zkctl::cli::run(argc, argv);
}
