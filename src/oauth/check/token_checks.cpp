// SPDX-License-Identifier: MIT
// The token group: the token endpoint with client_credentials, and its error answers
// (RFC 6749 §4.4, §5.1, §5.2).
#include "oauth/check/checks.hpp"

#include <oauthctl/oauth/grants.hpp>

#include <fmt/format.h>

namespace oauthctl::oauth::check {

namespace {

bool secret_method(AuthMethod method) {
  return method == AuthMethod::client_secret_basic || method == AuthMethod::client_secret_post;
}

// Why the client_credentials checks cannot run; empty when they can.
std::string client_credentials_blocker(Context& context) {
  if (!context.advertises("grant_types_supported", "client_credentials")) {
    return "no client_credentials in grant_types_supported";
  }
  if (!context.has_client_credentials()) {
    return "no client credentials (--client-id with a secret or --private-key)";
  }
  return {};
}

// An error answer is what `status` and `error` say (RFC 6749 §5.2).
Outcome expect_error(const util::Result<http::Response>& response, int status, std::string_view error,
                     std::string_view what) {
  if (!response) {
    return failed(fmt::format("{}: {}", what, response.error().message));
  }
  if (response->status == status && oauth_error_code(*response) == error) {
    return passed(fmt::format("{}: {}", what, describe_answer(*response)));
  }
  return failed(
    fmt::format("{}: expected HTTP {} {}, got {}", what, status, error, describe_answer(*response)));
}

util::FormFields cc_form(Context& context) {
  auto config = context.config();
  config.scope = context.client_scope();
  return client_credentials_form(config);
}

} // namespace

Outcome check_client_credentials(Context& context) {
  if (const auto blocker = client_credentials_blocker(context); !blocker.empty()) {
    return skipped(blocker);
  }
  const auto& token = context.client_token();
  if (!token) {
    return failed(fmt::format("client_credentials with {}: {}", to_string(context.config().auth_method),
                              util::describe(token.error())));
  }
  return passed(fmt::format("{} token with {}", token->token_type, to_string(context.config().auth_method)));
}

Outcome check_auth_methods(Context& context) {
  if (const auto blocker = client_credentials_blocker(context); !blocker.empty()) {
    return skipped(blocker);
  }
  std::string done, not_possible;
  for (const auto method :
       {AuthMethod::client_secret_basic, AuthMethod::client_secret_post, AuthMethod::private_key_jwt}) {
    const auto name = std::string(to_string(method));
    if (!context.advertises("token_endpoint_auth_methods_supported", name)) {
      continue;
    }
    auto config = context.config();
    config.auth_method = method;
    const bool possible =
      secret_method(method) ? !config.client_secret.empty() : !config.assertion.private_key_pem.empty();
    if (!possible) {
      not_possible += (not_possible.empty() ? "" : ", ") + name;
      continue;
    }
    const auto response = context.post_token(cc_form(context), config);
    if (!response) {
      return failed(fmt::format("{}: {}", name, response.error().message));
    }
    if (response->status != 200) {
      return failed(fmt::format("{} is advertised but refused: {}", name, describe_answer(*response)));
    }
    done += (done.empty() ? "" : ", ") + name;
  }
  if (done.empty()) {
    return skipped(not_possible.empty() ? "no advertised method this client can use"
                                        : fmt::format("no credentials for {}", not_possible));
  }
  return passed(not_possible.empty() ? fmt::format("accepted: {}", done)
                                     : fmt::format("accepted: {} (not tried: {})", done, not_possible));
}

Outcome check_no_store(Context& context) {
  if (const auto blocker = client_credentials_blocker(context); !blocker.empty()) {
    return skipped(blocker);
  }
  const auto response = context.post_token(cc_form(context));
  if (!response) {
    return failed(response.error().message);
  }
  if (response->status != 200) {
    return failed(fmt::format("no token: {}", describe_answer(*response)));
  }
  const auto cache = response->headers.get("Cache-Control").value_or("");
  if (cache.find("no-store") == std::string::npos) {
    return failed(cache.empty() ? "no Cache-Control header" : "Cache-Control: " + cache);
  }
  return passed("Cache-Control: " + cache);
}

Outcome check_expires_in(Context& context) {
  if (const auto blocker = client_credentials_blocker(context); !blocker.empty()) {
    return skipped(blocker);
  }
  const auto& token = context.client_token();
  if (!token) {
    return failed(util::describe(token.error()));
  }
  const auto it = token->raw.find("expires_in");
  if (it == token->raw.end()) {
    return warned("no expires_in (RECOMMENDED)");
  }
  if (!it->is_number_integer() && !it->is_number_unsigned()) {
    return failed(fmt::format("expires_in is {}, not a number of seconds", it->dump()));
  }
  if (it->get<long long>() <= 0) {
    return failed(fmt::format("expires_in is {}", it->get<long long>()));
  }
  return passed(fmt::format("expires_in {}", it->get<long long>()));
}

Outcome check_wrong_secret(Context& context) {
  if (context.config().client_id.empty() || !secret_method(context.config().auth_method) ||
      context.config().client_secret.empty()) {
    return skipped("no --client-id with a client secret");
  }
  auto config = context.config();
  config.auth_method = AuthMethod::client_secret_basic;
  config.client_secret += "-wrong";
  return expect_error(context.post_token(cc_form(context), config), 401, "invalid_client", "wrong secret");
}

Outcome check_unknown_client(Context& context) {
  if (context.metadata().token_endpoint.empty()) {
    return skipped("no token_endpoint");
  }
  auto config = context.config();
  config.auth_method = AuthMethod::client_secret_basic;
  config.client_id = "oauthctl-check-unknown-client";
  config.client_secret = "not-a-secret";
  config.scope.clear();
  return expect_error(context.post_token(client_credentials_form(config), config), 401, "invalid_client",
                      "unknown client");
}

Outcome check_unsupported_grant(Context& context) {
  if (!context.has_client_credentials()) {
    return skipped("no client credentials");
  }
  return expect_error(context.post_token({{"grant_type", "urn:oauthctl:check:no-such-grant"}}), 400,
                      "unsupported_grant_type", "unknown grant_type");
}

Outcome check_unauthorized_grant(Context& context) {
  if (!context.has_client_credentials()) {
    return skipped("no client credentials");
  }
  const auto& grant = context.settings().unauthorized_grant;
  if (grant.empty()) {
    return skipped("no --unauthorized-grant (a grant_type this client is not registered for)");
  }
  // A grant the server does not serve at all is unsupported_grant_type's case, not this one.
  const auto& document = context.document();
  if (document.is_object() && document.contains("grant_types_supported") &&
      !context.advertises("grant_types_supported", grant)) {
    return skipped(fmt::format("{} is not in grant_types_supported", grant));
  }
  // Only grant_type: a server decides whether the client may use the grant before it
  // reads the grant's own parameters (RFC 6749 §5.2 names no order, common servers do so).
  return expect_error(context.post_token({{"grant_type", grant}}), 400, "unauthorized_client",
                      fmt::format("grant_type {} for a client not registered for it", grant));
}

Outcome check_missing_grant_type(Context& context) {
  if (!context.has_client_credentials()) {
    return skipped("no client credentials");
  }
  return expect_error(context.post_token({{"scope", context.client_scope()}}), 400, "invalid_request",
                      "no grant_type");
}

} // namespace oauthctl::oauth::check
