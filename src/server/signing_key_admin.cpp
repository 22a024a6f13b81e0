// SPDX-License-Identifier: MIT
#include "server/endpoints/token_endpoint.hpp"
#include "server/state/sqlite_state_store.hpp"
#include "server/state/state_store.hpp"
#include "server/store_choice.hpp"

#include <oauthctl/server/seed.hpp>
#include <oauthctl/server/signing_key_admin.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <tuple>

namespace oauthctl::server {

namespace {

// Clock skew allowed to verifiers after a token's exp (what our own checks tolerate, and
// more than most clients do).
constexpr std::int64_t k_publish_margin = 60;

SigningKeyStatus status_of(const state::KeyRecord& row) {
  return {row.kid, row.alg, row.created_at, row.retired_at, row.publish_until};
}

// The longest access token lifetime any stored client can get (id_tokens share it).
util::Result<std::int64_t> longest_token_lifetime(state::StateStore& store) {
  auto rows = store.clients();
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  std::int64_t longest = k_default_token_lifetime;
  for (const auto& row : *rows) {
    const auto resource = nlohmann::json::parse(row.resource_json, nullptr, false);
    const auto spec = parse_client(resource, "store");
    if (!spec) {
      continue; // unreadable rows serve nothing
    }
    for (const auto& [grant, settings] : spec->auth) {
      longest = std::max(longest, settings.access_token_expiration.value_or(k_default_token_lifetime));
    }
  }
  return longest;
}

// The store `serve` would open, refused when it lives in memory (its keys would end with
// this command, and no server could be sharing them) or is a SQLite file not there yet.
util::Result<std::unique_ptr<state::StateStore>> open_key_store(const ServerOptions& options) {
  auto location = store_location(options);
  if (!location) {
    return tl::unexpected(location.error());
  }
  if (location->engine == state::StoreLocation::Engine::sqlite &&
      location->target == state::k_sqlite_memory) {
    return util::fail(util::ErrorKind::usage,
                      "serve keys: a store in memory (--ephemeral) ends with this command; name it with "
                      "--store or --data");
  }
  // A path that holds no store yet is a typo or the wrong default, not a store to create.
  std::error_code missing;
  if (location->engine == state::StoreLocation::Engine::sqlite &&
      !std::filesystem::exists(location->target, missing)) {
    return util::fail(
      util::ErrorKind::usage,
      fmt::format("serve keys: no store at {}; name the one serve uses with --data or --store",
                  location->target));
  }
  return open_chosen_store(options);
}

} // namespace

util::Result<std::vector<SigningKeyStatus>> list_signing_keys(const ServerOptions& options) {
  auto store = open_key_store(options);
  if (!store) {
    return tl::unexpected(store.error());
  }
  auto rows = (*store)->keys();
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  std::vector<SigningKeyStatus> out;
  std::transform(rows->begin(), rows->end(), std::back_inserter(out), status_of);
  return out;
}

util::Result<SigningKeyStatus> rotate_signing_key(const ServerOptions& options, std::int64_t now) {
  auto store = open_key_store(options);
  if (!store) {
    return tl::unexpected(store.error());
  }
  auto rows = (*store)->keys();
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  auto alg = oauth::JwsAlg::rs256;
  std::int64_t created_at = now;
  for (const auto& row : *rows) {
    if (row.retired_at == 0) {
      alg = oauth::parse_jws_alg(row.alg).value_or(oauth::JwsAlg::rs256);
    }
    // Keys are ordered by creation: the new one must come last even within one second.
    created_at = std::max(created_at, row.created_at + 1);
  }
  auto fresh = oauth::SigningKey::generate(alg);
  if (!fresh) {
    return tl::unexpected(fresh.error());
  }
  const state::KeyRecord added{fresh->kid(), fresh->alg(), fresh->to_pem(), created_at, 0, 0};
  // First the new key, then the others retired: at no moment is there no active key.
  if (auto stored = (*store)->add_key(added); !stored) {
    return tl::unexpected(stored.error());
  }
  auto lifetime = longest_token_lifetime(**store);
  if (!lifetime) {
    return tl::unexpected(lifetime.error());
  }
  // Two rotations at once each add a key. Each then retires every active key but the newest
  // it sees (by creation, then kid): both retire towards the same newest key, and the one
  // that reads last has seen every added key, so exactly one key is active afterwards,
  // whatever the interleaving. Retiring is conditional in the database (active keys only),
  // so no key is retired twice. The loser's key stays published like any retired key.
  auto now_rows = (*store)->keys();
  if (!now_rows) {
    return tl::unexpected(now_rows.error());
  }
  const state::KeyRecord* newest = nullptr;
  for (const auto& row : *now_rows) {
    if (row.retired_at == 0 && (newest == nullptr || std::tie(row.created_at, row.kid) >
                                                       std::tie(newest->created_at, newest->kid))) {
      newest = &row;
    }
  }
  for (const auto& row : *now_rows) {
    if (row.retired_at != 0 || &row == newest) {
      continue;
    }
    if (auto retired = (*store)->retire_key(row.kid, now, now + *lifetime + k_publish_margin); !retired) {
      return tl::unexpected(retired.error());
    }
  }
  return status_of(newest != nullptr ? *newest : added);
}

} // namespace oauthctl::server
