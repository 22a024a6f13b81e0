// SPDX-License-Identifier: MIT
#pragma once

#include "server/state/state_records.hpp"

#include <string>
#include <vector>

// How record fields that are not plain text or numbers are stored as text, the same in
// every database.
namespace oauthctl::server::state {

// Scopes as one space-separated string, and back.
std::string join_scopes(const std::vector<std::string>& scopes);
std::vector<std::string> split_scopes(const std::string& text);

// "pending", "approved" or "denied", and back (anything else reads as pending).
const char* device_state_name(DeviceState state);
DeviceState parse_device_state(const std::string& name);

} // namespace oauthctl::server::state
