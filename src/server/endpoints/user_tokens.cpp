// SPDX-License-Identifier: MIT
#include "server/endpoints/user_tokens.hpp"

#include "server/access_token.hpp"
#include "server/endpoints/token_endpoint.hpp"

#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/crypto.hpp>

namespace oauthctl::server {

namespace {

bool wants_patient_context(const std::vector<std::string>& scopes) {
  for (const auto& scope : scopes) {
    if (scope.rfind("patient/", 0) == 0 || scope == "launch/patient") {
      return true;
    }
  }
  return false;
}

} // namespace

bool has_scope(const std::vector<std::string>& scopes, std::string_view scope) {
  for (const auto& entry : scopes) {
    if (entry == scope) {
      return true;
    }
  }
  return false;
}

std::string at_hash(std::string_view access_token) {
  return util::base64url_encode(util::sha256(access_token).substr(0, 16));
}

nlohmann::json user_claims(const RegisteredUser& user, const std::vector<std::string>& scopes) {
  nlohmann::json claims{{"sub", user.spec.id}};
  if (has_scope(scopes, "profile")) {
    if (const auto name = UserDirectory::display_name(user.spec); !name.empty()) {
      claims["name"] = name;
    }
    if (user.spec.name.is_object()) {
      if (const auto given = user.spec.name.find("givenName"); given != user.spec.name.end()) {
        claims["given_name"] = *given;
      }
      if (const auto family = user.spec.name.find("familyName"); family != user.spec.name.end()) {
        claims["family_name"] = *family;
      }
    }
  }
  if (has_scope(scopes, "email") && !user.spec.email.empty()) {
    claims["email"] = user.spec.email;
  }
  // SMART App Launch §2.0.10: fhirUser is released with the `fhirUser` scope.
  if (has_scope(scopes, "fhirUser") || has_scope(scopes, "profile")) {
    if (const auto reference = UserDirectory::fhir_user_reference(user.spec); !reference.empty()) {
      claims["fhirUser"] = reference;
    }
  }
  return claims;
}

util::Result<UserTokens> issue_user_tokens(const AppContext& context, const UserGrant& grant,
                                           WithIdToken with_id_token) {
  const auto now = context.now();
  UserTokens out;
  out.expires_in =
    grant.client.spec.settings(grant.grant).access_token_expiration.value_or(k_default_token_lifetime);
  out.expires_at = now + out.expires_in;
  out.jti = util::random_token(16);
  nlohmann::json extra = nlohmann::json::object();
  if (const auto reference = UserDirectory::fhir_user_reference(grant.user.spec); !reference.empty()) {
    extra["fhirUser"] = reference;
  }
  if (wants_patient_context(grant.scopes)) {
    // SMART App Launch §2.0.4 (standalone launch): with no launch context to pick from,
    // the patient in context is the user themself when their fhirUser is a Patient.
    out.patient = UserDirectory::patient_id(grant.user.spec);
    if (!out.patient.empty()) {
      extra["patient"] = out.patient;
    }
  }
  AccessTokenGrant access{grant.client.spec.id, grant.user.spec.id,
                          context.fhir_base,    grant.scopes,
                          out.expires_in,       out.jti,
                          std::move(extra),     grant.certificate_thumbprint};
  const auto key_set = context.keys.current(); // the access and id tokens: one key
  auto token = issue_access_token(key_set->signer, context.issuer, now, access);
  if (!token) {
    return tl::unexpected(token.error());
  }
  out.access_token = std::move(*token);
  if (with_id_token == WithIdToken::yes) {
    auto claims = user_claims(grant.user, grant.scopes);
    claims["iss"] = context.issuer;
    claims["aud"] = grant.client.spec.id;
    claims["iat"] = now;
    claims["exp"] = out.expires_at;
    claims["auth_time"] = grant.auth_time;
    claims["at_hash"] = at_hash(out.access_token);
    if (!grant.nonce.empty()) {
      claims["nonce"] = grant.nonce;
    }
    auto id_token = key_set->signer.sign(claims);
    if (!id_token) {
      return tl::unexpected(id_token.error());
    }
    out.id_token = std::move(*id_token);
  }
  return out;
}

} // namespace oauthctl::server
