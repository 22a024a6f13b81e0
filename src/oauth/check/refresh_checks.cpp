// SPDX-License-Identifier: MIT
// The refresh group: RFC 6749 §6, with RFC 9700 §4.14 rotation and reuse detection. Each
// check runs its own code flow, so a revoked token family never spoils another check.
#include "oauth/check/checks.hpp"

#include <fmt/format.h>

namespace oauthctl::oauth::check {

namespace {

struct Issued {
  std::optional<TokenResponse> token;
  std::optional<Outcome> blocked;
};

// A fresh token with a refresh token from the code flow.
Issued issue(Context& context) {
  if (!context.advertises("grant_types_supported", "refresh_token")) {
    return {std::nullopt, skipped("no refresh_token in grant_types_supported")};
  }
  if (const auto blocker = context.browser_flow_blocker(); !blocker.empty()) {
    return {std::nullopt, skipped(blocker)};
  }
  auto trip = context.authorize_for_code();
  if (!trip) {
    return {std::nullopt, failed(fmt::format("no code: {}", util::describe(trip.error())))};
  }
  const auto response = context.redeem(*trip, trip->pkce->verifier, trip->request.redirect_uri);
  if (!response) {
    return {std::nullopt, failed(response.error().message)};
  }
  auto token = parse_token_response(*response);
  if (!token) {
    return {std::nullopt, failed(fmt::format("no token: {}", describe_answer(*response)))};
  }
  if (token->refresh_token.empty()) {
    return {std::nullopt,
            skipped(fmt::format("the code flow issued no refresh_token (scope {})", context.user_scope()))};
  }
  return {std::move(*token), std::nullopt};
}

util::Result<http::Response> refresh(Context& context, const std::string& token,
                                     const std::string& scope = {}) {
  util::FormFields form{{"grant_type", "refresh_token"}, {"refresh_token", token}};
  if (!scope.empty()) {
    form.emplace_back("scope", scope);
  }
  return context.post_token(std::move(form), context.code_client());
}

} // namespace

Outcome check_refresh_grant(Context& context) {
  auto issued = issue(context);
  if (issued.blocked) {
    return *issued.blocked;
  }
  const auto response = refresh(context, issued.token->refresh_token);
  if (!response) {
    return failed(response.error().message);
  }
  const auto token = parse_token_response(*response);
  if (!token) {
    return failed(fmt::format("refresh refused: {}", describe_answer(*response)));
  }
  return passed("a new access token for the refresh token");
}

Outcome check_refresh_narrower_scope(Context& context) {
  auto issued = issue(context);
  if (issued.blocked) {
    return *issued.blocked;
  }
  const auto granted = issued.token->scope.empty() ? context.user_scope() : issued.token->scope;
  const auto first = granted.substr(0, granted.find(' '));
  if (first == granted) {
    return skipped("only one scope was granted; nothing to narrow");
  }
  const auto response = refresh(context, issued.token->refresh_token, first);
  if (!response) {
    return failed(response.error().message);
  }
  const auto token = parse_token_response(*response);
  if (!token) {
    return failed(fmt::format("refresh with scope {} refused: {}", first, describe_answer(*response)));
  }
  if (!token->scope.empty() && token->scope != first) {
    return failed(fmt::format("asked for {}, got {}", first, token->scope));
  }
  return passed(fmt::format("narrowed to {}", first));
}

Outcome check_refresh_rotation(Context& context) {
  auto issued = issue(context);
  if (issued.blocked) {
    return *issued.blocked;
  }
  const auto old_token = issued.token->refresh_token;
  const auto response = refresh(context, old_token);
  if (!response) {
    return failed(response.error().message);
  }
  const auto token = parse_token_response(*response);
  if (!token) {
    return failed(fmt::format("refresh refused: {}", describe_answer(*response)));
  }
  if (token->refresh_token.empty() || token->refresh_token == old_token) {
    // RFC 9700 §4.14.2: a public client's refresh tokens are sender-constrained or rotated.
    if (context.code_client().auth_method == AuthMethod::none && token->token_type != "DPoP") {
      return failed("a public client's refresh token is not rotated (and not sender-constrained)");
    }
    return passed("refresh tokens are not rotated (allowed for confidential clients, RFC 9700 §4.14.2)");
  }
  // Rotated: the old one must now be refused (reuse detection), and the reuse should
  // revoke the family, so the new one stops working too.
  const auto reuse = refresh(context, old_token);
  if (!reuse) {
    return failed(reuse.error().message);
  }
  if (reuse->status == 200) {
    return failed("rotated, but the previous refresh token still works");
  }
  const auto after = refresh(context, token->refresh_token);
  if (after && after->status == 200) {
    return warned(
      "the old refresh token is refused, but its reuse did not revoke the new one (RFC 9700 §4.14.2)");
  }
  return passed("rotated; reuse of the old token refused and the family revoked");
}

Outcome check_refresh_invalid(Context& context) {
  if (!context.advertises("grant_types_supported", "refresh_token")) {
    return skipped("no refresh_token in grant_types_supported");
  }
  if (!context.has_client_credentials()) {
    return skipped("no client credentials");
  }
  const auto response = context.post_token(
    {{"grant_type", "refresh_token"}, {"refresh_token", "oauthctl-check-not-a-refresh-token"}});
  if (!response) {
    return failed(response.error().message);
  }
  if (response->status == 400 && oauth_error_code(*response) == "invalid_grant") {
    return passed(describe_answer(*response));
  }
  return failed(fmt::format("expected HTTP 400 invalid_grant, got {}", describe_answer(*response)));
}

} // namespace oauthctl::oauth::check
