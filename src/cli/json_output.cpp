// SPDX-License-Identifier: MIT
#include "cli/json_output.hpp"

#include "cli/output.hpp"

#include <CLI/CLI.hpp>

namespace oauthctl::cli {

void add_json_layout_flags(CLI::App& app, JsonLayoutFlags& flags) {
  auto* pretty = app.add_flag("--pretty", flags.pretty, "indent JSON output (the default on a terminal)");
  auto* compact = app.add_flag("--compact", flags.compact, "JSON output on one line (the default in a pipe)");
  pretty->excludes(compact);
}

util::JsonRendering json_rendering(const Io& io, const JsonLayoutFlags& flags) {
  return util::JsonRendering{.indent = flags.pretty || (io.out_is_tty && !flags.compact),
                             .colour = Style::for_stdout(io).enabled()};
}

} // namespace oauthctl::cli
