// SPDX-License-Identifier: MIT
#include <oauthctl/util/form.hpp>
#include <oauthctl/util/redact.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace oauthctl::util {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

void redact_json(nlohmann::json& value) {
  if (value.is_object()) {
    for (auto& [key, member] : value.items()) {
      // In JSON, "code" names FHIR codes and OperationOutcome codes, never an authorization code.
      if (member.is_string() && key != "code" && is_secret_name(key)) {
        member = redact_value(member.get<std::string>());
      } else {
        redact_json(member);
      }
    }
  } else if (value.is_array()) {
    for (auto& item : value) {
      redact_json(item);
    }
  }
}

} // namespace

bool is_secret_name(std::string_view name) {
  static constexpr std::array<std::string_view, 16> k_names{
    "client_secret", "password",  "access_token",     "refresh_token", "id_token",    "code",
    "code_verifier", "assertion", "client_assertion", "subject_token", "actor_token", "device_code",
    "authorization", "cookie",    "set-cookie",       "token",
  };
  const auto key = lower(name);
  return std::find(k_names.begin(), k_names.end(), key) != k_names.end();
}

std::string redact_value(std::string_view value) {
  // Long tokens keep a short prefix so a reader can tell two of them apart.
  if (value.size() < 24) {
    return std::string(k_redacted);
  }
  return std::string(value.substr(0, 6)) + "…" + std::string(k_redacted);
}

std::string redact_body(std::string_view body, std::string_view content_type) {
  const auto type = lower(content_type);
  if (type.find("json") != std::string::npos) {
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_discarded()) {
      return std::string(body);
    }
    redact_json(parsed);
    return parsed.dump();
  }
  if (type.find("x-www-form-urlencoded") != std::string::npos) {
    auto fields = form_decode(body);
    if (!fields) {
      return std::string(k_redacted);
    }
    std::string out;
    for (const auto& [name, value] : *fields) {
      if (!out.empty()) {
        out += '&';
      }
      out += percent_encode(name) + '=';
      out += is_secret_name(name) ? redact_value(value) : percent_encode(value);
    }
    return out;
  }
  return std::string(body);
}

} // namespace oauthctl::util
