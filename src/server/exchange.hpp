// SPDX-License-Identifier: MIT
#pragma once

// The server's view of one HTTP exchange as plain data: routes.cpp converts the
// transport's types to these, so every endpoint can be unit-tested without a socket.

#include <oauthctl/http/message.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace oauthctl::server {

// The certificate a client presented in the TLS handshake (mutual TLS, RFC 8705).
struct PeerCertificate {
  std::string der; // the end-entity certificate, DER
  // True when it chains to a trust anchor of `serve --tls-client-ca` (the PKI method,
  // RFC 8705 §2.1); the handshake accepts any certificate, the endpoints decide.
  bool chain_trusted = false;
};

// An incoming request.
struct ServerRequest {
  std::string method = "GET";
  std::string path;  // percent-decoded, without the query
  std::string query; // raw (still percent-encoded), without '?'
  http::Headers headers;
  std::string body;
  // The peer's IP address as the socket saw it (no forwarding header is believed); empty
  // when unknown. Login throttling keys failures by it.
  std::string client_address;
  // Over TLS, the client's certificate when it presented one (shared by every request of
  // the connection); null otherwise.
  std::shared_ptr<const PeerCertificate> client_certificate;
};

// The answer to one request.
struct ServerResponse {
  int status = 200;
  std::string content_type = "application/json";
  http::Headers headers;
  std::string body;
};

// A JSON response with `status`.
ServerResponse json_response(int status, const nlohmann::json& body);

// A response with a pre-serialised JSON `body` (discovery documents, FHIR resources).
ServerResponse raw_json_response(int status, std::string body,
                                 std::string_view content_type = "application/json");

// An RFC 6749 §5.2 error response: {"error": `error`, "error_description": `description`}.
ServerResponse oauth_error(int status, std::string_view error, std::string_view description);

// 503 with Retry-After: too much slow work (secret hashing) is queued already. The error
// code is RFC 6749 §4.1.2.1's temporarily_unavailable, the one OAuth has for this.
ServerResponse overloaded_error();

// Marks a token-endpoint response as never cacheable (RFC 6749 §5.1).
void add_no_store(ServerResponse& response);

// The media type of a Content-Type value: lower-cased, parameters and spaces removed.
std::string media_type(std::string_view content_type);

} // namespace oauthctl::server
