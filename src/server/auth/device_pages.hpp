// SPDX-License-Identifier: MIT
#pragma once

#include "server/exchange.hpp"

#include <string>
#include <vector>

namespace oauthctl::server {

// The pages of the device verification URI (RFC 8628 §3.3). Every form posts to
// /auth/device/verify with a hidden `step` (login, code or decide) and `csrf_token`.

// Sign-in first (`step=login`, `username`, `password`); `user_code` from
// verification_uri_complete rides along in a hidden field.
struct DeviceLoginPage {
  std::string csrf_token;
  std::string user_code;
  std::string username;
  std::string message; // an error above the form; empty for none
};
ServerResponse device_login_page(int status, const DeviceLoginPage& page);

// The code entry (`step=code`, `user_code`), pre-filled from verification_uri_complete.
struct DeviceCodePage {
  std::string csrf_token;
  std::string user_code;
  std::string user_name;
  std::string message;
};
ServerResponse device_code_page(int status, const DeviceCodePage& page);

// Which client asks for what (`step=decide`, `user_code`, `decision` = allow or deny).
struct DeviceConfirmPage {
  std::string csrf_token;
  std::string user_code; // as shown: XXXX-XXXX, for the user to compare with the device
  std::string client_id;
  std::string user_name;
  std::vector<std::string> scopes;
};
ServerResponse device_confirm_page(const DeviceConfirmPage& page);

// The end: the device is connected (approved) or told no.
ServerResponse device_done_page(bool approved, const std::string& client_id);

} // namespace oauthctl::server
