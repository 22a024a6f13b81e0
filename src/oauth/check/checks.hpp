// SPDX-License-Identifier: MIT
// Private to the check module: the run function of every row of check_table(), grouped
// by the file that holds them.
#pragma once

#include <oauthctl/oauth/check.hpp>
#include <oauthctl/oauth/check_context.hpp>
#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/oauth/token_response.hpp>

namespace oauthctl::oauth::check {

// Members of server-sent JSON read without trusting their type: the string value (else
// ""), and whether the member is exactly `true`.
inline std::string string_member(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) {
    return {};
  }
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}
inline bool true_member(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) {
    return false;
  }
  const auto it = object.find(name);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

Outcome check_code_happy_path(Context& context);
Outcome check_code_state(Context& context);
Outcome check_code_iss(Context& context);
Outcome check_code_unregistered_redirect(Context& context);
Outcome check_code_missing_response_type(Context& context);
Outcome check_code_invalid_scope(Context& context);
Outcome check_pkce_missing_verifier(Context& context);
Outcome check_pkce_blank_verifier(Context& context);
Outcome check_pkce_wrong_verifier(Context& context);
Outcome check_pkce_verifier_is_challenge(Context& context);
Outcome check_pkce_downgrade(Context& context);
Outcome check_code_reuse(Context& context);
Outcome check_code_redirect_binding(Context& context);
Outcome check_backend_happy_path(Context& context);
Outcome check_backend_jti_replay(Context& context);
Outcome check_backend_wrong_aud(Context& context);
Outcome check_backend_expired(Context& context);
Outcome check_backend_unsigned(Context& context);
Outcome check_backend_unregistered_key(Context& context);
Outcome check_oauth_metadata(Context& context);
Outcome check_openid_configuration(Context& context);
Outcome check_smart_configuration(Context& context);
Outcome check_issuer_exact(Context& context);
Outcome check_required_fields(Context& context);
Outcome check_pkce_methods(Context& context);
Outcome check_jwks(Context& context);
Outcome check_https(Context& context);
Outcome check_endpoints_answer(Context& context);
Outcome check_rfc9700_audit(Context& context);
Outcome check_token_exchange(Context& context);
Outcome check_device_authorization(Context& context);
Outcome check_fhir_without_token(Context& context);
Outcome check_fhir_with_token(Context& context);
Outcome check_fhir_tampered_token(Context& context);
Outcome check_fhir_alg_none(Context& context);
Outcome check_fhir_outside_scope(Context& context);
Outcome check_id_token_signature(Context& context);
Outcome check_id_token_claims(Context& context);
Outcome check_userinfo(Context& context);
Outcome check_userinfo_without_token(Context& context);
Outcome check_fhir_user(Context& context);
Outcome check_refresh_grant(Context& context);
Outcome check_refresh_narrower_scope(Context& context);
Outcome check_refresh_rotation(Context& context);
Outcome check_refresh_invalid(Context& context);
Outcome check_refresh_invalid_with_assertion(Context& context);
Outcome check_backend_scope_rules(Context& context);
Outcome check_fhir_patient_compartment(Context& context);
Outcome check_client_credentials(Context& context);
Outcome check_auth_methods(Context& context);
Outcome check_no_store(Context& context);
Outcome check_expires_in(Context& context);
Outcome check_wrong_secret(Context& context);
Outcome check_unknown_client(Context& context);
Outcome check_unsupported_grant(Context& context);
Outcome check_unauthorized_grant(Context& context);
Outcome check_missing_grant_type(Context& context);
Outcome check_introspection_active(Context& context);
Outcome check_introspection_unknown(Context& context);
Outcome check_revocation_unknown(Context& context);
Outcome check_revocation_revokes(Context& context);

} // namespace oauthctl::oauth::check
