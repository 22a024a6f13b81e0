// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/client.hpp>
#include <oauthctl/oauth/authorize_request.hpp>
#include <oauthctl/oauth/client_config.hpp>
#include <oauthctl/oauth/headless_login.hpp>
#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/oauth/metadata.hpp>
#include <oauthctl/oauth/pkce.hpp>
#include <oauthctl/oauth/token_response.hpp>
#include <oauthctl/util/error.hpp>
#include <oauthctl/util/form.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::oauth::check {

// What `check` runs with, resolved by the CLI.
struct Settings {
  ClientConfig config;    // client id, secret, auth method, private key, scope, --fhir-url, --redirect-uri
  LoginCredentials login; // --login USER and its password; empty username: no headless login
  // --unauthorized-grant: a grant_type value this client is not registered for (empty: none
  // named, token.unauthorized-grant skips).
  std::string unauthorized_grant;
};

// One discovery document as fetched.
struct Document {
  std::string url;
  int status = 0;      // 0: not fetched (network error, or not tried)
  nlohmann::json json; // the object, when the body was one
  std::string problem; // why it is unusable, when it is
  [[nodiscard]] bool usable() const { return json.is_object(); }
};

// One trip through the authorization endpoint, headless.
struct AuthorizeTrip {
  AuthorizeRequest request;
  std::optional<Pkce> pkce;
  HeadlessAuthorization outcome;
  util::FormFields response; // the redirect's query (or fragment) parameters
  [[nodiscard]] std::string param(std::string_view name) const;
};

// The happy authorization code flow, done once and shared by the checks that need its tokens.
struct CodeFlow {
  AuthorizeTrip trip;
  http::Response token_response;
  TokenResponse token;
};

// Shared state of one `check` run: the recording HTTP client, the discovery documents,
// and what earlier checks obtained (a client token, the JWKS, the code flow's tokens).
class Context {
public:
  Context(http::Client& transport, Settings settings);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Fetches OAuth AS metadata, the OpenID configuration and the SMART configuration.
  // `network`/`tls`/`timeout` error when the server cannot be reached at all (exit 3).
  [[nodiscard]] util::Result<void> discover();

  [[nodiscard]] http::Client& client();
  [[nodiscard]] const Settings& settings() const { return m_settings; }
  [[nodiscard]] const ClientConfig& config() const { return m_settings.config; }
  [[nodiscard]] const ServerMetadata& metadata() const { return m_metadata; }
  [[nodiscard]] const Document& oauth_document() const { return m_oauth; }
  [[nodiscard]] const Document& openid_document() const { return m_openid; }
  [[nodiscard]] const Document& smart_document() const { return m_smart; }
  // The first usable of the three (OAuth, OpenID, SMART); null JSON when none is.
  [[nodiscard]] const nlohmann::json& document() const;
  // True when a usable document lists `value` in its array `field`.
  [[nodiscard]] bool advertises(std::string_view field, std::string_view value) const;
  // True when a usable document has the string member `field`.
  [[nodiscard]] bool has_endpoint(std::string_view field) const;
  // --fhir-url, else the SMART document's FHIR base, else <server>/fhir.
  [[nodiscard]] std::string fhir_base() const;
  // The issuer discovery announced (empty when none).
  [[nodiscard]] const std::string& issuer() const { return m_metadata.issuer; }

  // Whether the client can authenticate at all (secret, or a key for private_key_jwt).
  [[nodiscard]] bool has_client_credentials() const;
  // A scope for client_credentials: --scope, else the first of system/*.rs, system/*.read
  // in scopes_supported, else none.
  [[nodiscard]] std::string client_scope() const;
  // A scope for the code flow: --scope, else openid, profile, fhirUser, offline_access and
  // one patient/user FHIR scope, each only when scopes_supported lists it.
  [[nodiscard]] std::string user_scope() const;
  // --redirect-uri, else http://127.0.0.1/callback (RFC 8252 §7.3).
  [[nodiscard]] std::string redirect_uri() const;

  // POST `form` to the token endpoint with `as`'s client authentication; the raw answer.
  [[nodiscard]] util::Result<http::Response> post_token(util::FormFields form, const ClientConfig& as);
  [[nodiscard]] util::Result<http::Response> post_token(util::FormFields form) {
    return post_token(std::move(form), config());
  }

  // The client_credentials token with the configured client (fetched once).
  [[nodiscard]] const util::Result<TokenResponse>& client_token();
  // The JWK Set document from jwks_uri as fetched (once, unless jwks_naming() fetched again).
  [[nodiscard]] const util::Result<nlohmann::json>& jwks_document();
  // The server's keys from jwks_uri (fetched once).
  [[nodiscard]] const util::Result<JwksVerifier>& jwks();
  // The server's keys for a JWT with `header`: fetched again, once per run, when the set
  // has no key with its kid (OpenID Connect Core §10.1.1: a new kid means the server
  // rotated its keys, and the client fetches jwks_uri again).
  [[nodiscard]] const util::Result<JwksVerifier>& jwks_naming(const nlohmann::json& header);

  // Why the browser flows cannot run ("no --login ..."); empty when they can, headlessly
  // (--login) or in the --browser command.
  [[nodiscard]] std::string browser_flow_blocker() const;
  // True with --login: the authorization requests can be changed at will. With --browser
  // only the plain code flow runs (the browser trip is the grant's own, state and iss
  // checked there).
  [[nodiscard]] bool headless() const { return !m_settings.login.username.empty(); }
  // A trip through the authorization endpoint with a fresh state, nonce and PKCE S256
  // pair (`pkce` false: none), the request changed by `adjust` before it is sent and the
  // query parameters named in `drop` left out of the URL.
  [[nodiscard]] util::Result<AuthorizeTrip>
  authorize(const std::function<void(AuthorizeRequest&)>& adjust = {}, bool pkce = true,
            const std::vector<std::string>& drop = {});
  // authorize() that must end with a code: `oauth` error otherwise.
  [[nodiscard]] util::Result<AuthorizeTrip>
  authorize_for_code(const std::function<void(AuthorizeRequest&)>& adjust = {}, bool pkce = true);
  // Redeems `trip`'s code (RFC 6749 §4.1.3) with `verifier` (nullopt: none sent) and
  // `redirect_uri` as given; the raw answer.
  [[nodiscard]] util::Result<http::Response> redeem(const AuthorizeTrip& trip,
                                                    const std::optional<std::string>& verifier,
                                                    const std::string& redirect_uri);
  // The code flow's happy path (done once).
  [[nodiscard]] const util::Result<CodeFlow>& code_flow();
  // The code flow once more, for tokens no earlier check can have revoked.
  [[nodiscard]] util::Result<CodeFlow> fresh_code_flow();
  // The config the code flow authenticates with (public when there is no secret).
  [[nodiscard]] const ClientConfig& code_client() const { return m_code_client; }

  // Seconds since the epoch.
  [[nodiscard]] std::int64_t now() const;

  // Starts recording a check's exchanges; take_exchanges() returns them (redacted text).
  void begin_check();
  [[nodiscard]] std::vector<std::string> take_exchanges();

private:
  [[nodiscard]] util::Result<AuthorizeTrip> authorize_in_browser_command();
  class Recorder;
  std::unique_ptr<Recorder> m_recorder;
  Settings m_settings;
  ClientConfig m_code_client;
  Document m_oauth, m_openid, m_smart;
  ServerMetadata m_metadata;
  CookieJar m_jar;
  std::optional<util::Result<TokenResponse>> m_client_token;
  std::optional<util::Result<nlohmann::json>> m_jwks_document;
  std::optional<util::Result<JwksVerifier>> m_jwks;
  bool m_jwks_fetched_again = false;
  std::optional<util::Result<CodeFlow>> m_code_flow;
};

// The parameters of `response` (a token endpoint's JSON error), for the checks: its
// `error` member, or "" when the body is not a JSON object with a string `error`.
std::string oauth_error_code(const http::Response& response);

// "HTTP 401 invalid_client" / "HTTP 200": a short description of an answer for reasons.
std::string describe_answer(const http::Response& response);

} // namespace oauthctl::oauth::check
