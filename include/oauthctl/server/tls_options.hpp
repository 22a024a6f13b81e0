// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

#include <string>
#include <vector>

namespace oauthctl::server {

// How `serve` speaks TLS. Empty `cert_file`: plain HTTP.
struct TlsOptions {
  std::string cert_file; // PEM: the server certificate, then any intermediates
  std::string key_file;  // PEM: its private key
  // PEM trust anchors for clients that authenticate with a CA-issued certificate
  // (RFC 8705 §2.1, tls_client_auth). Empty: no client certificate chains to a CA, so
  // only self_signed_tls_client_auth and certificate-bound tokens can use one.
  std::string client_ca_file;
  // Whether the handshake asks for a client certificate (sending none is fine). Off on
  // the main port when mutual TLS has a port of its own (`serve --mtls-port`): a browser
  // asked for a certificate may prompt its user to pick one on the login page.
  bool request_client_certificate = true;

  [[nodiscard]] bool enabled() const { return !cert_file.empty(); }
};

// A certificate and key `serve --tls-self-signed` made or found.
struct SelfSignedCertificate {
  std::string cert_file;
  std::string key_file;
  bool created = false; // false: an earlier one in the same directory was still good
};

// The names a self-signed certificate for a server on `host` covers: localhost,
// 127.0.0.1 and ::1, and `host` itself unless it is a wildcard address.
std::vector<std::string> self_signed_names(const std::string& host);

// Makes a self-signed certificate for `names` (DNS names or IP literals as subject
// alternative names; ECDSA P-256, valid 90 days) in `directory` as localhost.crt and
// localhost.key (mode 0600), unless the pair there already covers the names and stays
// valid for at least another day. `io` error when the files cannot be written, `tls`
// when OpenSSL fails.
[[nodiscard]] util::Result<SelfSignedCertificate>
ensure_self_signed_certificate(const std::string& directory, const std::vector<std::string>& names);

// "AB:CD:..." (upper-case hex, colon-separated, as `openssl x509 -fingerprint -sha256`
// shows it) of the first certificate in the PEM file `cert_file`; `config` error when
// the file holds none.
[[nodiscard]] util::Result<std::string> certificate_fingerprint(const std::string& cert_file);

} // namespace oauthctl::server
