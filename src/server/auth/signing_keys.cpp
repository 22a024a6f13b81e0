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

namespace {

// The rows a set made at `now` publishes, the signing one first: the newest active key,
// then every other active or retired key until its publish_until. Null when no key is
// active.
std::vector<const state::KeyRecord*> published_rows(const std::vector<state::KeyRecord>& rows,
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
    return {};
  }
  std::vector<const state::KeyRecord*> published{active};
  for (const auto& row : rows) {
    // RFC 7517 §5: a key set may hold several keys; verifiers pick by kid. A retired key
    // stays until the last token it signed has expired (publish_until).
    if (&row != active && (row.retired_at == 0 || row.publish_until > now)) {
      published.push_back(&row);
    }
  }
  return published;
}

} // namespace

util::Result<std::shared_ptr<const KeySet>> key_set_from(const std::vector<state::KeyRecord>& rows,
                                                         std::int64_t now) {
  const auto published = published_rows(rows, now);
  if (published.empty()) {
    return util::fail(util::ErrorKind::io, "store: no active signing key");
  }
  auto signer = load(*published.front());
  if (!signer) {
    return tl::unexpected(signer.error());
  }
  auto keys = nlohmann::json::array({signer->public_jwk()});
  std::vector<std::string> kids{published.front()->kid};
  for (std::size_t i = 1; i < published.size(); ++i) {
    auto key = load(*published[i]);
    if (!key) {
      return tl::unexpected(key.error());
    }
    keys.push_back(key->public_jwk());
    kids.push_back(published[i]->kid);
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
  return refresh(now, *version);
}

util::Result<void> KeyRefresher::refresh(std::int64_t now, std::int64_t version) {
  if (version == m_version && now < m_recheck_at) {
    return {};
  }
  auto rows = m_store.keys();
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  // The version also moves on every client or user write: parse keys (an RSA PEM costs
  // milliseconds) only when the published set changed.
  std::vector<std::string> kids;
  for (const auto* row : published_rows(*rows, now)) {
    kids.push_back(row->kid);
  }
  if (kids.empty() || kids != m_keys.current()->kids) {
    auto next = key_set_from(*rows, now);
    if (!next) {
      return tl::unexpected(next.error());
    }
    m_keys.replace(std::move(*next));
  }
  m_version = version;
  m_recheck_at = now + 60;
  return {};
}

} // namespace oauthctl::server
