// SPDX-License-Identifier: MIT
#pragma once

#include "server/auth/auth_state.hpp"

#include <oauthctl/server/store.hpp>
#include <oauthctl/util/error.hpp>

#include <functional>
#include <memory>
#include <string_view>

namespace oauthctl::server {

// An AuthJournal writing to `store`, which must outlive it; write failures go to `log`
// as "warning: ..." lines (never with a token), and serving goes on from memory.
std::unique_ptr<AuthJournal> make_store_journal(Store& store, std::function<void(std::string_view)> log);

// Loads the refresh tokens, family token ids and revocations of `store` that are still
// valid at `now` into `state`; `io` error when the store cannot be read.
[[nodiscard]] util::Result<void> restore_auth_state(Store& store, AuthState& state, std::int64_t now);

} // namespace oauthctl::server
