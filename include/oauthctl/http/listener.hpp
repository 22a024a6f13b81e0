// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace oauthctl::http {

// What arrived at the redirect URI: the raw query of the GET (without '?') and, when the
// parameters came in the URL fragment, the raw fragment posted back by the page.
struct Callback {
  std::string query;
  std::string fragment;
};

// What the browser is told once the callback arrived: a short verdict shown on the page.
struct CallbackPage {
  enum class Outcome { success, failure };
  Outcome outcome = Outcome::success;
  std::string message; // plain text; HTML-escaped when rendered
};

// Where the redirect carries its parameters: the query (authorization code, RFC 6749
// §4.1.2) or the fragment (implicit, RFC 6749 §4.2.2), which only a page script can read.
enum class CallbackMode { query, fragment };

// How the listener binds and what it answers.
struct ListenerOptions {
  // The redirect URI to serve: loopback http only (RFC 8252 §7.3); its port is bound, or a
  // free one when it names none or port 0. Empty means http://127.0.0.1:<free>/callback.
  std::string redirect_uri;
  CallbackMode mode = CallbackMode::query;
  // Decides what the browser is told about a callback (called on the listener's thread,
  // once); when unset the page just says the redirect arrived.
  std::function<CallbackPage(const Callback&)> judge;
};

// A loopback HTTP listener that catches exactly one OAuth redirect (RFC 8252 §7.3): it
// binds 127.0.0.1 on start, serves on its own thread, answers the browser, and stops.
class Listener {
public:
  virtual ~Listener() = default;

  // The port actually bound.
  [[nodiscard]] virtual int port() const = 0;

  // The redirect URI to put in the authorization request, with the bound port.
  [[nodiscard]] virtual std::string redirect_uri() const = 0;

  // Blocks until one callback arrived (then stops listening and returns it), `timeout`
  // elapsed (`timeout` error: "no redirect arrived within N s"), or stop() was called
  // (`timeout` error saying the wait was cancelled). Call it once.
  [[nodiscard]] virtual util::Result<Callback> wait(std::chrono::milliseconds timeout) = 0;

  // Stops listening and wakes wait(); safe from any thread (e.g. a Ctrl-C handler's
  // watcher thread), and more than once.
  virtual void stop() = 0;
};

// Binds the listener for `options` and starts serving. `usage` error when the redirect URI
// is not a loopback http URL (or has a fragment), `network` error when the port is taken.
[[nodiscard]] util::Result<std::unique_ptr<Listener>> start_listener(const ListenerOptions& options);

} // namespace oauthctl::http
