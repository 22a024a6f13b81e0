// SPDX-License-Identifier: MIT
#include "server/state/record_text.hpp"

#include <sstream>

namespace oauthctl::server::state {

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& scope : scopes) {
    if (!out.empty()) {
      out += ' ';
    }
    out += scope;
  }
  return out;
}

std::vector<std::string> split_scopes(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string scope;
  while (in >> scope) {
    out.push_back(scope);
  }
  return out;
}

const char* device_state_name(DeviceState state) {
  switch (state) {
    case DeviceState::approved:
      return "approved";
    case DeviceState::denied:
      return "denied";
    case DeviceState::pending:
      break;
  }
  return "pending";
}

DeviceState parse_device_state(const std::string& name) {
  if (name == "approved") {
    return DeviceState::approved;
  }
  return name == "denied" ? DeviceState::denied : DeviceState::pending;
}

} // namespace oauthctl::server::state
