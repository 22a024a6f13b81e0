// SPDX-License-Identifier: MIT
#include "oauth/check/checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace oauthctl::oauth::check {

namespace {

bool names(const std::vector<std::string>& list, const CheckInfo& info) {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& name) { return name == info.id || name == info.group; });
}

} // namespace

std::string_view to_string(Status status) {
  switch (status) {
    case Status::pass:
      return "PASS";
    case Status::fail:
      return "FAIL";
    case Status::skip:
      return "SKIP";
    case Status::warn:
      return "WARN";
  }
  return "FAIL";
}

std::vector<std::string> unknown_names(const Selection& selection) {
  std::vector<std::string> unknown;
  const auto groups = check_groups();
  for (const auto* list : {&selection.only, &selection.skip}) {
    for (const auto& name : *list) {
      if (find_check(name) == nullptr && std::find(groups.begin(), groups.end(), name) == groups.end()) {
        unknown.push_back(name);
      }
    }
  }
  return unknown;
}

bool selected(const CheckInfo& info, const Selection& selection) {
  return (selection.only.empty() || names(selection.only, info)) && !names(selection.skip, info);
}

Baseline parse_baseline(std::string_view text) {
  Baseline baseline;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    auto line = text.substr(start, end - start);
    line = line.substr(0, line.find('#'));
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos) {
      const auto last = line.find_last_not_of(" \t\r");
      baseline.emplace(line.substr(first, last - first + 1));
    }
    start = end + 1;
  }
  return baseline;
}

std::vector<Result> run_checks(Context& context, const Selection& selection, const Baseline& baseline) {
  std::vector<Result> results;
  for (const auto& info : check_table()) {
    if (!selected(info, selection)) {
      continue;
    }
    context.begin_check();
    const auto started = std::chrono::steady_clock::now();
    auto outcome = info.run(context);
    Result result;
    result.info = &info;
    result.status = outcome.status;
    result.reason = std::move(outcome.reason);
    result.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    result.exchanges = context.take_exchanges();
    const bool listed = baseline.count(info.id) > 0;
    result.known_failure = listed && result.status == Status::fail;
    result.baseline_fixed = listed && (result.status == Status::pass || result.status == Status::warn);
    results.push_back(std::move(result));
  }
  return results;
}

Tally tally(const std::vector<Result>& results) {
  Tally counts;
  for (const auto& result : results) {
    switch (result.status) {
      case Status::pass:
        ++counts.passed;
        break;
      case Status::warn:
        ++counts.passed;
        ++counts.warned;
        break;
      case Status::skip:
        ++counts.skipped;
        break;
      case Status::fail:
        ++(result.known_failure ? counts.known : counts.failed);
        break;
    }
    counts.fixed += result.baseline_fixed ? 1 : 0;
  }
  return counts;
}

std::string summary_line(const Tally& tally) {
  return fmt::format("{} passed, {} failed, {} skipped", tally.passed, tally.failed, tally.skipped);
}

} // namespace oauthctl::oauth::check
