// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"

#include <string>
#include <vector>

namespace oauthctl::server {

// Applies `faults` (serve --simulate, names from fault_table()) to `response`, the answer
// `context` gave to `request`.
void apply_faults(const std::vector<std::string>& faults, const AppContext& context,
                  const ServerRequest& request, ServerResponse& response);

} // namespace oauthctl::server
