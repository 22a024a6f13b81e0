// SPDX-License-Identifier: MIT
#include "server/access_token.hpp"
#include "server/auth/trusted_issuers.hpp"
#include "server/endpoints/token_endpoint.hpp"
#include "server/endpoints/token_request.hpp"
#include "server/json_text.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/oauth/smart_scope.hpp>
#include <oauthctl/oauth/token_type.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace oauthctl::server {

namespace {

using Json = nlohmann::json;

// A verified subject or actor token: who it names and the most it lets us grant.
struct PresentedToken {
  std::string subject;             // as our tokens name it (local_subject for an external one)
  std::string issuer_subject;      // as its issuer named it
  std::vector<std::string> scopes; // the ceiling of what an exchange may carry
  std::int64_t expires_at = 0;
  Json carried = Json::object(); // claims the new token keeps: fhirUser, patient, act
  std::string issuer;
  const TrustedIssuerSpec* trusted = nullptr; // null for our own tokens
};

ServerResponse refused(std::string_view role, std::string_view why) {
  // RFC 8693 §2.2.2 / RFC 6749 §5.2: an invalid or untrusted token is invalid_grant. The
  // description says which check failed and never echoes the token.
  return oauth_error(400, "invalid_grant", fmt::format("the {} is not acceptable: {}", role, why));
}

void carry_claims(const Json& claims, Json& carried) {
  for (const char* name : {"fhirUser", "patient"}) {
    if (const auto value = string_claim(claims, name); !value.empty()) {
      carried[name] = value;
    }
  }
  if (const auto act = claims.find("act"); act != claims.end() && act->is_object()) {
    carried["act"] = *act;
  }
}

// Reads and verifies `<role>_token` with its `<role>_token_type` (RFC 8693 §2.1).
tl::expected<PresentedToken, ServerResponse> read_token(const TokenRequest& request,
                                                        const std::string& role) {
  const auto token_param = role + "_token";
  const auto type_param = role + "_token_type";
  const auto label = role + " token";
  const auto token = util::form_get(request.params, token_param);
  const auto type_text = util::form_get(request.params, type_param);
  if (!token || token->empty()) {
    return tl::unexpected(oauth_error(400, "invalid_request", fmt::format("{} is missing", token_param)));
  }
  if (!type_text || type_text->empty()) {
    return tl::unexpected(oauth_error(400, "invalid_request", fmt::format("{} is missing", type_param)));
  }
  const auto type = oauth::parse_token_type_urn(*type_text);
  if (!type) {
    return tl::unexpected(
      oauth_error(400, "invalid_request", fmt::format("{} must be an RFC 8693 token type URN", type_param)));
  }
  if (*type != oauth::TokenType::access_token && *type != oauth::TokenType::jwt &&
      *type != oauth::TokenType::id_token) {
    return tl::unexpected(
      oauth_error(400, "invalid_request",
                  fmt::format("{} {} is not exchangeable here: only JWTs (access_token, jwt, id_token) are",
                              type_param, oauth::token_type_urn(*type))));
  }
  const auto jwt = oauth::decode_jwt(*token);
  if (!jwt) {
    return tl::unexpected(refused(label, "it is not a JWT"));
  }
  const auto issuer = string_claim(jwt->claims, "iss");
  if (issuer.empty()) {
    return tl::unexpected(refused(label, "it has no iss"));
  }
  const auto& context = request.context;
  const auto now = context.now();
  PresentedToken out;
  out.issuer = issuer;
  if (issuer == context.issuer) {
    // One of ours: an access token (it names its client), signed by us, unexpired, unrevoked.
    if (*type == oauth::TokenType::id_token) {
      return tl::unexpected(
        refused(label, "this server's id_tokens are not exchangeable; send its access token"));
    }
    if (auto ok = context.keys.current()->verifier.verify_signature(*jwt); !ok) {
      return tl::unexpected(refused(label, "signature: " + ok.error().message));
    }
    oauth::ClaimChecks checks;
    checks.issuer = context.issuer;
    checks.now = now;
    if (auto ok = oauth::check_claims(jwt->claims, checks); !ok) {
      return tl::unexpected(refused(label, ok.error().message));
    }
    if (string_claim(jwt->claims, "client_id").empty() || string_claim(jwt->claims, "sub").empty()) {
      return tl::unexpected(refused(label, "it is not an access token of this server"));
    }
    if (const auto jti = string_claim(jwt->claims, "jti"); !jti.empty() && context.auth->is_revoked(jti)) {
      return tl::unexpected(refused(label, "it was revoked"));
    }
    out.subject = string_claim(jwt->claims, "sub");
    out.issuer_subject = out.subject;
    out.scopes = oauth::split_scopes(string_claim(jwt->claims, "scope"));
  } else {
    const auto* trusted = context.trusted_issuers ? context.trusted_issuers->find(issuer) : nullptr;
    if (trusted == nullptr) {
      return tl::unexpected(refused(label, "its issuer is not trusted by this server"));
    }
    auto verified = context.trusted_issuers->verify(*jwt, *trusted, {context.issuer, context.fhir_base}, now);
    if (!verified) {
      if (verified.error().kind == util::ErrorKind::network ||
          verified.error().kind == util::ErrorKind::timeout) {
        // Not the client's fault: the issuer's keys are out of reach for now.
        return tl::unexpected(oauth_error(503, "temporarily_unavailable", verified.error().message));
      }
      return tl::unexpected(refused(label, verified.error().message));
    }
    out.subject = local_subject(*trusted, verified->subject);
    out.issuer_subject = verified->subject;
    // A token without a scope claim grants nothing to narrow from: the introspector's
    // `scope` is a ceiling, never a default.
    out.scopes = verified->scopes;
    out.trusted = trusted;
  }
  // check_claims required a numeric exp.
  if (const auto exp = jwt->claims.find("exp"); exp != jwt->claims.end() && exp->is_number()) {
    out.expires_at = exp->get<std::int64_t>();
  }
  carry_claims(jwt->claims, out.carried);
  return out;
}

// Whether `scope` passes every limit: the subject token's scopes, the trusted issuer's
// `scope` list, and the client's allowed scopes.
bool within_limits(const TokenRequest& request, const PresentedToken& subject, const std::string& scope) {
  const auto parsed = oauth::parse_smart_scope(scope);
  if (!scope_allowed(subject.scopes, scope, parsed)) {
    return false;
  }
  if (subject.trusted != nullptr && subject.trusted->scopes &&
      !scope_allowed(*subject.trusted->scopes, scope, parsed)) {
    return false;
  }
  return !request.client.spec.scopes || scope_allowed(*request.client.spec.scopes, scope, parsed);
}

// RFC 8693 §2.1 `scope`: a subset of what the subject token carries (never broader);
// without one, all of its scopes that this client may have.
tl::expected<std::vector<std::string>, ServerResponse> pick_scopes(const TokenRequest& request,
                                                                   const PresentedToken& subject) {
  std::vector<std::string> granted;
  const auto requested = oauth::split_scopes(util::form_get(request.params, "scope").value_or(""));
  for (const auto& scope : requested) {
    if (!within_limits(request, subject, scope)) {
      return tl::unexpected(
        oauth_error(400, "invalid_scope",
                    fmt::format("{} is broader than the subject token allows for this client",
                                Json(scope).dump(-1, ' ', false, Json::error_handler_t::replace))));
    }
    if (!has_scope(granted, scope)) {
      granted.push_back(scope);
    }
  }
  if (requested.empty()) {
    for (const auto& scope : subject.scopes) {
      if (within_limits(request, subject, scope) && !has_scope(granted, scope)) {
        granted.push_back(scope);
      }
    }
  }
  if (granted.empty()) {
    return tl::unexpected(
      oauth_error(400, "invalid_scope", "the subject token carries no scope this client may have"));
  }
  return granted;
}

} // namespace

ServerResponse token_exchange_grant(const TokenRequest& request) {
  constexpr auto access_token_urn = "urn:ietf:params:oauth:token-type:access_token";
  // RFC 8693 §2.1: we issue JWT access tokens, so those are the types one may ask for.
  if (const auto requested = util::form_get(request.params, "requested_token_type")) {
    const auto type = oauth::parse_token_type_urn(*requested);
    if (!type || (*type != oauth::TokenType::access_token && *type != oauth::TokenType::jwt)) {
      return oauth_error(400, "invalid_request",
                         "requested_token_type: this server issues access tokens "
                         "(urn:ietf:params:oauth:token-type:access_token or …:jwt)");
    }
  }
  auto subject = read_token(request, "subject");
  if (!subject) {
    return std::move(subject.error());
  }
  std::optional<PresentedToken> actor;
  if (util::form_get(request.params, "actor_token") || util::form_get(request.params, "actor_token_type")) {
    auto read = read_token(request, "actor");
    if (!read) {
      return std::move(read.error());
    }
    actor = std::move(*read);
  }
  auto audience = pick_audience(request, "token_exchange");
  if (!audience) {
    return std::move(audience.error());
  }
  auto scopes = pick_scopes(request, *subject);
  if (!scopes) {
    return std::move(scopes.error());
  }
  const auto now = request.context.now();
  // Never broader in time either: the new token ends when the subject token does.
  const auto configured =
    request.client.spec.settings("token_exchange").access_token_expiration.value_or(k_default_token_lifetime);
  const auto lifetime = std::min<std::int64_t>(configured, subject->expires_at - now);
  if (lifetime <= 0) {
    return refused("subject token", "it has expired");
  }
  auto extra = subject->carried;
  if (actor) {
    // RFC 8693 §4.1: `act` names the current actor; an earlier chain nests inside it.
    Json act{{"sub", actor->issuer_subject}};
    if (actor->issuer != request.context.issuer) {
      act["iss"] = actor->issuer;
    }
    if (extra.contains("act")) {
      act["act"] = extra["act"];
    }
    extra["act"] = std::move(act);
  }
  const AccessTokenGrant grant{
    request.client.spec.id,        subject->subject, *audience, *scopes, lifetime, {}, std::move(extra),
    request.certificate_thumbprint};
  const auto token =
    issue_access_token(request.context.keys.current()->signer, request.context.issuer, now, grant);
  if (!token) {
    return oauth_error(500, "server_error", "the token could not be signed");
  }
  // RFC 8693 §2.2.1: issued_token_type is required; token_type Bearer for access tokens.
  auto response = json_response(200, Json{{"access_token", *token},
                                          {"issued_token_type", access_token_urn},
                                          {"token_type", "Bearer"},
                                          {"expires_in", lifetime},
                                          {"scope", oauth::join_scopes(*scopes)}});
  add_no_store(response);
  return response;
}

} // namespace oauthctl::server
