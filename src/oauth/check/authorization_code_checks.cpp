// SPDX-License-Identifier: MIT
// The authorization-code group: RFC 6749 §4.1 with PKCE (RFC 7636), RFC 9207 and the
// RFC 9700 §2.1 / §4.1 defences, driven headlessly (`--login`).
#include "oauth/check/checks.hpp"

#include <oauthctl/oauth/token_management.hpp>

#include <fmt/format.h>

namespace oauthctl::oauth::check {

namespace {

// Why a check that changes the authorization request cannot run.
std::string headless_blocker(const Context& context) {
  if (auto blocker = context.browser_flow_blocker(); !blocker.empty()) {
    return blocker;
  }
  return context.headless() ? std::string() : "needs --login: a --browser trip sends only the plain request";
}

// A fresh code to misuse, or the reason there is none.
struct FreshCode {
  std::optional<AuthorizeTrip> trip;
  std::optional<Outcome> blocked;
};

FreshCode fresh_code(Context& context, bool pkce = true) {
  if (const auto blocker = context.browser_flow_blocker(); !blocker.empty()) {
    return {std::nullopt, skipped(blocker)};
  }
  auto trip = context.authorize_for_code({}, pkce);
  if (!trip) {
    return {std::nullopt, failed(fmt::format("no code to test with: {}", util::describe(trip.error())))};
  }
  return {std::move(*trip), std::nullopt};
}

// A misused code must be refused with invalid_grant (RFC 6749 §5.2; RFC 7636 §4.6).
Outcome expect_invalid_grant(const util::Result<http::Response>& response, std::string_view what) {
  if (!response) {
    return failed(fmt::format("{}: {}", what, response.error().message));
  }
  if (response->status == 200) {
    return failed(fmt::format("{}: the server issued tokens", what));
  }
  const auto error = oauth_error_code(*response);
  if (response->status == 400 && error == "invalid_grant") {
    return passed(fmt::format("{}: {}", what, describe_answer(*response)));
  }
  if (response->status >= 400 && response->status < 500 && !error.empty()) {
    return warned(fmt::format("{}: refused, but with {} (RFC 6749 §5.2 says invalid_grant)", what,
                              describe_answer(*response)));
  }
  return failed(fmt::format("{}: expected HTTP 400 invalid_grant, got {}", what, describe_answer(*response)));
}

// An authorization request the server must refuse: an error redirect (with `error`
// among `errors` when given) or an error page, never a code.
Outcome expect_authorize_error(const util::Result<AuthorizeTrip>& trip, std::string_view what,
                               std::initializer_list<std::string_view> errors) {
  if (!trip) {
    return failed(fmt::format("{}: {}", what, util::describe(trip.error())));
  }
  if (!trip->outcome.redirected) {
    if (trip->outcome.last.status >= 400) {
      return passed(fmt::format("{}: error page, HTTP {}", what, trip->outcome.last.status));
    }
    return failed(
      fmt::format("{}: ended at HTTP {} on {}", what, trip->outcome.last.status, trip->outcome.last_url));
  }
  if (!trip->param("code").empty()) {
    return failed(fmt::format("{}: the server issued a code", what));
  }
  const auto error = trip->param("error");
  if (error.empty()) {
    return failed(fmt::format("{}: redirected without code or error", what));
  }
  if (errors.size() == 0 || std::find(errors.begin(), errors.end(), error) != errors.end()) {
    return passed(fmt::format("{}: error={}", what, error));
  }
  return warned(fmt::format("{}: refused with error={}", what, error));
}

} // namespace

Outcome check_code_happy_path(Context& context) {
  if (const auto blocker = context.browser_flow_blocker(); !blocker.empty()) {
    return skipped(blocker);
  }
  const auto& flow = context.code_flow();
  if (!flow) {
    return failed(util::describe(flow.error()));
  }
  const auto& trip = flow->trip;
  return passed(fmt::format("{} token for {}{}{}", flow->token.token_type, context.settings().login.username,
                            trip.outcome.signed_in ? ", signed in" : "",
                            trip.outcome.consented ? ", consent approved" : ""));
}

Outcome check_code_state(Context& context) {
  if (const auto blocker = context.browser_flow_blocker(); !blocker.empty()) {
    return skipped(blocker);
  }
  const auto& flow = context.code_flow();
  if (!flow) {
    return failed(fmt::format("no authorization response: {}", util::describe(flow.error())));
  }
  const auto returned = flow->trip.param("state");
  if (returned != flow->trip.request.state) {
    return failed(returned.empty() ? "no state in the authorization response" : "state came back changed");
  }
  return passed("state echoed unchanged");
}

Outcome check_code_iss(Context& context) {
  const auto& document = context.document();
  if (!true_member(document, "authorization_response_iss_parameter_supported")) {
    return skipped("authorization_response_iss_parameter_supported is not true");
  }
  if (const auto blocker = context.browser_flow_blocker(); !blocker.empty()) {
    return skipped(blocker);
  }
  const auto& flow = context.code_flow();
  if (!flow) {
    return failed(fmt::format("no authorization response: {}", util::describe(flow.error())));
  }
  const auto iss = flow->trip.param("iss");
  if (iss.empty()) {
    return failed("no iss in the authorization response although the metadata promises it");
  }
  if (iss != context.issuer()) {
    return failed(fmt::format("iss {} differs from the issuer {}", iss, context.issuer()));
  }
  return passed("iss = " + iss);
}

Outcome check_code_unregistered_redirect(Context& context) {
  if (const auto blocker = headless_blocker(context); !blocker.empty()) {
    return skipped(blocker);
  }
  const std::string attacker = "https://attacker.oauthctl-check.invalid/callback";
  const auto trip = context.authorize([&](AuthorizeRequest& request) { request.redirect_uri = attacker; });
  if (!trip) {
    return failed(util::describe(trip.error()));
  }
  if (trip->outcome.redirected) {
    return failed(fmt::format("the user agent was sent to the unregistered {}", attacker));
  }
  if (trip->outcome.last.status < 400) {
    return warned(fmt::format("not redirected, but the page answered HTTP {}", trip->outcome.last.status));
  }
  return passed(fmt::format("not redirected; error page, HTTP {}", trip->outcome.last.status));
}

Outcome check_code_missing_response_type(Context& context) {
  if (const auto blocker = headless_blocker(context); !blocker.empty()) {
    return skipped(blocker);
  }
  return expect_authorize_error(context.authorize({}, true, {"response_type"}), "no response_type",
                                {"invalid_request", "unsupported_response_type"});
}

Outcome check_code_invalid_scope(Context& context) {
  if (const auto blocker = headless_blocker(context); !blocker.empty()) {
    return skipped(blocker);
  }
  const auto trip = context.authorize(
    [](AuthorizeRequest& request) { request.scope = "openid oauthctl-check-no-such-scope"; });
  if (trip && trip->outcome.redirected && !trip->param("code").empty()) {
    // RFC 6749 §3.3 lets a server ignore scopes it does not know.
    return warned("the unknown scope was ignored and a code issued (RFC 6749 §3.3 allows it)");
  }
  return expect_authorize_error(trip, "unknown scope", {"invalid_scope"});
}

Outcome check_pkce_missing_verifier(Context& context) {
  auto code = fresh_code(context);
  if (code.blocked) {
    return *code.blocked;
  }
  return expect_invalid_grant(context.redeem(*code.trip, std::nullopt, code.trip->request.redirect_uri),
                              "code_challenge sent, no code_verifier");
}

Outcome check_pkce_blank_verifier(Context& context) {
  auto code = fresh_code(context);
  if (code.blocked) {
    return *code.blocked;
  }
  return expect_invalid_grant(context.redeem(*code.trip, std::string(), code.trip->request.redirect_uri),
                              "empty code_verifier");
}

Outcome check_pkce_wrong_verifier(Context& context) {
  auto code = fresh_code(context);
  if (code.blocked) {
    return *code.blocked;
  }
  return expect_invalid_grant(
    context.redeem(*code.trip, make_code_verifier(), code.trip->request.redirect_uri),
    "another code_verifier");
}

Outcome check_pkce_verifier_is_challenge(Context& context) {
  auto code = fresh_code(context);
  if (code.blocked) {
    return *code.blocked;
  }
  return expect_invalid_grant(
    context.redeem(*code.trip, code.trip->pkce->challenge, code.trip->request.redirect_uri),
    "code_verifier = the S256 challenge");
}

Outcome check_pkce_downgrade(Context& context) {
  if (const auto blocker = headless_blocker(context); !blocker.empty()) {
    return skipped(blocker);
  }
  const auto trip = context.authorize({}, false);
  if (!trip) {
    return failed(util::describe(trip.error()));
  }
  if (!trip->outcome.redirected || trip->param("code").empty()) {
    return passed("an authorization request without code_challenge is refused (PKCE required)");
  }
  return expect_invalid_grant(context.redeem(*trip, make_code_verifier(), trip->request.redirect_uri),
                              "code_verifier for a code issued without code_challenge");
}

Outcome check_code_reuse(Context& context) {
  auto code = fresh_code(context);
  if (code.blocked) {
    return *code.blocked;
  }
  const auto& trip = *code.trip;
  const auto first = context.redeem(trip, trip.pkce->verifier, trip.request.redirect_uri);
  if (!first) {
    return failed(first.error().message);
  }
  const auto token = parse_token_response(*first);
  if (!token) {
    return failed(fmt::format("first redemption failed: {}", describe_answer(*first)));
  }
  const auto second = context.redeem(trip, trip.pkce->verifier, trip.request.redirect_uri);
  auto outcome = expect_invalid_grant(second, "second redemption of the code");
  if (outcome.status != Status::pass) {
    return outcome;
  }
  // RFC 6749 §4.1.2: the server SHOULD revoke the tokens of the first use.
  const auto endpoint = introspection_endpoint(context.metadata(), context.config());
  if (context.has_endpoint("introspection_endpoint") && context.has_client_credentials()) {
    const auto state =
      introspect_token(context.client(), context.config(), endpoint, token->access_token, "");
    if (state && state->active) {
      return warned(
        "code reuse refused, but the first use's access token stays active (RFC 6749 §4.1.2 SHOULD)");
    }
    if (state) {
      outcome.reason += "; the first use's token is revoked";
    }
  }
  return outcome;
}

Outcome check_code_redirect_binding(Context& context) {
  auto code = fresh_code(context);
  if (code.blocked) {
    return *code.blocked;
  }
  const auto other = code.trip->request.redirect_uri + "/other";
  return expect_invalid_grant(context.redeem(*code.trip, code.trip->pkce->verifier, other),
                              "a redirect_uri other than the authorization request's");
}

} // namespace oauthctl::oauth::check
