// SPDX-License-Identifier: MIT
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/smart_discovery.hpp>
#include <oauthctl/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace oauthctl::oauth {

namespace {

using util::ErrorKind;

constexpr const char* k_oauth_uris = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

// GET `url` asking for `accept`; the JSON object it answers with 200, else nullopt.
util::Result<std::optional<std::pair<std::string, nlohmann::json>>>
get_json(http::Client& client, const std::string& url, const char* accept) {
  http::Request request;
  request.url = url;
  request.headers.add("Accept", accept);
  auto response = client.send(request);
  if (!response) {
    return tl::unexpected(response.error());
  }
  if (response->status != 200) {
    return std::nullopt;
  }
  auto document = nlohmann::json::parse(response->body, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return std::nullopt; // some other page (an SPA's index.html): not this document
  }
  return std::make_pair(std::move(response->body), std::move(document));
}

} // namespace

util::Result<ServerMetadata> parse_smart_configuration(const std::string& body, const std::string& source,
                                                       const std::string& fhir_base) {
  auto document = nlohmann::json::parse(body, nullptr, false);
  if (!document.is_discarded() && document.is_object() && !document.contains("issuer")) {
    // SMART App Launch 2.x §2.1.2: issuer is conditional; the FHIR base is what it
    // discovered from. parse_metadata's other checks (absolute endpoints) still apply.
    document["issuer"] = util::without_trailing_slashes(fhir_base);
    auto metadata = parse_metadata(document.dump(), source);
    if (metadata) {
      document.erase("issuer");
      metadata->raw = std::move(document);
    }
    return metadata;
  }
  return parse_metadata(body, source);
}

std::optional<ServerMetadata> parse_oauth_uris(const nlohmann::json& capability, const std::string& source,
                                               const std::string& fhir_base) {
  if (!capability.is_object() || capability.value("resourceType", "") != "CapabilityStatement" ||
      !capability.contains("rest") || !capability["rest"].is_array()) {
    return std::nullopt;
  }
  for (const auto& rest : capability["rest"]) {
    if (!rest.is_object() || !rest.contains("security") || !rest["security"].is_object()) {
      continue;
    }
    const auto& security = rest["security"];
    if (!security.contains("extension") || !security["extension"].is_array()) {
      continue;
    }
    for (const auto& extension : security["extension"]) {
      if (!extension.is_object() || extension.value("url", "") != k_oauth_uris ||
          !extension.contains("extension") || !extension["extension"].is_array()) {
        continue;
      }
      ServerMetadata metadata;
      metadata.issuer = util::without_trailing_slashes(fhir_base);
      for (const auto& uri : extension["extension"]) {
        if (!uri.is_object() || !uri.contains("valueUri") || !uri["valueUri"].is_string()) {
          continue;
        }
        const auto value = uri["valueUri"].get<std::string>();
        if (!http::parse_url(value)) {
          continue; // never send credentials to a relative or javascript: URL
        }
        const auto name = uri.value("url", "");
        if (name == "token") {
          metadata.token_endpoint = value;
        } else if (name == "authorize") {
          metadata.authorization_endpoint = value;
        } else if (name == "introspect") {
          metadata.introspection_endpoint = value;
        } else if (name == "revoke") {
          metadata.revocation_endpoint = value;
        }
      }
      if (metadata.token_endpoint.empty()) {
        continue;
      }
      metadata.source = source;
      // What `discover` prints: the endpoints found, under RFC 8414's names.
      metadata.raw = nlohmann::json::object();
      for (const auto& [name, value] : {std::pair{"authorization_endpoint", &metadata.authorization_endpoint},
                                        std::pair{"token_endpoint", &metadata.token_endpoint},
                                        std::pair{"introspection_endpoint", &metadata.introspection_endpoint},
                                        std::pair{"revocation_endpoint", &metadata.revocation_endpoint}}) {
        if (!value->empty()) {
          metadata.raw[name] = *value;
        }
      }
      return metadata;
    }
  }
  return std::nullopt;
}

util::Result<std::optional<ServerMetadata>> discover_smart(http::Client& client,
                                                           const std::string& fhir_base) {
  const auto base = util::without_trailing_slashes(fhir_base);
  const auto smart_url = base + "/.well-known/smart-configuration";
  auto smart = get_json(client, smart_url, "application/json");
  if (!smart) {
    return tl::unexpected(smart.error());
  }
  if (*smart) {
    auto metadata = parse_smart_configuration((*smart)->first, smart_url, base);
    if (!metadata) {
      return tl::unexpected(metadata.error());
    }
    return std::optional<ServerMetadata>(std::move(*metadata));
  }
  const auto capability_url = base + "/metadata";
  auto capability = get_json(client, capability_url, "application/fhir+json");
  if (!capability) {
    return tl::unexpected(capability.error());
  }
  if (*capability) {
    return parse_oauth_uris((*capability)->second, capability_url, base);
  }
  return std::optional<ServerMetadata>();
}

bool has_base_path(const std::string& base_url) {
  const auto url = http::parse_url(base_url);
  return url && util::without_trailing_slashes(url->path) != "";
}

std::string default_fhir_base(const ClientConfig& config) {
  if (!config.fhir_url.empty()) {
    return config.fhir_url;
  }
  if (config.server.empty()) {
    return {};
  }
  const auto server = util::without_trailing_slashes(config.server);
  const auto slash = server.rfind('/');
  auto last = slash == std::string::npos ? std::string() : server.substr(slash + 1);
  std::transform(last.begin(), last.end(), last.begin(), [](unsigned char c) { return std::tolower(c); });
  if (last == "fhir" && has_base_path(server)) {
    return server;
  }
  return http::join_url(server, "fhir");
}

} // namespace oauthctl::oauth
