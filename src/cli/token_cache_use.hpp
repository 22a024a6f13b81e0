// SPDX-License-Identifier: MIT
#pragma once

#include "cli/commands/client_session.hpp"
#include "cli/run.hpp"
#include "cli/settings.hpp"

#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/token_response.hpp>

#include <string>

namespace oauthctl::cli {

// How a command uses the token cache: reuse a fresh token (use), fetch anew and replace
// it (force, `--force`), or neither read nor write it (off, `--no-cache`).
enum class CacheMode { use, force, off };

// The cache mode `--no-cache` and `--force` ask for; `usage` error when both are given.
[[nodiscard]] util::Result<CacheMode> cache_mode(bool no_cache, bool force);

// The token cache file for `io`: $XDG_CACHE_HOME/oauthctl/tokens.json, else
// ~/.cache/oauthctl/tokens.json; "" when neither variable is set (then nothing is cached).
std::string token_cache_file(const Io& io);

// Where obtain_token_cached found its token.
enum class TokenSource { cache, server };

// A token for `grant` as `resolved` describes it, through the cache (oauth2l's
// behaviour): a fresh cached token is returned without any request; an expired one with
// a refresh token is refreshed (RFC 6749 §6) before the full grant runs; what is
// obtained is stored. A cache that cannot be written is a warning, not a failure.
// `source`, when not null, says whether the token came from the cache.
[[nodiscard]] util::Result<oauth::TokenResponse>
obtain_token_cached(ClientSession& session, const ResolvedClient& resolved, const oauth::GrantInfo& grant,
                    CacheMode mode, const Io& io, TokenSource* source = nullptr);

} // namespace oauthctl::cli
