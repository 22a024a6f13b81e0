// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/oauth/pkce.hpp>
#include <oauthctl/util/error.hpp>
#include <oauthctl/util/form.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace oauthctl::oauth {

// What the authorization endpoint is asked to return (RFC 6749 §3.1.1): a code in the
// query (§4.1) or, for the deprecated implicit grant, a token in the fragment (§4.2).
enum class ResponseType { code, token };

// The wire name of `type`: "code" or "token".
std::string_view to_string(ResponseType type);

// The parameters of one authorization request (RFC 6749 §4.1.1 / §4.2.1, RFC 7636 §4.3,
// OpenID Connect Core §3.1.2.1); empty strings are left out of the URL.
struct AuthorizeRequest {
  std::string authorization_endpoint;
  ResponseType response_type = ResponseType::code;
  std::string client_id;
  std::string redirect_uri;
  std::string scope;
  std::string state;
  std::string nonce;
  std::string code_challenge;
  std::optional<PkceMethod> code_challenge_method;
  util::FormFields extra; // aud, launch, login_hint, resource, prompt, ...
};

// The URL to send the user's browser to: `request.authorization_endpoint` with the
// parameters appended to any query it already has (RFC 6749 §3.1 keeps that query).
// `usage` error when the endpoint is not an http(s) URL, has a fragment or a malformed
// query, the client_id is empty, or a parameter would appear twice.
[[nodiscard]] util::Result<std::string> build_authorize_url(const AuthorizeRequest& request);

// True when the space-separated `scope` contains `value` as a whole entry ("openid").
bool scope_contains(std::string_view scope, std::string_view value);

// What the client expects to find in the authorization response.
struct ResponseExpectations {
  ResponseType response_type = ResponseType::code;
  std::string state;  // the state sent in the request; must come back unchanged
  std::string issuer; // the authorization server's issuer, compared with `iss` when known
  // The server announced authorization_response_iss_parameter_supported (RFC 9207 §3),
  // so a response without `iss` is refused.
  bool iss_required = false;
};

// A successful authorization response: a code (RFC 6749 §4.1.2) or, for the implicit
// grant, a token (RFC 6749 §4.2.2), with the state and issuer it came back with.
struct AuthorizationResponse {
  std::string code;
  std::string access_token;
  std::string token_type;
  std::optional<long long> expires_in;
  std::string scope;
  std::string id_token;
  std::string state;
  std::string iss;
  util::FormFields fields; // every parameter as received, for `flow` (redact before showing)
};

// Reads the redirect the browser brought back: the raw `query` for the code grant, the
// raw `fragment` for the implicit grant (without '?' or '#'). A state that is missing or
// differs from `expected.state`, or an `iss` that differs from `expected.issuer`, is an
// `oauth` error ("state mismatch", "issuer mismatch") and never yields a token; an `error`
// response is an `oauth` error carrying `error` and `error_description`; a malformed,
// repeated-parameter, oversized or incomplete response is `bad_response`.
[[nodiscard]] util::Result<AuthorizationResponse>
parse_authorization_response(std::string_view query, std::string_view fragment,
                             const ResponseExpectations& expected);

// The largest authorization response parse_authorization_response reads, in bytes.
inline constexpr std::size_t k_max_authorization_response = 64 * 1024;

} // namespace oauthctl::oauth
