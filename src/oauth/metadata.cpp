// SPDX-License-Identifier: MIT
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/metadata.hpp>
#include <oauthctl/oauth/smart_discovery.hpp>
#include <oauthctl/util/text.hpp>

#include <fmt/format.h>

#include <array>

namespace oauthctl::oauth {

namespace {

using util::ErrorKind;

} // namespace

ServerMetadata aidbox_defaults(const std::string& base_url) {
  // Aidbox's own paths (docs.aidbox.app, "OAuth 2.0"): the authorization server lives
  // under /auth on the same base as the FHIR API.
  const auto base = util::without_trailing_slashes(base_url);
  ServerMetadata metadata;
  metadata.issuer = base;
  metadata.token_endpoint = http::join_url(base, "auth/token");
  metadata.authorization_endpoint = http::join_url(base, "auth/authorize");
  metadata.jwks_uri = http::join_url(base, ".well-known/jwks.json");
  metadata.userinfo_endpoint = http::join_url(base, "auth/userinfo");
  metadata.introspection_endpoint = http::join_url(base, "auth/introspect");
  metadata.revocation_endpoint = http::join_url(base, "auth/revoke");
  metadata.device_authorization_endpoint = http::join_url(base, "auth/device");
  metadata.source = "defaults";
  return metadata;
}

util::Result<ServerMetadata> parse_metadata(const std::string& body, const std::string& source) {
  auto document = nlohmann::json::parse(body, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return util::fail(ErrorKind::bad_response,
                      fmt::format("server metadata at {} is not a JSON object", source));
  }
  ServerMetadata metadata;
  const std::array<std::pair<const char*, std::string*>, 8> fields{{
    {"issuer", &metadata.issuer},
    {"token_endpoint", &metadata.token_endpoint},
    {"authorization_endpoint", &metadata.authorization_endpoint},
    {"jwks_uri", &metadata.jwks_uri},
    {"userinfo_endpoint", &metadata.userinfo_endpoint},
    {"introspection_endpoint", &metadata.introspection_endpoint},
    {"revocation_endpoint", &metadata.revocation_endpoint},
    {"device_authorization_endpoint", &metadata.device_authorization_endpoint},
  }};
  for (const auto& [name, field] : fields) {
    const auto it = document.find(name);
    if (it == document.end() || it->is_null()) {
      continue;
    }
    if (!it->is_string()) {
      return util::fail(ErrorKind::bad_response,
                        fmt::format("server metadata at {}: \"{}\" is not a string", source, name));
    }
    *field = it->get<std::string>();
    // RFC 8414 §2: every endpoint is an absolute URL; anything else (javascript:, a
    // relative path, userinfo) would send our credentials somewhere unintended.
    if (!http::parse_url(*field)) {
      return util::fail(ErrorKind::bad_response,
                        fmt::format("server metadata at {}: \"{}\" is not an http(s) URL", source, name));
    }
  }
  // RFC 8414 §2: issuer is required, and token_endpoint unless only implicit is supported.
  if (metadata.issuer.empty()) {
    return util::fail(ErrorKind::bad_response, fmt::format("server metadata at {} has no issuer", source));
  }
  if (metadata.token_endpoint.empty()) {
    return util::fail(ErrorKind::bad_response,
                      fmt::format("server metadata at {} has no token_endpoint", source));
  }
  metadata.source = source;
  metadata.raw = std::move(document);
  return metadata;
}

std::vector<std::string> discovery_urls(const std::string& base_url) {
  const auto url = http::parse_url(base_url);
  if (!url) {
    return {};
  }
  const auto path = util::without_trailing_slashes(url->path);
  return {
    // RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path.
    url->origin() + "/.well-known/oauth-authorization-server" + path,
    // OpenID Connect Discovery 1.0 §4: appended to the issuer, path included.
    url->origin() + path + "/.well-known/openid-configuration",
  };
}

// Besides the two OAuth documents, SMART's (smart_discovery.hpp): before them when
// `base_url` has a path (a FHIR base), after them at a bare origin. resolve_metadata with
// only a --fhir-url discovers from it the SMART way.
util::Result<ServerMetadata> discover(http::Client& client, const std::string& base_url) {
  const auto urls = discovery_urls(base_url);
  if (urls.empty()) {
    return util::fail(ErrorKind::usage, fmt::format("server URL {} is not an http(s) URL", base_url));
  }
  // A base with a path (`https://h/fhir`) is most often a FHIR base given out of SMART
  // habit: SMART App Launch discovers from there, so its documents come first. At a bare
  // origin the authorization server's own documents do, and SMART's are the fallback.
  const bool smart_first = has_base_path(base_url);
  if (smart_first) {
    auto smart = discover_smart(client, base_url);
    if (!smart || *smart) {
      return smart ? std::move(**smart) : util::Result<ServerMetadata>(tl::unexpected(smart.error()));
    }
  }
  for (const auto& url : urls) {
    http::Request request;
    request.url = url;
    request.headers.add("Accept", "application/json");
    auto response = client.send(request);
    if (!response) {
      return tl::unexpected(response.error());
    }
    if (response->status != 200) {
      continue;
    }
    // A 200 that is not JSON is some other page (a SPA's index.html, say): not metadata.
    const auto document = nlohmann::json::parse(response->body, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
      continue;
    }
    auto metadata = parse_metadata(response->body, url);
    if (metadata) {
      metadata->discovered_from = util::without_trailing_slashes(base_url);
    }
    return metadata;
  }
  if (!smart_first) {
    auto smart = discover_smart(client, base_url);
    if (!smart || *smart) {
      return smart ? std::move(**smart) : util::Result<ServerMetadata>(tl::unexpected(smart.error()));
    }
  }
  return aidbox_defaults(base_url);
}

void use_mtls_endpoint_aliases(ServerMetadata& metadata) {
  if (!metadata.raw.is_object()) {
    return;
  }
  const auto aliases = metadata.raw.find("mtls_endpoint_aliases");
  if (aliases == metadata.raw.end() || !aliases->is_object()) {
    return;
  }
  for (const auto& [name, field] :
       {std::pair{"token_endpoint", &ServerMetadata::token_endpoint},
        std::pair{"introspection_endpoint", &ServerMetadata::introspection_endpoint},
        std::pair{"revocation_endpoint", &ServerMetadata::revocation_endpoint},
        std::pair{"device_authorization_endpoint", &ServerMetadata::device_authorization_endpoint},
        std::pair{"userinfo_endpoint", &ServerMetadata::userinfo_endpoint}}) {
    const auto alias = aliases->find(name);
    // Only https: a certificate is presented in a TLS handshake, never over plain HTTP.
    if (alias != aliases->end() && alias->is_string()) {
      const auto url = http::parse_url(alias->get<std::string>());
      if (url && url->scheme == "https") {
        metadata.*field = alias->get<std::string>();
      }
    }
  }
}

std::string comparable_issuer(const std::string& issuer) {
  const auto url = http::parse_url(issuer);
  if (!url || !url->query.empty() || !url->fragment.empty()) {
    return util::without_trailing_slashes(issuer); // not a URL we can normalise: compared as given
  }
  return url->origin() + util::without_trailing_slashes(url->path);
}

util::Result<void> check_issuer(ServerMetadata& metadata, const std::string& expected_issuer) {
  const bool named = !metadata.raw.is_null() && metadata.raw.contains("issuer");
  if (!expected_issuer.empty() && !named) {
    metadata.issuer = util::without_trailing_slashes(expected_issuer);
    return {};
  }
  const auto& expected = expected_issuer.empty() ? metadata.discovered_from : expected_issuer;
  if (expected.empty() || comparable_issuer(metadata.issuer) == comparable_issuer(expected)) {
    return {};
  }
  const auto shown = util::printable_line(metadata.issuer, 200);
  return util::fail(
    ErrorKind::bad_response,
    fmt::format("{} says its issuer is {}, not {}: refused (RFC 8414 §3.3, mix-up defence); if {} is this "
                "server's real issuer (behind a proxy or gateway), give --issuer {}",
                metadata.source, shown, util::without_trailing_slashes(expected), shown, shown));
}

namespace {

// `--fhir-url` alone (SMART App Launch): the FHIR server says where its authorization
// server is; there are no Aidbox defaults to fall back on.
util::Result<ServerMetadata> discover_from_fhir_url(http::Client& client, const ClientConfig& config) {
  if (!http::parse_url(config.fhir_url)) {
    return util::fail(ErrorKind::usage, fmt::format("--fhir-url {} is not an http(s) URL", config.fhir_url));
  }
  auto smart = discover_smart(client, config.fhir_url);
  if (!smart) {
    return tl::unexpected(smart.error());
  }
  if (!*smart) {
    return util::fail(ErrorKind::bad_response,
                      fmt::format("{} has no .well-known/smart-configuration and its CapabilityStatement no "
                                  "oauth-uris: give --server or --token-url",
                                  config.fhir_url));
  }
  auto metadata = std::move(**smart);
  if (!config.authorize_url.empty()) {
    metadata.authorization_endpoint = config.authorize_url;
  }
  return metadata;
}

} // namespace

util::Result<ServerMetadata> resolve_metadata(http::Client& client, const ClientConfig& config,
                                              Discovery mode) {
  if (config.server.empty() && config.token_url.empty() && !config.fhir_url.empty()) {
    auto metadata = discover_from_fhir_url(client, config);
    if (metadata) {
      if (auto issuer = check_issuer(*metadata, config.issuer); !issuer) {
        return tl::unexpected(issuer.error());
      }
      if (config.mutual_tls) {
        use_mtls_endpoint_aliases(*metadata);
      }
    }
    return metadata;
  }
  if (config.server.empty() && config.token_url.empty()) {
    return util::fail(ErrorKind::usage, "missing --server (or OAUTHCTL_SERVER)");
  }
  if (!config.server.empty() && !http::parse_url(config.server)) {
    return util::fail(ErrorKind::usage, fmt::format("--server {} is not an http(s) URL", config.server));
  }
  if (!config.token_url.empty() && !http::parse_url(config.token_url)) {
    return util::fail(ErrorKind::usage,
                      fmt::format("--token-url {} is not an http(s) URL", config.token_url));
  }
  ServerMetadata metadata;
  if (config.server.empty() || (mode == Discovery::unless_overridden && !config.token_url.empty())) {
    metadata = config.server.empty() ? ServerMetadata{} : aidbox_defaults(config.server);
    metadata.source = "--token-url";
  } else {
    auto discovered = discover(client, config.server);
    if (!discovered) {
      return discovered;
    }
    metadata = std::move(*discovered);
  }
  if (auto issuer = check_issuer(metadata, config.issuer); !issuer) {
    return tl::unexpected(issuer.error());
  }
  if (config.mutual_tls) {
    use_mtls_endpoint_aliases(metadata);
  }
  if (!config.token_url.empty()) {
    metadata.token_endpoint = config.token_url;
  }
  if (!config.authorize_url.empty()) {
    metadata.authorization_endpoint = config.authorize_url;
  }
  return metadata;
}

} // namespace oauthctl::oauth
