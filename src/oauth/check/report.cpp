// SPDX-License-Identifier: MIT
// `check`'s machine-readable reports: JSON and JUnit XML (tests/junit.xsd describes the
// subset written here; CI systems read it as one testcase per check).
#include <oauthctl/oauth/check.hpp>

#include <fmt/format.h>

#include <map>

namespace oauthctl::oauth::check {

namespace {

// XML character data or attribute text: the five specials escaped, and characters XML 1.0
// cannot hold (C0 controls but tab, LF, CR) replaced.
std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string exchanges_text(const Result& result) {
  std::string text;
  for (const auto& exchange : result.exchanges) {
    text += exchange + "\n";
  }
  return text;
}

} // namespace

nlohmann::json results_json(const std::vector<Result>& results, std::string_view server) {
  const auto counts = tally(results);
  auto checks = nlohmann::json::array();
  for (const auto& result : results) {
    checks.push_back({{"id", result.info->id},
                      {"group", result.info->group},
                      {"spec", result.info->spec},
                      {"status", to_string(result.status)},
                      {"reason", result.reason},
                      {"time_ms", static_cast<long long>(result.elapsed_ms + 0.5)},
                      {"known_failure", result.known_failure},
                      {"baseline_fixed", result.baseline_fixed},
                      {"exchanges", result.status == Status::fail ? nlohmann::json(result.exchanges)
                                                                  : nlohmann::json::array()}});
  }
  return {{"server", server},
          {"summary",
           {{"passed", counts.passed},
            {"failed", counts.failed},
            {"skipped", counts.skipped},
            {"warned", counts.warned},
            {"known_failures", counts.known},
            {"baseline_fixed", counts.fixed}}},
          {"checks", std::move(checks)}};
}

std::string junit_xml(const std::vector<Result>& results, std::string_view server) {
  // One testsuite per group, in table order.
  std::vector<std::string_view> order;
  std::map<std::string_view, std::vector<const Result*>, std::less<>> groups;
  for (const auto& result : results) {
    if (groups.find(result.info->group) == groups.end()) {
      order.push_back(result.info->group);
    }
    groups[result.info->group].push_back(&result);
  }
  const auto counts = tally(results);
  double total = 0;
  for (const auto& result : results) {
    total += result.elapsed_ms;
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format("<testsuites name=\"oauthctl check {}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" "
                     "time=\"{:.3f}\">\n",
                     xml_escape(server), results.size(), counts.failed + counts.known, counts.skipped,
                     total / 1000);
  for (const auto group : order) {
    const auto& members = groups[group];
    int failures = 0, skips = 0;
    double time = 0;
    for (const auto* result : members) {
      failures += result->status == Status::fail ? 1 : 0;
      skips += result->status == Status::skip ? 1 : 0;
      time += result->elapsed_ms;
    }
    xml += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" "
                       "time=\"{:.3f}\">\n",
                       xml_escape(group), members.size(), failures, skips, time / 1000);
    for (const auto* result : members) {
      xml += fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3f}\">\n",
                         xml_escape(result->info->id), xml_escape(group), result->elapsed_ms / 1000);
      xml += "      <properties>\n";
      xml += fmt::format("        <property name=\"spec\" value=\"{}\"/>\n", xml_escape(result->info->spec));
      xml += fmt::format("        <property name=\"status\" value=\"{}\"/>\n", to_string(result->status));
      if (result->known_failure) {
        xml += "        <property name=\"baseline\" value=\"known failure\"/>\n";
      }
      if (result->baseline_fixed) {
        xml += "        <property name=\"baseline\" value=\"fixed: remove it from the baseline\"/>\n";
      }
      xml += "      </properties>\n";
      if (result->status == Status::fail) {
        xml += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                           xml_escape(result->reason), result->known_failure ? "known-failure" : "failure",
                           xml_escape(exchanges_text(*result)));
      } else if (result->status == Status::skip) {
        xml += fmt::format("      <skipped message=\"{}\"/>\n", xml_escape(result->reason));
      } else {
        xml += fmt::format("      <system-out>{}: {}</system-out>\n", to_string(result->status),
                           xml_escape(result->reason));
      }
      xml += "    </testcase>\n";
    }
    xml += "  </testsuite>\n";
  }
  xml += "</testsuites>\n";
  return xml;
}

} // namespace oauthctl::oauth::check
