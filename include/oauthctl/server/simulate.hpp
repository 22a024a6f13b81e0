// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// A fault `serve --simulate` injects: a server that misbehaves on purpose, for client
// developers and to prove that `oauthctl check` catches each failure.
struct FaultInfo {
  std::string_view name = {};
  // What follows "name:" ("DURATION", "STATUS", "SECONDS"); empty: the fault takes none.
  std::string_view argument = {};
  // The argument caught_by was measured with ("2s"); empty when the fault takes none.
  std::string_view example = {};
  std::string_view description = {};
  // The `check` ids that fail against a server with this fault (comma-separated), and no
  // others do (tests/e2e/suites/simulate.bash holds the suite to that). Empty: every check
  // passes (a fault a careful client copes with).
  std::string_view caught_by = {};
  // True for a fault that refuses a correct step: caught_by names that step's check, and
  // every check that needs the step fails with it.
  bool cascades = false;
  // False for faults of the whole server (discovery documents, keys, clock): only
  // `--simulate` sets them, never a Client's `simulate` field.
  bool per_client = true;
};

// One fault as given: "slow:2s" is {"slow", 2000}.
struct Fault {
  std::string name;
  // The argument, in the fault's unit: milliseconds for slow, an HTTP status for http,
  // seconds for clock_skew; 0 when the fault takes none.
  std::int64_t value = 0;
  friend bool operator==(const Fault&, const Fault&) = default;
};

// Every fault, in the order `serve --simulate list` prints them.
std::span<const FaultInfo> fault_table();

// The row of `name`, or null.
const FaultInfo* find_fault(std::string_view name);

// The faults of a comma-separated list ("no_state,slow:2s,http:429"); `usage` error naming
// an unknown fault or a bad argument. `per_client_only` refuses the whole-server faults.
[[nodiscard]] util::Result<std::vector<Fault>> parse_faults(std::string_view list,
                                                            bool per_client_only = false);

} // namespace oauthctl::server
