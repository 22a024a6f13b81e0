// SPDX-License-Identifier: MIT
// main only forwards argv: everything else lives in the libraries the tests link too.
#include "cli/run.hpp"

int main(int argc, char** argv) {
  return oauthctl::cli::run_main(argc, argv);
}
