// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace oauthctl::cli {

// Where a command reads and writes: the process's streams and environment in main, or
// string streams and a made-up environment in tests (oauthctl runs in-process).
struct Io {
  std::istream& in;
  std::ostream& out; // the result only
  std::ostream& err; // errors, warnings, traces, the server log
  std::map<std::string, std::string> env;
  bool out_is_tty = false; // colour is allowed only on a terminal (and without NO_COLOR)
  bool err_is_tty = false; // a wait shows a spinner only on a terminal
  bool in_is_tty = false;  // a missing password is asked for only on a terminal

  // The value of environment variable `name`, or "" when unset.
  [[nodiscard]] std::string getenv(const std::string& name) const;
};

// Runs the command line `args` (without the program name) against `io` and returns
// the process exit code (exit_codes.hpp). Never throws.
int run(const std::vector<std::string>& args, Io& io);

// Runs with the process's argv, std streams and environment.
int run_main(int argc, char** argv);

} // namespace oauthctl::cli
