// SPDX-License-Identifier: MIT
#pragma once

#include "cli/run.hpp"

#include <oauthctl/util/json_render.hpp>

namespace CLI {
class App;
}

namespace oauthctl::cli {

// --pretty / --compact of the commands that print JSON (fhir, introspect, decode, discover,
// token -o json). Neither: indented on a terminal, compact in a pipe.
struct JsonLayoutFlags {
  bool pretty = false;
  bool compact = false;
};

// Adds --pretty and --compact (mutually exclusive) to `app`.
void add_json_layout_flags(CLI::App& app, JsonLayoutFlags& flags);

// How to write JSON to `io`'s stdout: indented when it is a terminal (or --pretty), compact
// when not (or --compact); coloured only on a terminal without NO_COLOR (no-color.org).
util::JsonRendering json_rendering(const Io& io, const JsonLayoutFlags& flags);

} // namespace oauthctl::cli
