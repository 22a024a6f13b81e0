// SPDX-License-Identifier: MIT
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/token_endpoint.hpp>
#include <oauthctl/oauth/token_management.hpp>
#include <oauthctl/oauth/token_response.hpp>

#include <fmt/format.h>

namespace oauthctl::oauth {

namespace {

std::string endpoint_or_default(const std::string& published, const ClientConfig& config,
                                std::string_view aidbox_path) {
  if (!published.empty()) {
    return published;
  }
  if (config.server.empty() || !http::parse_url(config.server)) {
    return {};
  }
  auto base = config.server;
  while (!base.empty() && base.back() == '/') {
    base.pop_back();
  }
  return http::join_url(base, aidbox_path);
}

// The form POST both endpoints take: `token` and an optional hint, with the client
// authentication of the token endpoint (RFC 7662 §2.1, RFC 7009 §2.1).
util::Result<http::Response> post_token(http::Client& client, const ClientConfig& config,
                                        const std::string& endpoint, std::string_view token,
                                        std::string_view token_type_hint) {
  ServerMetadata target;
  target.token_endpoint = endpoint;
  util::FormFields form{{"token", std::string(token)}};
  if (!token_type_hint.empty()) {
    form.emplace_back("token_type_hint", std::string(token_type_hint));
  }
  auto request = build_token_request(config, target, std::move(form));
  if (!request) {
    return tl::unexpected(request.error());
  }
  return client.send(*request);
}

} // namespace

std::string introspection_endpoint(const ServerMetadata& metadata, const ClientConfig& config) {
  return endpoint_or_default(metadata.introspection_endpoint, config, "auth/introspect");
}

std::string revocation_endpoint(const ServerMetadata& metadata, const ClientConfig& config) {
  return endpoint_or_default(metadata.revocation_endpoint, config, "auth/revoke");
}

namespace {

// The server's error, naming the endpoint that answered: a wrong --server shows up here.
util::Error error_from(const http::Response& response, std::string_view endpoint) {
  auto error = parse_error_response(response);
  if (error.oauth_error.empty()) {
    error.message += fmt::format(" from {}", endpoint);
  } else {
    error.oauth_error_description +=
      fmt::format("{}at {}", error.oauth_error_description.empty() ? "" : "; ", endpoint);
  }
  return error;
}

} // namespace

util::Result<Introspection> introspect_token(http::Client& client, const ClientConfig& config,
                                             const std::string& endpoint, std::string_view token,
                                             std::string_view token_type_hint) {
  const auto response = post_token(client, config, endpoint, token, token_type_hint);
  if (!response) {
    return tl::unexpected(response.error());
  }
  if (response->status != 200) {
    return tl::unexpected(error_from(*response, endpoint));
  }
  auto body = nlohmann::json::parse(response->body, nullptr, false);
  // RFC 7662 §2.2: a JSON object whose `active` member is a boolean, always present.
  if (body.is_discarded() || !body.is_object() || !body.contains("active") || !body["active"].is_boolean()) {
    return util::fail(
      util::ErrorKind::bad_response,
      fmt::format("{} answered 200 without a JSON object holding a boolean \"active\"", endpoint));
  }
  Introspection result;
  result.active = body["active"].get<bool>();
  result.raw = std::move(body);
  return result;
}

util::Result<void> revoke_token(http::Client& client, const ClientConfig& config, const std::string& endpoint,
                                std::string_view token, std::string_view token_type_hint) {
  const auto response = post_token(client, config, endpoint, token, token_type_hint);
  if (!response) {
    return tl::unexpected(response.error());
  }
  // RFC 7009 §2.2: 200 means revoked (or never valid); the body is to be ignored.
  if (response->status != 200) {
    return tl::unexpected(error_from(*response, endpoint));
  }
  return {};
}

} // namespace oauthctl::oauth
