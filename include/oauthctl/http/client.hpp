// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/message.hpp>
#include <oauthctl/util/error.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace oauthctl::http {

// Told of every exchange a Client makes, for `-v` traces and the `flow` narrative.
// It receives the raw messages: whoever prints them redacts them (see redacted.hpp).
class ExchangeObserver {
public:
  virtual ~ExchangeObserver() = default;
  virtual void on_exchange(const Request& request, const util::Result<Response>& response) = 0;
};

enum class VerifyTls { yes, no };

// How the client connects: timeouts, trust anchors, identification.
struct ClientOptions {
  std::chrono::milliseconds timeout{30'000};
  std::string cacert; // PEM bundle to trust instead of the system's
  // Mutual TLS (RFC 8705): the client certificate (PEM) presented to every server, and
  // its private key (PEM; empty: in the certificate file).
  std::string client_cert;
  std::string client_key;
  VerifyTls verify_tls = VerifyTls::yes; // `--insecure` turns this off, with a warning
  std::string user_agent = "oauthctl";
};

// Sends requests and returns responses. Transport failures are `network`, `tls` or
// `timeout` errors; any HTTP status, 4xx and 5xx included, is a Response.
class Client {
public:
  virtual ~Client() = default;
  [[nodiscard]] virtual util::Result<Response> send(const Request& request) = 0;
};

// A libcurl-backed client that reuses its connection between requests. `observer`
// may be null and must outlive the client.
std::unique_ptr<Client> make_curl_client(const ClientOptions& options, ExchangeObserver* observer);

// The HTTP backend's version line ("libcurl/7.88.1 OpenSSL/3.0.x ..."), for `--version`.
std::string backend_version();

} // namespace oauthctl::http
