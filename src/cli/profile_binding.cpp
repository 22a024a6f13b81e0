// SPDX-License-Identifier: MIT
#include "cli/profile_binding.hpp"

#include <oauthctl/http/url.hpp>

#include <fmt/format.h>

namespace oauthctl::cli {

namespace {

std::string without_trailing_slashes(std::string text) {
  while (!text.empty() && text.back() == '/') {
    text.pop_back();
  }
  return text;
}

} // namespace

std::string normalise_server(std::string_view url) {
  const auto parsed = http::parse_url(url);
  if (!parsed) {
    return without_trailing_slashes(std::string(url));
  }
  const auto host = parsed->host.find(':') != std::string::npos ? "[" + parsed->host + "]" : parsed->host;
  return fmt::format("{}://{}:{}{}", parsed->scheme, host, parsed->port,
                     without_trailing_slashes(parsed->path));
}

bool url_is_under(std::string_view inner, std::string_view server) {
  const auto base = normalise_server(server);
  const auto candidate = normalise_server(inner);
  return candidate == base || (candidate.size() > base.size() &&
                               candidate.compare(0, base.size(), base) == 0 && candidate[base.size()] == '/');
}

ProfileBinding bind_default_profile(const Profile& profile, const std::string& server,
                                    const std::string& token_url, const std::string& fhir_url) {
  if (server.empty() && token_url.empty() && fhir_url.empty()) {
    return {};
  }
  const auto own = profile.get("server");
  if (own.empty()) {
    return {false, fmt::format("profile {} not used: it names no server, and this command names one "
                               "(use --profile {} to apply it anyway)",
                               profile.name, profile.name)};
  }
  if (!server.empty()) {
    if (normalise_server(server) == normalise_server(own)) {
      return {};
    }
    return {false, fmt::format("profile {} not used: its server {} is not {} (use --profile {} to apply it "
                               "anyway)",
                               profile.name, own, server, profile.name)};
  }
  for (const auto* url : {&token_url, &fhir_url}) {
    if (!url->empty() && !url_is_under(*url, own)) {
      return {false, fmt::format("profile {} not used: {} is not on its server {} (use --profile {} to "
                                 "apply it anyway)",
                                 profile.name, *url, own, profile.name)};
    }
  }
  return {};
}

} // namespace oauthctl::cli
