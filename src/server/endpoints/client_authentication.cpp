// SPDX-License-Identifier: MIT
#include "server/endpoints/client_authentication.hpp"

#include "server/auth/assertion_state.hpp"
#include "server/endpoints/client_assertion.hpp"
#include "server/tls/client_certificate.hpp"

#include <oauthctl/oauth/assertion.hpp>
#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/base64url.hpp>

#include <fmt/format.h>

namespace oauthctl::server {

namespace {

constexpr std::string_view k_basic_challenge = R"(Basic realm="oauthctl")";

} // namespace

ServerResponse invalid_client(PresentedMethod method, std::string_view description) {
  auto response = oauth_error(401, "invalid_client", description);
  if (method == PresentedMethod::client_secret_basic) {
    response.headers.set("WWW-Authenticate", std::string(k_basic_challenge));
  }
  return response;
}

tl::expected<PresentedClient, ServerResponse> read_client_credentials(const ServerRequest& request,
                                                                      const util::FormFields& params) {
  PresentedClient client;
  const auto body_id = util::form_get(params, "client_id");
  const auto body_secret = util::form_get(params, "client_secret");
  const auto authorization = request.headers.get("Authorization");
  const auto assertion_type = util::form_get(params, "client_assertion_type");
  const auto assertion = util::form_get(params, "client_assertion");
  if (assertion_type || assertion) {
    // RFC 6749 §2.3: one authentication method per request.
    if (authorization || body_secret) {
      return tl::unexpected(oauth_error(
        400, "invalid_request", "a client_assertion and other client credentials were sent together"));
    }
    // RFC 7521 §4.2: both parameters, the type being JWT bearer for RFC 7523 §2.2.
    if (!assertion_type || !assertion || assertion->empty()) {
      return tl::unexpected(
        oauth_error(400, "invalid_request", "client_assertion and client_assertion_type go together"));
    }
    if (*assertion_type != oauth::k_jwt_client_assertion_type) {
      return tl::unexpected(
        oauth_error(401, "invalid_client",
                    fmt::format("client_assertion_type must be {}", oauth::k_jwt_client_assertion_type)));
    }
    client.method = PresentedMethod::private_key_jwt;
    client.assertion = *assertion;
    // RFC 7521 §4.2: client_id is optional; the assertion's sub names the client (§3).
    client.client_id = body_id.value_or("");
    if (client.client_id.empty()) {
      if (const auto jwt = oauth::decode_jwt(*assertion);
          jwt && jwt->claims.contains("sub") && jwt->claims["sub"].is_string()) {
        client.client_id = jwt->claims["sub"].get<std::string>();
      }
    }
    return client;
  }
  if (authorization) {
    std::string_view value = *authorization;
    constexpr std::string_view k_scheme = "basic ";
    if (value.size() < k_scheme.size() || !http::iequals(value.substr(0, k_scheme.size()), k_scheme)) {
      // RFC 6749 §5.2: a failed attempt through the Authorization header answers 401
      // with a challenge for the scheme we do support.
      auto response =
        oauth_error(401, "invalid_client", "the Authorization header must use the Basic scheme");
      response.headers.set("WWW-Authenticate", std::string(k_basic_challenge));
      return tl::unexpected(std::move(response));
    }
    value.remove_prefix(k_scheme.size());
    while (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }
    while (!value.empty() && value.back() == ' ') {
      value.remove_suffix(1);
    }
    const auto decoded = util::base64_decode(value);
    const auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (!decoded || colon == std::string::npos) {
      return tl::unexpected(oauth_error(400, "invalid_request", "the Basic credentials are malformed"));
    }
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and encoded.
    auto id = util::percent_decode(std::string_view(*decoded).substr(0, colon), true);
    auto secret = util::percent_decode(std::string_view(*decoded).substr(colon + 1), true);
    if (!id || !secret || id->empty()) {
      return tl::unexpected(oauth_error(400, "invalid_request", "the Basic credentials are malformed"));
    }
    if (body_secret) {
      // RFC 6749 §2.3: a client must not use more than one authentication method.
      return tl::unexpected(oauth_error(400, "invalid_request",
                                        "client credentials were sent both in the header and in the body"));
    }
    if (body_id && *body_id != *id) {
      return tl::unexpected(
        oauth_error(400, "invalid_request", "client_id in the body differs from the Basic credentials"));
    }
    client.method = PresentedMethod::client_secret_basic;
    client.client_id = std::move(*id);
    client.secret = std::move(*secret);
    return client;
  }
  if (body_secret) {
    client.method = PresentedMethod::client_secret_post;
    client.secret = *body_secret;
  }
  client.client_id = body_id.value_or("");
  return client;
}

tl::expected<AuthenticatedClient, ServerResponse>
authenticate_client(const AppContext& context, const Directory& directory, const ServerRequest& request,
                    const util::FormFields& params, PublicClients public_clients) {
  auto presented = read_client_credentials(request, params);
  if (!presented) {
    return tl::unexpected(std::move(presented.error()));
  }
  if (presented->client_id.empty()) {
    return tl::unexpected(invalid_client(presented->method, "client authentication is required"));
  }
  const auto* client = directory.clients.find(presented->client_id);
  if (client != nullptr && client->spec.uses_mutual_tls()) {
    auto method = authenticate_with_certificate(context, *client, *presented, request);
    if (!method) {
      return tl::unexpected(std::move(method.error()));
    }
    presented->method = *method;
  } else if (presented->method == PresentedMethod::private_key_jwt) {
    auto authenticated = authenticate_with_assertion(context, directory, *presented);
    if (!authenticated) {
      return tl::unexpected(std::move(authenticated.error()));
    }
    client = *authenticated;
  } else if (presented->secret) {
    const auto check = directory.clients.authenticate(presented->client_id, *presented->secret);
    if (check == SecretCheck::overloaded) {
      return tl::unexpected(overloaded_error());
    }
    if (check != SecretCheck::valid) {
      return tl::unexpected(invalid_client(presented->method, "unknown client or wrong secret"));
    }
  } else if (client == nullptr || client->is_confidential() || client->has_keys()) {
    return tl::unexpected(invalid_client(presented->method, "unknown client or missing secret"));
  } else if (public_clients == PublicClients::refused) {
    // RFC 7662 §2.1: the endpoint must not become a token-scanning oracle for anyone who
    // knows a public client id.
    return tl::unexpected(invalid_client(presented->method, "this endpoint needs an authenticated client"));
  }
  return AuthenticatedClient{client, presented->method};
}

tl::expected<PresentedMethod, ServerResponse> authenticate_with_certificate(const AppContext& context,
                                                                            const RegisteredClient& client,
                                                                            const PresentedClient& presented,
                                                                            const ServerRequest& request) {
  const auto& spec = client.spec;
  if (presented.method != PresentedMethod::none) {
    // RFC 7591 §2: the registered method is the one; a secret or assertion is not it.
    return tl::unexpected(invalid_client(
      presented.method, fmt::format("this client authenticates with {}, a TLS client certificate (RFC 8705)",
                                    spec.token_endpoint_auth_method)));
  }
  const auto& certificate = request.client_certificate;
  if (!certificate) {
    return tl::unexpected(invalid_client(
      presented.method,
      fmt::format("this client authenticates with {}: connect over TLS with its client certificate",
                  spec.token_endpoint_auth_method)));
  }
  if (spec.token_endpoint_auth_method == "tls_client_auth") {
    // RFC 8705 §2.1: the PKI method. The certificate must chain to a trust anchor of
    // --tls-client-ca and carry the registered name; anyone can make a certificate with
    // any name, so the name alone proves nothing.
    const RegisteredCertificateName name{spec.tls_client_auth_subject_dn, spec.tls_client_auth_san_dns,
                                         spec.tls_client_auth_san_uri, spec.tls_client_auth_san_ip,
                                         spec.tls_client_auth_san_email};
    if (!certificate->chain_trusted) {
      return tl::unexpected(invalid_client(
        presented.method,
        "the TLS client certificate is not issued by a CA this server trusts (--tls-client-ca)"));
    }
    if (!certificate_has_name(certificate->der, name)) {
      return tl::unexpected(invalid_client(
        presented.method, "the TLS client certificate does not carry this client's registered name"));
    }
    return PresentedMethod::tls_client_auth;
  }
  // RFC 8705 §2.2: the self-signed method; the certificate is registered in the JWK Set,
  // inline (`jwks`) or published (`jwks_uri`, RFC 8705 §2.2.2). The error names no URL:
  // the caller is not authenticated yet.
  const auto jwks = context.assertions->jwk_set_for(spec, context.now());
  if (!jwks) {
    return tl::unexpected(invalid_client(
      presented.method, fmt::format("this client's keys cannot be read: {}", jwks.error().message)));
  }
  if (!certificate_in_jwks(certificate->der, **jwks)) {
    return tl::unexpected(invalid_client(
      presented.method, "the TLS client certificate is not one registered in this client's JWK Set"));
  }
  return PresentedMethod::self_signed_tls_client_auth;
}

std::string_view to_string(PresentedMethod method) {
  // No default: a new PresentedMethod must be named here, and so reaches discovery.
  switch (method) {
    case PresentedMethod::none:
      return "none";
    case PresentedMethod::client_secret_basic:
      return "client_secret_basic";
    case PresentedMethod::client_secret_post:
      return "client_secret_post";
    case PresentedMethod::private_key_jwt:
      return "private_key_jwt";
    case PresentedMethod::tls_client_auth:
      return "tls_client_auth";
    case PresentedMethod::self_signed_tls_client_auth:
      return "self_signed_tls_client_auth";
  }
  return {};
}

std::vector<std::string> token_endpoint_auth_methods(bool mutual_tls) {
  // PresentedMethod's enumerators run from 0 with no gaps; the first value without a name
  // is past the last one.
  std::vector<std::string> names;
  for (int value = 0;; ++value) {
    const auto name = to_string(static_cast<PresentedMethod>(value));
    if (name.empty()) {
      return names;
    }
    if (!mutual_tls && (name == "tls_client_auth" || name == "self_signed_tls_client_auth")) {
      continue;
    }
    names.emplace_back(name);
  }
}

} // namespace oauthctl::server
