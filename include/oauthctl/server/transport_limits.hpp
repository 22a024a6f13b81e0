// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>

namespace oauthctl::server {

// What one client may send and hold on `serve`'s sockets. Every value has a `serve` flag
// (DESIGN.md, man page); the defaults suit a shared staging server: generous for real
// clients, small enough that slow or oversized requests cannot pin memory or threads.
struct TransportLimits {
  // From the first byte of a request until its header is complete, and from then until
  // the whole body arrived: a whole-request deadline, not a per-read one, so a client
  // trickling one byte at a time is closed on time (security review H2).
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{20'000};
  // How long a kept-alive connection may wait for its next request; also the time a new
  // connection has to send its first byte.
  std::chrono::milliseconds idle_timeout{5'000};
  // The request line plus all header fields, in bytes, and the number of fields: beyond
  // either the answer is 431 (RFC 6585 §5) and the connection closes (review H3).
  std::size_t max_header_bytes = 32 * 1024;
  std::size_t max_header_count = 100;
  // Request bodies beyond these get 413. The token, introspection and revocation
  // endpoints take long tokens and assertions (a SAML 2 assertion or a JWT with many
  // claims in token exchange); every other endpoint reads a small form at most.
  std::size_t max_token_body_bytes = 64 * 1024;
  std::size_t max_body_bytes = 16 * 1024;
  // Open connections in all and from one client address; beyond, new ones are closed at
  // once. Loopback and a reverse proxy count as one address.
  std::size_t max_connections = 1000;
  std::size_t max_connections_per_address = 100;
  // On SIGTERM/SIGINT: stop accepting, let requests in progress finish for this long,
  // then exit.
  std::chrono::milliseconds shutdown_grace{10'000};
};

} // namespace oauthctl::server
