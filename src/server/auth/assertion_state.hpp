// SPDX-License-Identifier: MIT
#pragma once

#include "server/state/state_store.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/server/seed.hpp>
#include <oauthctl/util/error.hpp>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace oauthctl::server {

// GETs an http(s) URL and returns the body (a 2xx answer); `network`/`bad_response` errors.
// Supplied by the CLI: the server module never calls the HTTP client itself.
using UrlFetcher = std::function<util::Result<std::string>(const std::string& url)>;

// How a jti was received.
enum class JtiUse { fresh, replayed };

// What signed client assertions (RFC 7523) need from the server's state: each client's
// public keys (inline `jwks`, or `jwks_uri` read once and kept a while) and the assertion
// ids already used (RFC 7523 §3 item 7: a jti is single use), which live in the state
// store (one insert on a primary key decides, across processes and restarts). The key
// cache is a cache of the clients' published keys, not of live state. Thread-safe.
class AssertionState {
public:
  // Records used jtis in `store`, which must outlive it.
  explicit AssertionState(state::StateStore& store) : m_store(store) {}

  // How long keys read from a jwks_uri are kept before they are read again.
  static constexpr std::int64_t k_keys_lifetime = 300;
  // How long a jwks_uri that could not be read (or held no usable JWK Set) is not asked
  // again: forged assertions for such a client must not make us fetch per request
  // (security review M7).
  static constexpr std::int64_t k_failure_lifetime = 60;

  // Sets how jwks_uri URLs are fetched (none: only file paths work); call before serving.
  void set_fetcher(UrlFetcher fetcher);

  // The verifier over `client`'s registered keys at `now`: `jwks` as given, or the JWK Set
  // at `jwks_uri` (a file path, file:// or http(s) URL). `config` error when the client has
  // none; `io`/`network`/`bad_response` when they cannot be read. Concurrent callers for
  // one URL share a single fetch, and a failure is remembered for k_failure_lifetime.
  // Error messages never name the URL or path: they reach unauthenticated callers.
  [[nodiscard]] util::Result<std::shared_ptr<const oauth::JwksVerifier>> keys_for(const ClientSpec& client,
                                                                                  std::int64_t now);

  // The same keys as the JWK Set document they were read from (self_signed_tls_client_auth,
  // RFC 8705 §2.2: a certificate matches a JWK's x5c or public key), cached and fetched
  // the same way, with the same errors.
  [[nodiscard]] util::Result<std::shared_ptr<const nlohmann::json>> jwk_set_for(const ClientSpec& client,
                                                                                std::int64_t now);

  // Records that `client_id` used assertion id `jti`, valid until `expires_at`; `replayed`
  // when it was used before (and has not expired at `now`). A store failure throws
  // state::StateUnavailable.
  JtiUse use_jti(const std::string& client_id, const std::string& jti, std::int64_t expires_at,
                 std::int64_t now);

private:
  // A client's JWK Set as read, and the verifier over its usable keys.
  struct ClientKeys {
    nlohmann::json document;
    oauth::JwksVerifier verifier;
  };
  struct CachedKeys {
    std::shared_ptr<const ClientKeys> keys;
    std::int64_t expires_at = 0; // 0: never (inline jwks)
  };

  using Keys = util::Result<std::shared_ptr<const ClientKeys>>;
  struct InFlight {
    std::mutex mutex;
    std::condition_variable done_signal;
    bool done = false;
    Keys result = util::fail(util::ErrorKind::internal, "unread");
  };

  // The client's keys from the cache, or read (see keys_for).
  Keys client_keys(const ClientSpec& client, std::int64_t now);
  // The keys at `uri` for client `client_id`: from the cache, else read and parsed once for
  // all concurrent callers and cached in the same step that ends the read, so that a caller
  // arriving just then finds either the read in flight or its result, never neither.
  Keys load_shared(const std::string& client_id, const std::string& uri, std::int64_t now);
  Keys read_jwks(const std::string& uri) const;
  static Keys parse_jwks(const nlohmann::json& jwks);

  state::StateStore& m_store;
  UrlFetcher m_fetcher;
  std::mutex m_keys_mutex;
  std::unordered_map<std::string, CachedKeys> m_keys;                     // by client id
  std::unordered_map<std::string, std::shared_ptr<InFlight>> m_in_flight; // by URL
  std::unordered_map<std::string, std::int64_t> m_failed_until;           // by URL
};

} // namespace oauthctl::server
