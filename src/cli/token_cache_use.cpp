// SPDX-License-Identifier: MIT
#include "cli/token_cache_use.hpp"

#include "cli/xdg_directory.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/oauth/token_cache.hpp>
#include <oauthctl/oauth/token_endpoint.hpp>
#include <oauthctl/oauth/token_inspection.hpp>

#include <fmt/format.h>

#include <chrono>

namespace oauthctl::cli {

namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

// Why a fresh cached JWT must not be handed out: its signature no longer verifies against
// the server's current JWK Set (a restarted `serve --ephemeral` signs with a new key, and a
// script calling `token` would get a token every resource server refuses). Costs the
// discovery and JWKS requests, never a token request; "" when the token still verifies,
// is opaque, or the keys cannot be fetched (then the cached token is the best there is).
std::string stale_key_reason(ClientSession& session, const std::string& access_token) {
  const auto jwt = oauth::decode_jwt(access_token);
  if (!jwt || !jwt->header.contains("kid")) {
    return {};
  }
  const auto metadata = session.metadata(oauth::Discovery::unless_overridden);
  if (!metadata || metadata->jwks_uri.empty()) {
    return {};
  }
  const auto inspection =
    oauth::inspect_access_token(session.client(), *metadata, access_token, now_seconds());
  if (inspection.signature != oauth::TokenInspection::Signature::invalid) {
    return {};
  }
  return fmt::format("cached token dropped: its signature no longer verifies against {} ({}); the server "
                     "restarted or rotated its keys",
                     metadata->jwks_uri, inspection.signature_detail);
}

} // namespace

util::Result<CacheMode> cache_mode(bool no_cache, bool force) {
  if (no_cache && force) {
    return util::fail(util::ErrorKind::usage, "give --no-cache or --force, not both");
  }
  return no_cache ? CacheMode::off : force ? CacheMode::force : CacheMode::use;
}

std::string token_cache_file(const Io& io) {
  // Without a home there is no per-user place for tokens: no cache, rather than /.cache.
  const auto base = xdg_directory(io, "XDG_CACHE_HOME", ".cache");
  return base.empty() ? std::string() : oauth::token_cache_path(base);
}

util::Result<oauth::TokenResponse> obtain_token_cached(ClientSession& session, const ResolvedClient& resolved,
                                                       const oauth::GrantInfo& grant, CacheMode mode,
                                                       const Io& io, TokenSource* source) {
  if (source != nullptr) {
    *source = TokenSource::server;
  }
  const auto key = oauth::make_cache_key(resolved.config, grant.grant);
  const auto path = token_cache_file(io);
  // A refresh_token request names the token to redeem: answering it from the cache would
  // skip the redemption the user asked for (and hide a revoked or rotated refresh token).
  // The password and token exchange grants name whose token they want (a user, a subject
  // token): a cached token of another user or subject must never answer them.
  if (path.empty() || grant.grant == oauth::GrantType::refresh_token ||
      grant.grant == oauth::GrantType::password || grant.grant == oauth::GrantType::token_exchange) {
    mode = CacheMode::off;
  }
  std::optional<oauth::CachedToken> previous;
  if (mode == CacheMode::use) {
    const auto cache = oauth::load_token_cache(path);
    auto lookup = key;
    lookup.credential = oauth::credential_fingerprint(cache.salt(), resolved.config);
    if (const auto* entry = cache.salt().empty() ? nullptr : cache.find(lookup)) {
      const auto now = now_seconds();
      if (oauth::is_fresh(*entry, now)) {
        if (const auto stale = stale_key_reason(session, entry->token.access_token); !stale.empty()) {
          session.observer().note(stale); // the full grant below replaces it
        } else {
          session.observer().note(fmt::format("token from the cache ({})", path));
          if (source != nullptr) {
            *source = TokenSource::cache;
          }
          return oauth::remaining_token(*entry, now);
        }
      } else {
        previous = *entry;
      }
    }
  }
  const auto metadata = session.metadata(oauth::Discovery::unless_overridden);
  if (!metadata) {
    return tl::unexpected(metadata.error());
  }
  util::Result<oauth::TokenResponse> token = util::fail(util::ErrorKind::internal, "no token");
  if (previous && !previous->token.refresh_token.empty()) {
    const oauth::FlowContext context{session.client(), resolved.config, *metadata, session.observer()};
    session.observer().on_step("Refresh", "the cached token expired; using its refresh token (RFC 6749 §6)");
    token = oauth::exchange_at_token_endpoint(context,
                                              oauth::refresh_token_form(previous->token.refresh_token, {}));
    if (token && token->refresh_token.empty()) {
      // RFC 6749 §6: the server may keep the old refresh token valid without sending it again.
      token->refresh_token = previous->token.refresh_token;
      token->raw["refresh_token"] = previous->token.refresh_token;
    }
  }
  if (!token) {
    // A refresh token can be revoked or expired: the full grant is the fallback.
    token = session.obtain_token(*metadata, grant);
  }
  if (!token || mode == CacheMode::off) {
    return token;
  }
  const auto now = now_seconds();
  const auto stored = oauth::update_token_cache(path, [&](oauth::TokenCache& cache) {
    // The fingerprint uses the salt of the file as it is now, under the lock: another
    // process may have created it since our lookup.
    cache.ensure_salt();
    auto stored_key = key;
    stored_key.credential = oauth::credential_fingerprint(cache.salt(), resolved.config);
    cache.put(oauth::make_cached_token(stored_key, resolved.profile, *token, now));
  });
  if (!stored) {
    session.observer().on_warning(fmt::format("token not cached: {}", stored.error().message));
  }
  return token;
}

} // namespace oauthctl::cli
