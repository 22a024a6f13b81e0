// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

#include <stdexcept>
#include <string>
#include <utility>

namespace oauthctl::server::state {

// The state store failed a call a request depends on (the database is gone, locked beyond
// its timeout, or failing). The logic classes over the store (AuthState, DeviceGrants,
// AssertionState, LoginBackoff) throw it instead of guessing an answer; handle_request
// (app.cpp) is the one place that catches it and answers 503 temporarily_unavailable with
// Retry-After. One catch at the request boundary keeps every endpoint free of a second
// error path for a condition none of them can handle better; it never crosses a module.
class StateUnavailable : public std::runtime_error {
public:
  explicit StateUnavailable(const std::string& message) : std::runtime_error(message) {}
};

// The value of `result`; throws StateUnavailable with its message on an error.
template<typename T>
T need(util::Result<T> result) {
  if (!result) {
    throw StateUnavailable(result.error().message);
  }
  if constexpr (!std::is_void_v<T>) {
    return std::move(*result);
  }
}

} // namespace oauthctl::server::state
