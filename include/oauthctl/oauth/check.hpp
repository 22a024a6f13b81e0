// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// `oauthctl check`: a conformance and smoke suite for an OAuth 2.0 / OpenID Connect /
// SMART server. Each check is one run function plus one row of check_table(); the CLI
// only selects, runs and prints.
namespace oauthctl::oauth::check {

class Context;

// What a check found. warn: the server works but departs from a SHOULD.
enum class Status { pass, fail, skip, warn };

// "PASS", "FAIL", "SKIP", "WARN".
std::string_view to_string(Status status);

// A check's verdict with one line saying why.
struct Outcome {
  Status status = Status::pass;
  std::string reason;
};

inline Outcome passed(std::string reason) {
  return {Status::pass, std::move(reason)};
}
inline Outcome failed(std::string reason) {
  return {Status::fail, std::move(reason)};
}
inline Outcome skipped(std::string reason) {
  return {Status::skip, std::move(reason)};
}
inline Outcome warned(std::string reason) {
  return {Status::warn, std::move(reason)};
}

using Run = Outcome (*)(Context& context);

// One row of the check table.
struct CheckInfo {
  std::string_view id;      // stable: "<group>.<name>", what --only, --skip and baselines name
  std::string_view group;   // "discovery", "token", "authorization-code", ...
  std::string_view spec;    // the section it enforces: "RFC 8414 §3.3"
  std::string_view explain; // what it sends, what it expects, and why (`--explain ID`)
  Run run;
};

// Every check, in the order they run (later groups reuse what earlier ones obtained).
std::span<const CheckInfo> check_table();

// The row with id `id`; null when there is none.
const CheckInfo* find_check(std::string_view id);

// The group names, in table order.
std::vector<std::string_view> check_groups();

// Which checks run: --only and --skip name ids or groups.
struct Selection {
  std::vector<std::string> only; // empty: all
  std::vector<std::string> skip;
};

// The names in `selection` that are neither a check id nor a group (a usage error).
std::vector<std::string> unknown_names(const Selection& selection);

// Whether `info` runs under `selection`.
bool selected(const CheckInfo& info, const Selection& selection);

// A baseline: ids of known failures, one per line; '#' starts a comment.
using Baseline = std::set<std::string, std::less<>>;
Baseline parse_baseline(std::string_view text);

// One check's result as reported.
struct Result {
  const CheckInfo* info = nullptr;
  Status status = Status::skip;
  std::string reason;
  double elapsed_ms = 0;
  std::vector<std::string> exchanges; // the HTTP exchanges it made, redacted, as text
  bool known_failure = false;         // failed, and listed in the baseline
  bool baseline_fixed = false;        // listed in the baseline, and no longer fails
};

// Runs the selected checks in table order, marking baseline entries.
std::vector<Result> run_checks(Context& context, const Selection& selection, const Baseline& baseline);

// The counts the closing line reports. `passed` includes warnings; `failed` leaves out
// known failures (baseline), which `known` counts.
struct Tally {
  int passed = 0, failed = 0, skipped = 0, warned = 0, known = 0, fixed = 0;
};
Tally tally(const std::vector<Result>& results);

// "N passed, N failed, N skipped".
std::string summary_line(const Tally& tally);

// The results as JSON: {"server", "summary": {...}, "checks": [{id, group, spec, status,
// reason, time_ms, known_failure, baseline_fixed, exchanges}]}.
nlohmann::json results_json(const std::vector<Result>& results, std::string_view server);

// The results as a JUnit XML report (the schema in tests/junit.xsd): one testsuite per
// group, one testcase per check with the spec as a property, <failure> with the reason
// and the redacted exchanges, <skipped> with the reason.
std::string junit_xml(const std::vector<Result>& results, std::string_view server);

} // namespace oauthctl::oauth::check
