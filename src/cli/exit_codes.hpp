// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

namespace oauthctl::cli {

// The exit codes of DESIGN.md: part of the interface, scripts branch on them.
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_internal = 1;
inline constexpr int k_exit_usage = 2;
inline constexpr int k_exit_network = 3;
inline constexpr int k_exit_oauth = 4;
inline constexpr int k_exit_timeout = 5;
inline constexpr int k_exit_check_failed = 6;
// introspect: the server says the token is inactive; decode: verification failed.
inline constexpr int k_exit_token_invalid = 7;
// fhir: the FHIR server answered 4xx/5xx to the interaction itself (an OperationOutcome,
// a 404), not to the token; the body is on stdout as curl would show it.
inline constexpr int k_exit_fhir_error = 8;
inline constexpr int k_exit_interrupted = 130;

// The exit code for an error of `kind`.
constexpr int exit_code(util::ErrorKind kind) {
  switch (kind) {
    case util::ErrorKind::usage:
    case util::ErrorKind::config:
    case util::ErrorKind::io: // a secret file, config file or data path the user named
      return k_exit_usage;
    case util::ErrorKind::network:
    case util::ErrorKind::tls:
      return k_exit_network;
    case util::ErrorKind::oauth:
    case util::ErrorKind::bad_response:
      return k_exit_oauth;
    case util::ErrorKind::timeout:
      return k_exit_timeout;
    case util::ErrorKind::interrupted:
      return k_exit_interrupted;
    case util::ErrorKind::internal:
      return k_exit_internal;
  }
  return k_exit_internal;
}

} // namespace oauthctl::cli
