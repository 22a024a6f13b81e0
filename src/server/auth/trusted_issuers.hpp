// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/error.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// An external issuer whose JWTs the token exchange grant accepts as subject tokens: an
// Aidbox TokenIntrospector resource ({"resourceType":"TokenIntrospector","type":"jwt",
// "jwks_uri":…,"jwt":{"iss":…}}), with our additions for the exchange.
struct TrustedIssuerSpec {
  std::string id;
  std::string issuer;    // `jwt.iss`: the exact `iss` its tokens carry
  std::string jwks_uri;  // fetched with the HTTP client, then cached
  std::string jwks_file; // read at start-up (relative to the config file)
  nlohmann::json jwks;   // inline JWK Set; null when absent
  // `audience`: the `aud` values accepted (one must be in the token's aud); empty means
  // this server's issuer or FHIR base.
  std::vector<std::string> audiences;
  std::string subject_claim = "sub"; // `subject_claim`: which claim is our token's sub
  std::string scope_claim = "scope"; // `scope_claim`: a space-separated string or an array
  // `scope`: the most an exchanged token may carry; unset = no limit beyond the client's.
  std::optional<std::vector<std::string>> scopes;
  std::int64_t leeway = 30; // `leeway`: seconds of clock skew tolerated on exp/nbf/iat
  // `subjects`: which local user an external subject is ({"practitioner-7": "demo"}).
  std::map<std::string, std::string, std::less<>> subjects;
};

// The subject our token carries for `external_subject` of `issuer`: the local user its
// `subjects` maps it to, otherwise "<iss>#<sub>", so an external "demo" never passes for
// the local user demo (at userinfo, introspection, or a user/ scope's access rule).
std::string local_subject(const TrustedIssuerSpec& issuer, const std::string& external_subject);

// Parses one TokenIntrospector resource; `config` error (prefixed with `where`) for
// anything we cannot honour safely: no iss, a type other than jwt, an HMAC `jwt.secret`,
// not exactly one key source, a jwks_uri that is not http(s), an unusable inline JWKS.
// A relative jwks_file is resolved against `base_dir`.
[[nodiscard]] util::Result<TrustedIssuerSpec>
parse_token_introspector(const nlohmann::json& resource, std::string_view where, const std::string& base_dir);

// Fetches a JWKS document (GET url → JSON); a `network` or `bad_response` error otherwise.
using JwksFetch = std::function<util::Result<nlohmann::json>(const std::string& url)>;

// The fetch of `serve`: the project's HTTP client, 5 s timeout.
JwksFetch http_jwks_fetch();

// What a trusted issuer's token said, once verified.
struct ExternalToken {
  const TrustedIssuerSpec* issuer = nullptr;
  nlohmann::json claims;
  std::string subject;             // the subject_claim's value
  std::vector<std::string> scopes; // the scope_claim's scopes; empty when it has none
};

// The trusted issuers of `serve`: finds them by `iss` and verifies their tokens. JWKS
// documents from URLs are fetched on first use, kept for 5 minutes, and fetched again
// (at most every 10 s) when a signature does not verify, so key rotation works.
// Thread-safe.
class TrustedIssuers {
public:
  // `config` error for two issuers with the same iss, or a JWKS file or inline JWKS
  // without a usable key.
  [[nodiscard]] static util::Result<std::unique_ptr<TrustedIssuers>>
  create(std::vector<TrustedIssuerSpec> specs, JwksFetch fetch);

  // The issuer whose tokens carry `iss`, or null.
  [[nodiscard]] const TrustedIssuerSpec* find(std::string_view iss) const;

  // Verifies `jwt` from `issuer`: signature with an asymmetric alg through its keys, then
  // iss, exp (required), nbf, iat and aud (one of its audiences, or of
  // `default_audiences` when it lists none), all at `now`. The error's message says which
  // check failed and never echoes the token.
  [[nodiscard]] util::Result<ExternalToken> verify(const oauth::Jwt& jwt, const TrustedIssuerSpec& issuer,
                                                   const std::vector<std::string>& default_audiences,
                                                   std::int64_t now) const;

  [[nodiscard]] std::size_t size() const { return m_entries.size(); }

private:
  struct Entry {
    TrustedIssuerSpec spec;
    std::shared_ptr<const oauth::JwksVerifier> keys; // null until fetched
    std::int64_t fetched_at = 0;
    std::int64_t attempted_at = 0;
  };
  TrustedIssuers(std::vector<Entry> entries, JwksFetch fetch);
  [[nodiscard]] util::Result<std::shared_ptr<const oauth::JwksVerifier>>
  keys_for(std::size_t index, std::int64_t now, bool refresh) const;

  JwksFetch m_fetch;
  mutable std::mutex m_mutex; // guards the keys of entries fetched by URL
  mutable std::vector<Entry> m_entries;
};

} // namespace oauthctl::server
