// SPDX-License-Identifier: MIT
#include "server/state/state_records.hpp"

namespace oauthctl::server::state {

const char* source_name(Source source) {
  switch (source) {
    case Source::config:
      return "config";
    case Source::demo:
      return "demo";
    case Source::admin:
      break;
  }
  return "admin";
}

Source parse_source(const std::string& name) {
  if (name == "config") {
    return Source::config;
  }
  return name == "demo" ? Source::demo : Source::admin;
}

const char* jti_kind_name(JtiKind kind) {
  switch (kind) {
    case JtiKind::jwt_bearer:
      return "jwt_bearer";
    case JtiKind::dpop_proof:
      return "dpop_proof";
    case JtiKind::client_assertion:
      break;
  }
  return "client_assertion";
}

} // namespace oauthctl::server::state
