// SPDX-License-Identifier: MIT
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/fhir_capability.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace oauthctl::oauth {

namespace {

// FHIR R4 resource type names: an upper-case letter, then letters and digits (the
// "code" of ResourceType); at most 64 characters.
bool is_type_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::isupper(static_cast<unsigned char>(name.front())) != 0 &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

} // namespace

std::vector<std::string> capability_resource_types(const nlohmann::json& capability) {
  std::vector<std::string> types;
  if (!capability.is_object() ||
      capability.value("resourceType", nlohmann::json()) != "CapabilityStatement") {
    return types;
  }
  const auto rest = capability.find("rest");
  if (rest == capability.end() || !rest->is_array()) {
    return types;
  }
  for (const auto& entry : *rest) {
    if (!entry.is_object() || !entry.contains("resource") || !entry["resource"].is_array()) {
      continue;
    }
    for (const auto& resource : entry["resource"]) {
      if (resource.is_object() && resource.contains("type") && resource["type"].is_string() &&
          is_type_name(resource["type"].get_ref<const std::string&>())) {
        types.push_back(resource["type"].get<std::string>());
      }
    }
  }
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  return types;
}

util::Result<std::vector<std::string>> fetch_resource_types(http::Client& client,
                                                            const std::string& fhir_base) {
  http::Request request;
  request.url = http::join_url(fhir_base, "metadata");
  request.headers.add("Accept", "application/fhir+json");
  auto response = client.send(request);
  if (!response) {
    return tl::unexpected(response.error());
  }
  const auto document = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status != 200 || !document.is_object() ||
      document.value("resourceType", nlohmann::json()) != "CapabilityStatement") {
    return util::fail(
      util::ErrorKind::bad_response,
      fmt::format("{} answered HTTP {} without a CapabilityStatement", request.url, response->status));
  }
  return capability_resource_types(document);
}

} // namespace oauthctl::oauth
