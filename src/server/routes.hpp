// SPDX-License-Identifier: MIT
#pragma once

#include "server/exchange.hpp"

#include <oauthctl/server/tls_options.hpp>
#include <oauthctl/server/transport_limits.hpp>
#include <oauthctl/util/error.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace oauthctl::server {

// How the HTTP listener runs.
struct ListenerOptions {
  std::string host;
  int port = 0;
  std::size_t threads = 32;                  // workers that run the handler
  std::function<void(std::string_view)> log; // one line per request; may be empty
  TransportLimits limits;
  TlsOptions tls; // plain HTTP unless tls.enabled()
};

// Answers one request; called concurrently from the listener's worker threads, so it may
// block (scrypt, the store, outbound fetches). For starts_on_event_loop() paths (app.hpp)
// it is first called on an event loop thread; when it reaches a wait it throws WouldBlock
// (event_loop_guard.hpp) and is called again, from the start, on a worker.
using RequestHandler = std::function<ServerResponse(const ServerRequest&)>;

// The HTTP side of `serve` over Boost.Beast on Boost.Asio (routes.cpp is the only place
// that includes them, so their compile time is paid once): reads each request under the
// deadlines and size limits of TransportLimits, converts it to a ServerRequest, answers
// it with a RequestHandler on a worker pool, and turns transport errors (400, 413, 431)
// and stray exceptions into JSON error bodies. With TLS options it speaks HTTPS only
// (asio::ssl over OpenSSL), under the same deadlines, and hands the endpoints the client's
// certificate (ServerRequest::client_certificate).
class HttpListener {
public:
  virtual ~HttpListener() = default;

  // Binds `options.host`:`options.port` (0 picks a free port), to answer with `handler`
  // once run() starts; `network` error when the address cannot be bound, `config` when
  // the TLS certificate or key cannot be used.
  [[nodiscard]] static util::Result<std::unique_ptr<HttpListener>> bind(RequestHandler handler,
                                                                        const ListenerOptions& options);

  [[nodiscard]] virtual int port() const = 0;
  // Serves until stop(); returns at once when stop() came first.
  virtual void run() = 0;
  // Stops serving, gracefully: no new connections, idle ones closed, requests in
  // progress finish within `limits.shutdown_grace`; run() then returns. Any thread.
  virtual void stop() = 0;
};

} // namespace oauthctl::server
