// SPDX-License-Identifier: MIT
#include "server/auth/assertion_state.hpp"

#include "server/event_loop_guard.hpp"
#include "server/state/state_unavailable.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace oauthctl::server {

namespace {

using util::ErrorKind;

constexpr std::size_t k_max_jwks_size = 256 * 1024;

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

util::Result<std::string> read_jwks_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return util::fail(ErrorKind::io, fmt::format("cannot read the JWK Set file {}", path));
  }
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

} // namespace

void AssertionState::set_fetcher(UrlFetcher fetcher) {
  m_fetcher = std::move(fetcher);
}

util::Result<std::shared_ptr<const oauth::JwksVerifier>> AssertionState::keys_for(const ClientSpec& client,
                                                                                  std::int64_t now) {
  auto keys = client_keys(client, now);
  if (!keys) {
    return tl::unexpected(keys.error());
  }
  // Shares ownership of the whole entry: a refresh of the cache cannot free it under the caller.
  return std::shared_ptr<const oauth::JwksVerifier>(*keys, &(*keys)->verifier);
}

util::Result<std::shared_ptr<const nlohmann::json>> AssertionState::jwk_set_for(const ClientSpec& client,
                                                                                std::int64_t now) {
  auto keys = client_keys(client, now);
  if (!keys) {
    return tl::unexpected(keys.error());
  }
  return std::shared_ptr<const nlohmann::json>(*keys, &(*keys)->document);
}

AssertionState::Keys AssertionState::client_keys(const ClientSpec& client, std::int64_t now) {
  {
    const std::lock_guard lock(m_keys_mutex);
    const auto it = m_keys.find(client.id);
    if (it != m_keys.end() && (it->second.expires_at == 0 || it->second.expires_at > now)) {
      return it->second.keys;
    }
  }
  if (client.jwks.is_null() && client.jwks_uri.empty()) {
    return util::fail(ErrorKind::config, "the client registered no jwks or jwks_uri");
  }
  if (client.jwks.is_null()) {
    return load_shared(client.id, client.jwks_uri, now);
  }
  auto keys = parse_jwks(client.jwks);
  if (!keys) {
    return keys;
  }
  const std::lock_guard lock(m_keys_mutex);
  m_keys[client.id] = CachedKeys{*keys, 0};
  return keys;
}

AssertionState::Keys AssertionState::load_shared(const std::string& client_id, const std::string& uri,
                                                 std::int64_t now) {
  // A fetch, or the wait for another request's: never on an event loop, and checked before
  // this request joins or leads a flight (a retry on a worker must not find itself there).
  require_worker();
  std::shared_ptr<InFlight> flight;
  bool leader = false;
  {
    const std::lock_guard lock(m_keys_mutex);
    // Looked up again under the lock: a read may have ended since client_keys() looked.
    if (const auto it = m_keys.find(client_id); it != m_keys.end() && it->second.expires_at > now) {
      return it->second.keys;
    }
    if (const auto failed = m_failed_until.find(uri); failed != m_failed_until.end()) {
      if (failed->second > now) {
        return util::fail(ErrorKind::bad_response, "the client's jwks_uri could not be read recently");
      }
      m_failed_until.erase(failed);
    }
    auto& slot = m_in_flight[uri];
    if (!slot) {
      slot = std::make_shared<InFlight>();
      leader = true;
    }
    flight = slot;
  }
  if (!leader) {
    Keys result = util::fail(ErrorKind::internal, "unread");
    {
      std::unique_lock lock(flight->mutex);
      flight->done_signal.wait(lock, [&] { return flight->done; });
      result = flight->result;
    }
    // Another client registered with the same URL waited for this read: its entry too.
    if (result) {
      const std::lock_guard lock(m_keys_mutex);
      m_keys[client_id] = CachedKeys{*result, now + k_keys_lifetime};
    }
    return result;
  }
  auto result = read_jwks(uri);
  {
    const std::lock_guard lock(m_keys_mutex);
    m_in_flight.erase(uri);
    if (result) {
      m_keys[client_id] = CachedKeys{*result, now + k_keys_lifetime};
    } else {
      m_failed_until[uri] = now + k_failure_lifetime;
    }
  }
  {
    const std::lock_guard lock(flight->mutex);
    flight->result = result;
    flight->done = true;
  }
  flight->done_signal.notify_all();
  return result;
}

AssertionState::Keys AssertionState::read_jwks(const std::string& uri) const {
  // The details (URL, HTTP status, curl's message) stay here: the caller's error goes to
  // whoever sent the assertion.
  util::Result<std::string> text = util::fail(ErrorKind::internal, "unread");
  if (starts_with(uri, "http://") || starts_with(uri, "https://")) {
    if (!m_fetcher) {
      return util::fail(ErrorKind::config, "jwks_uri URLs cannot be fetched here");
    }
    text = m_fetcher(uri);
  } else {
    text = read_jwks_file(starts_with(uri, "file://") ? uri.substr(7) : uri);
  }
  if (!text) {
    return util::fail(text.error().kind, "the client's jwks_uri could not be read");
  }
  if (text->size() > k_max_jwks_size) {
    return util::fail(ErrorKind::bad_response, "the client's JWK Set is too large");
  }
  const auto jwks = nlohmann::json::parse(*text, nullptr, false);
  if (jwks.is_discarded()) {
    return util::fail(ErrorKind::bad_response, "the client's jwks_uri holds no JSON");
  }
  return parse_jwks(jwks);
}

AssertionState::Keys AssertionState::parse_jwks(const nlohmann::json& jwks) {
  auto verifier = oauth::JwksVerifier::from_jwks(jwks);
  if (!verifier) {
    return tl::unexpected(verifier.error());
  }
  return std::make_shared<const ClientKeys>(ClientKeys{jwks, std::move(*verifier)});
}

JtiUse AssertionState::use_jti(const std::string& client_id, const std::string& jti, std::int64_t expires_at,
                               std::int64_t now) {
  // RFC 7523 §3 item 7: the insert fails when the jti is there; expired ones go by prune.
  return state::need(m_store.use_jti(state::JtiKind::client_assertion, client_id, jti, expires_at, now))
           ? JtiUse::fresh
           : JtiUse::replayed;
}

} // namespace oauthctl::server
