// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/assertion.hpp>
#include <oauthctl/oauth/client_auth.hpp>
#include <oauthctl/util/base64url.hpp>

#include <fmt/format.h>

namespace oauthctl::oauth {

std::string basic_authorization(std::string_view client_id, std::string_view client_secret) {
  // RFC 6749 §2.3.1: both parts are encoded with application/x-www-form-urlencoded
  // (Appendix B) before they are joined by ':' and base64-encoded, so a ':' in the id or
  // any non-ASCII octet survives. percent_encode escapes a superset of what that
  // algorithm escapes, and every form decoder reads the result back identically.
  return "Basic " + util::base64_encode(fmt::format("{}:{}", util::percent_encode(client_id),
                                                    util::percent_encode(client_secret)));
}

util::Result<void> apply_client_auth(const ClientConfig& config, util::FormFields& form,
                                     http::Headers& headers) {
  return apply_client_auth(config, config.token_url, form, headers);
}

util::Result<void> apply_client_auth(const ClientConfig& config, std::string_view audience,
                                     util::FormFields& form, http::Headers& headers) {
  if (config.client_id.empty()) {
    return util::fail(util::ErrorKind::usage, "missing --client-id (or OAUTHCTL_CLIENT_ID)");
  }
  const auto needs_secret = [&]() -> util::Result<void> {
    if (config.client_secret.empty()) {
      return util::fail(util::ErrorKind::usage,
                        fmt::format("--auth-method {} needs a client secret (--client-secret, "
                                    "--client-secret-file or OAUTHCTL_CLIENT_SECRET)",
                                    to_string(config.auth_method)));
    }
    return {};
  };
  switch (config.auth_method) {
    case AuthMethod::client_secret_basic: {
      if (auto ok = needs_secret(); !ok) {
        return ok;
      }
      headers.set("Authorization", basic_authorization(config.client_id, config.client_secret));
      return {};
    }
    case AuthMethod::client_secret_post: {
      if (auto ok = needs_secret(); !ok) {
        return ok;
      }
      // RFC 6749 §2.3.1: allowed, though NOT RECOMMENDED compared with Basic.
      form.emplace_back("client_id", config.client_id);
      form.emplace_back("client_secret", config.client_secret);
      return {};
    }
    case AuthMethod::none:
      // RFC 6749 §3.2.1: a public client identifies itself with client_id alone.
      form.emplace_back("client_id", config.client_id);
      return {};
    case AuthMethod::tls_client_auth:
    case AuthMethod::self_signed_tls_client_auth:
      // RFC 8705 §2: client_id names the client; the TLS client certificate proves it.
      form.emplace_back("client_id", config.client_id);
      return {};
    case AuthMethod::private_key_jwt: {
      if (audience.empty()) {
        return util::fail(util::ErrorKind::usage,
                          "private_key_jwt needs the token endpoint URL for the assertion's aud");
      }
      // RFC 7523 §2.2 / SMART Backend Services: a fresh signed assertion per request (its
      // jti is single use), no secret. client_id is optional there; sending it helps
      // servers that look the client up before reading the assertion.
      auto assertion = sign_client_assertion(config, audience, unix_now());
      if (!assertion) {
        return tl::unexpected(assertion.error());
      }
      form.emplace_back("client_id", config.client_id);
      form.emplace_back("client_assertion_type", std::string(k_jwt_client_assertion_type));
      form.emplace_back("client_assertion", std::move(*assertion));
      return {};
    }
  }
  return util::fail(util::ErrorKind::internal, "unknown client authentication method");
}

} // namespace oauthctl::oauth
