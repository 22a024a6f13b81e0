// SPDX-License-Identifier: MIT
#pragma once

#include "server/exchange.hpp"
#include "server/state/state_records.hpp"

#include <string>
#include <vector>

namespace oauthctl::server {

// The path of the page where a signed-in user sees and withdraws what they allowed.
inline constexpr std::string_view k_consents_path = "/auth/consents";

// What the consent list page shows.
struct ConsentListPage {
  std::string csrf_token; // hidden field `csrf_token` of every Withdraw form
  std::string user_name;
  std::vector<state::ConsentRecord> consents; // by client id
};

// The applications the user allowed, each with its scopes in words, when it was allowed
// and until when, and a Withdraw button (`POST /auth/consents` with `csrf_token` and
// `client_id`).
ServerResponse consent_list_page(const ConsentListPage& page);

} // namespace oauthctl::server
