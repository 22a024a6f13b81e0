// SPDX-License-Identifier: MIT
#pragma once

#include "server/exchange.hpp"

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
  std::size_t threads = 32;                  // keep-alive connections each hold one
  std::function<void(std::string_view)> log; // one line per request; may be empty
};

// Answers one request; called concurrently from the listener's worker threads.
using RequestHandler = std::function<ServerResponse(const ServerRequest&)>;

// The HTTP side of `serve` over cpp-httplib (the only place that includes <httplib.h>):
// converts each request to a ServerRequest, answers it with a RequestHandler, and turns
// httplib's own errors (413, 400) and stray exceptions into JSON error bodies.
class HttpListener {
public:
  virtual ~HttpListener() = default;

  // Binds `options.host`:`options.port` (0 picks a free port), to answer with `handler`
  // once run() starts; `network` error when the address cannot be bound.
  [[nodiscard]] static util::Result<std::unique_ptr<HttpListener>> bind(RequestHandler handler,
                                                                        const ListenerOptions& options);

  [[nodiscard]] virtual int port() const = 0;
  // Serves until stop(); returns at once when stop() came first.
  virtual void run() = 0;
  // Stops serving; callable from any thread.
  virtual void stop() = 0;
};

} // namespace oauthctl::server
