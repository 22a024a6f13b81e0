// SPDX-License-Identifier: MIT
#include "server/auth/signing_keys.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace oauthctl::server {

namespace {

util::Result<std::shared_ptr<const KeySet>> make_set(oauth::SigningKey signer, nlohmann::json keys,
                                                     std::vector<std::string> kids) {
  const nlohmann::json jwks{{"keys", std::move(keys)}};
  auto verifier = oauth::JwksVerifier::from_jwks(jwks);
  if (!verifier) {
    return util::fail(util::ErrorKind::internal,
                      "the signing keys' JWKS is unusable: " + verifier.error().message);
  }
  return std::make_shared<const KeySet>(
    KeySet{std::move(signer), std::move(*verifier), jwks.dump(), std::move(kids)});
}

util::Result<oauth::SigningKey> load(const state::KeyRecord& row) {
  const auto alg = oauth::parse_jws_alg(row.alg);
  auto key = oauth::SigningKey::from_pem(row.pem, alg.value_or(oauth::JwsAlg::rs256));
  if (!key) {
    return util::fail(util::ErrorKind::io,
                      fmt::format("store: signing key {} is unreadable: {}", row.kid, key.error().message));
  }
  key->set_kid(row.kid); // the kid tokens carry is the one stored
  return key;
}

} // namespace

util::Result<std::shared_ptr<const KeySet>> key_set_from(const std::vector<state::KeyRecord>& rows,
                                                         std::int64_t now) {
  // Rows come oldest first: the last active one is the newest (a rotation adds the new key
  // before it retires the old one, so for a moment both are active).
  const state::KeyRecord* active = nullptr;
  for (const auto& row : rows) {
    if (row.retired_at == 0) {
      active = &row;
    }
  }
  if (active == nullptr) {
    return util::fail(util::ErrorKind::io, "store: no active signing key");
  }
  auto signer = load(*active);
  if (!signer) {
    return tl::unexpected(signer.error());
  }
  auto keys = nlohmann::json::array({signer->public_jwk()});
  std::vector<std::string> kids{active->kid};
  for (const auto& row : rows) {
    // RFC 7517 §5: a key set may hold several keys; verifiers pick by kid. A retired key
    // stays until the last token it signed has expired (publish_until).
    if (&row == active || (row.retired_at != 0 && row.publish_until <= now)) {
      continue;
    }
    auto key = load(row);
    if (!key) {
      return tl::unexpected(key.error());
    }
    keys.push_back(key->public_jwk());
    kids.push_back(row.kid);
  }
  return make_set(std::move(*signer), std::move(keys), std::move(kids));
}

util::Result<std::shared_ptr<const KeySet>> key_set_of(oauth::SigningKey key) {
  auto jwk = key.public_jwk();
  auto kid = key.kid();
  return make_set(std::move(key), nlohmann::json::array({std::move(jwk)}), {std::move(kid)});
}

util::Result<void> KeyRefresher::refresh(std::int64_t now) {
  auto version = m_store.directory_version();
  if (!version) {
    return tl::unexpected(version.error());
  }
  if (*version == m_version && now < m_recheck_at) {
    return {};
  }
  auto rows = m_store.keys();
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  auto next = key_set_from(*rows, now);
  if (!next) {
    return tl::unexpected(next.error());
  }
  if ((*next)->kids != m_keys.current()->kids) {
    m_keys.replace(std::move(*next));
  }
  m_version = *version;
  m_recheck_at = now + 60;
  return {};
}

} // namespace oauthctl::server
