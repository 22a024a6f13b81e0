// SPDX-License-Identifier: MIT
#include <oauthctl/http/retry_after.hpp>
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/client_auth.hpp>
#include <oauthctl/oauth/token_endpoint.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace oauthctl::oauth {

namespace {

std::vector<std::string> scope_tokens(std::string_view scope) {
  std::vector<std::string> tokens;
  std::size_t pos = 0;
  while (pos < scope.size()) {
    const auto end = std::min(scope.find(' ', pos), scope.size());
    if (end > pos) {
      tokens.emplace_back(scope.substr(pos, end - pos));
    }
    pos = end + 1;
  }
  return tokens;
}

// A 429 (RFC 6585 §4) or 503 may say in Retry-After how long to wait (RFC 9110 §10.2.3).
// The longest wait honoured: a CLI run or a CI step should not hang on a server's say-so.
constexpr int k_max_retry_after_seconds = 5;

// The wait a 429 or 503 asks for in its Retry-After (delta-seconds or an HTTP-date);
// nullopt for another status, no header or a value that is neither.
std::optional<std::int64_t> requested_wait(const http::Response& response) {
  if (response.status != 429 && response.status != 503) {
    return std::nullopt;
  }
  const auto value = response.headers.get("Retry-After");
  return value ? http::parse_retry_after(*value, std::chrono::system_clock::now()) : std::nullopt;
}

// The seconds to wait before the one retry: the requested wait, at least 1 s, when it is
// at most the limit; a longer wait is not honoured but named in the error.
std::optional<int> retry_after_seconds(const http::Response& response) {
  const auto wait = requested_wait(response);
  if (!wait || *wait > k_max_retry_after_seconds) {
    return std::nullopt;
  }
  return std::max(static_cast<int>(*wait), 1);
}

} // namespace

util::Result<http::Request> build_token_request(const ClientConfig& config, const ServerMetadata& metadata,
                                                util::FormFields form) {
  if (!http::parse_url(metadata.token_endpoint)) {
    return util::fail(util::ErrorKind::bad_response,
                      fmt::format("token endpoint \"{}\" is not an http(s) URL", metadata.token_endpoint));
  }
  http::Request request;
  request.method = "POST";
  request.url = metadata.token_endpoint;
  if (auto ok = apply_client_auth(config, metadata.token_endpoint, form, request.headers); !ok) {
    return tl::unexpected(ok.error());
  }
  // RFC 6749 §4.4.2 / §3.2: parameters go in an application/x-www-form-urlencoded body.
  request.headers.add("Content-Type", "application/x-www-form-urlencoded");
  request.headers.add("Accept", "application/json");
  request.body = util::form_encode(form);
  return request;
}

util::Result<TokenResponse> exchange_at_token_endpoint(const FlowContext& context, util::FormFields form) {
  const auto retry_form = form;
  auto request = build_token_request(context.config, context.metadata, std::move(form));
  if (!request) {
    return tl::unexpected(request.error());
  }
  const auto url = http::parse_url(request->url);
  if (url && url->scheme == "http" && !url->is_loopback()) {
    // RFC 6749 §3.2: the token endpoint MUST be reached over TLS.
    context.observer.on_warning(fmt::format(
      "sending client credentials over plain http to {} (RFC 6749 §3.2 requires TLS)", url->origin()));
  }
  context.observer.on_step("Token request",
                           fmt::format("client authentication: {}", to_string(context.config.auth_method)));
  auto response = context.client.send(*request);
  if (!response) {
    return tl::unexpected(response.error());
  }
  if (const auto wait = retry_after_seconds(*response);
      wait && !(context.cancellation != nullptr && context.cancellation->cancelled())) {
    // The server refused before doing anything (rate limit, overload): try once more
    // when it says, with a request built again (a fresh client assertion and jti).
    context.observer.on_step(
      "Token request", fmt::format("HTTP {}, Retry-After {} s: trying once more", response->status, *wait));
    std::this_thread::sleep_for(std::chrono::seconds(*wait));
    auto again = build_token_request(context.config, context.metadata, retry_form);
    if (!again) {
      return tl::unexpected(again.error());
    }
    response = context.client.send(*again);
    if (!response) {
      return tl::unexpected(response.error());
    }
  }
  auto token = parse_token_response(*response);
  if (!token) {
    // Name the endpoint: a wrong --server (a FHIR base, another server) shows up here.
    auto error = token.error();
    // A Retry-After the one retry did not honour (too long, or still refused) is named too.
    std::string wait;
    if (const auto seconds = requested_wait(*response)) {
      wait = fmt::format(" (Retry-After: {} s)", *seconds);
    }
    if (error.oauth_error.empty()) {
      error.message += fmt::format(" from {}{}", request->url, wait);
    } else {
      error.oauth_error_description +=
        fmt::format("{}at {}{}", error.oauth_error_description.empty() ? "" : "; ", request->url, wait);
    }
    return tl::unexpected(std::move(error));
  }
  // RFC 6749 §5.1: scope is omitted when it equals the requested one; when present and
  // narrower, the client must not assume it got what it asked for.
  if (!token->scope.empty() && !context.config.scope.empty()) {
    const auto granted = scope_tokens(token->scope);
    std::vector<std::string> missing;
    for (const auto& requested : scope_tokens(context.config.scope)) {
      if (std::find(granted.begin(), granted.end(), requested) == granted.end()) {
        missing.push_back(requested);
      }
    }
    if (!missing.empty()) {
      std::string list;
      for (const auto& s : missing) {
        list += (list.empty() ? "" : " ") + s;
      }
      context.observer.on_warning(fmt::format("the server did not grant the requested scope: {}", list));
    }
  }
  return token;
}

} // namespace oauthctl::oauth
