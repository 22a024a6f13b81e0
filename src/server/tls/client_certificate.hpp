// SPDX-License-Identifier: MIT
#pragma once

// What the endpoints check of a client's TLS certificate (mutual TLS, RFC 8705). The
// handshake accepts any certificate (routes.cpp); these decide what it proves.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace oauthctl::server {

// The names a tls_client_auth client registered (RFC 8705 §2.1.2): exactly one is set.
struct RegisteredCertificateName {
  std::string subject_dn; // tls_client_auth_subject_dn, an RFC 4514 string
  std::string san_dns;    // tls_client_auth_san_dns
  std::string san_uri;    // tls_client_auth_san_uri
  std::string san_ip;     // tls_client_auth_san_ip (IPv4 or IPv6 text)
  std::string san_email;  // tls_client_auth_san_email

  // How many of the five are set (a valid registration has one).
  [[nodiscard]] int count() const;
};

// The confirmation value of a certificate-bound token (RFC 8705 §3.1, `cnf.x5t#S256`):
// the base64url SHA-256 of the DER certificate.
std::string certificate_thumbprint(std::string_view der);

// True when the DER certificate carries `name`: its subject DN equals the registered one
// (attribute types case-insensitive, spaces around separators ignored, values exact), or
// one of its subject alternative names of that kind equals the registered value (DNS
// names case-insensitive, IP addresses compared as addresses).
bool certificate_has_name(std::string_view der, const RegisteredCertificateName& name);

// True when the DER certificate belongs to one of the keys of the JWK Set `jwks`
// (self_signed_tls_client_auth, RFC 8705 §2.2): a JWK whose x5c starts with exactly this
// certificate, or whose public key (RSA n/e, EC crv/x/y) is the certificate's.
bool certificate_in_jwks(std::string_view der, const nlohmann::json& jwks);

// The subject DN of the DER certificate as RFC 4514 text ("CN=svc,O=Example"), for
// messages and tests; empty when it cannot be read.
std::string certificate_subject(std::string_view der);

} // namespace oauthctl::server
