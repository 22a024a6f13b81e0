// SPDX-License-Identifier: MIT
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/metadata_audit.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace oauthctl::oauth {

namespace {

using nlohmann::json;

bool lists(const json& document, const char* field, std::string_view value) {
  const auto it = document.find(field);
  if (it == document.end() || !it->is_array()) {
    return false;
  }
  return std::any_of(it->begin(), it->end(),
                     [&](const json& v) { return v.is_string() && v.get<std::string>() == value; });
}

// A response type that returns a token from the authorization endpoint ("token",
// "id_token token", ...) means the implicit grant.
bool offers_implicit_response_type(const json& document) {
  const auto it = document.find("response_types_supported");
  if (it == document.end() || !it->is_array()) {
    return false;
  }
  return std::any_of(it->begin(), it->end(), [](const json& v) {
    if (!v.is_string()) {
      return false;
    }
    // Space-separated values (RFC 6749 §3.1.1), compared word by word. (Not by padding the
    // string with spaces: GCC 12 at -O2 warns falsely, -Wrestrict, on `" " + std::string`.)
    const auto& types = v.get_ref<const std::string&>();
    std::size_t start = 0;
    while (start <= types.size()) {
      const auto end = std::min(types.find(' ', start), types.size());
      if (std::string_view(types).substr(start, end - start) == "token") {
        return true;
      }
      start = end + 1;
    }
    return false;
  });
}

} // namespace

std::vector<std::string> audit_metadata(const json& document) {
  std::vector<std::string> warnings;
  if (!document.is_object()) {
    return warnings;
  }
  if (lists(document, "grant_types_supported", "implicit") || offers_implicit_response_type(document)) {
    warnings.emplace_back("the implicit grant is enabled; RFC 9700 §2.1.2 says clients SHOULD NOT use it");
  }
  if (lists(document, "grant_types_supported", "password")) {
    warnings.emplace_back("the password grant is enabled; RFC 9700 §2.4 says it MUST NOT be used");
  }
  if (!lists(document, "code_challenge_methods_supported", "S256")) {
    warnings.emplace_back("no PKCE S256 in code_challenge_methods_supported (RFC 9700 §2.1.1, RFC 8414 §2)");
  }
  if (lists(document, "code_challenge_methods_supported", "plain")) {
    warnings.emplace_back("PKCE plain is offered; RFC 9700 §2.1.1 recommends S256 only");
  }
  for (const auto& [name, value] : document.items()) {
    if (!value.is_string()) {
      continue;
    }
    const auto url = http::parse_url(value.get<std::string>());
    if (url && url->scheme == "http" && !url->is_loopback()) {
      warnings.emplace_back(
        fmt::format("{} uses plain http on a non-loopback host (RFC 9700 §2.6, RFC 6749 §3.1)", name));
    }
  }
  return warnings;
}

} // namespace oauthctl::oauth
