// SPDX-License-Identifier: MIT
#pragma once

#include <tl/expected.hpp>

#include <optional>
#include <string>

namespace oauthctl::util {

// What went wrong, coarsely: the CLI maps each kind to one exit code (DESIGN.md).
enum class ErrorKind {
  usage,        // the command line is wrong
  config,       // a setting, file or profile is wrong
  network,      // could not reach the server
  tls,          // TLS handshake or certificate verification failed
  oauth,        // the server answered with an OAuth error (RFC 6749 §5.2)
  bad_response, // the server answered with something malformed
  timeout,      // waited too long for the user or a redirect
  io,           // a local file could not be read or written
  interrupted,  // the user interrupted a wait (Ctrl-C)
  internal,     // a bug
};

// An expected failure: a kind, a one-line message without secrets, and, when a server
// sent an OAuth error, its `error` code, `error_description` and HTTP status.
struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;
  std::string oauth_error;
  std::string oauth_error_description;
  int http_status = 0;
};

template<typename T>
using Result = tl::expected<T, Error>;

// Builds the unexpected value for a `Result` with `kind` and `message`.
inline tl::unexpected<Error> fail(ErrorKind kind, std::string message) {
  return tl::unexpected<Error>(Error{kind, std::move(message), {}, {}, 0});
}

// The one line a user sees for `error`: the OAuth error and description when the
// server sent them, otherwise the message.
std::string describe(const Error& error);

} // namespace oauthctl::util
