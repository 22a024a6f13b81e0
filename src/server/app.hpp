// SPDX-License-Identifier: MIT
#pragma once

#include "server/auth/assertion_state.hpp"
#include "server/auth/auth_state.hpp"
#include "server/auth/device_grants.hpp"
#include "server/auth/signing_keys.hpp"
#include "server/auth/trusted_issuers.hpp"
#include "server/directory.hpp"
#include "server/exchange.hpp"
#include "server/fhir/dataset.hpp"
#include "server/state/state_store.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/error.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace oauthctl::server {

class VerifiedTokens; // server/verified_tokens.hpp

// Seconds since the epoch; a test hook replaces it to age tokens without sleeping.
using Clock = std::function<std::int64_t()>;

// The system clock.
std::int64_t system_now();

// Everything the endpoints read while serving. Built once before the socket opens and
// never changed afterwards (keys and directory swap immutable snapshots), so request
// threads share it without locks; the live state
// (sessions, codes, refresh tokens, revocations, device codes, jtis, backoff) is in `store`,
// reached through the logic classes below.
struct AppContext {
  // First: every member below that works on it is destroyed before it.
  std::shared_ptr<state::StateStore> store; // never null
  std::string issuer;
  std::string fhir_base; // issuer + "/fhir"
  // The key that signs and the keys whose tokens are accepted (JWKS), replaced as a whole
  // when the store's keys rotate; take one snapshot per request (keys.current()).
  SigningKeys keys;
  // The clients and users, replaced as a whole when the store's change (on any replica);
  // take one snapshot per request (directory.current()) and use it for the whole request.
  LiveDirectory directory;
  std::unique_ptr<AuthState> auth; // never null
  FhirDataset dataset;
  Clock now;
  // Serialised once: discovery documents, CapabilityStatement.
  std::string authorization_server_json;
  std::string openid_configuration_json;
  std::string smart_configuration_json;
  std::string capability_json;
  // Device authorizations (RFC 8628); `serve` replaces it with its options'.
  std::unique_ptr<DeviceGrants> device; // never null
  // External issuers whose tokens token exchange accepts (TokenIntrospector); null: none.
  std::unique_ptr<TrustedIssuers> trusted_issuers = nullptr;
  // Client keys and used assertion ids for private_key_jwt and jwt_bearer (RFC 7523).
  std::unique_ptr<AssertionState> assertions; // never null
  // Access tokens /fhir has verified (signature and claims), so a repeated token skips
  // its signature check; revocation and certificate binding are still checked per request.
  std::shared_ptr<VerifiedTokens> fhir_tokens; // never null
};

// Builds the context for `issuer` signing with `key`, serving `clients` and `users`, with its
// live state in `store` (null: a fresh SQLite store in memory, for tests). `internal` error
// when the key's own JWKS cannot be read back (a bug); `io` when the store cannot be made.
[[nodiscard]] util::Result<std::unique_ptr<AppContext>>
make_app_context(std::string issuer, oauth::SigningKey key, std::vector<RegisteredClient> clients,
                 std::vector<RegisteredUser> users, Clock now,
                 std::shared_ptr<state::StateStore> store = nullptr);

// True for the endpoints whose request bodies may be long (token, introspection,
// revocation: they carry tokens and assertions); the transport allows them a larger body.
bool takes_long_body(std::string_view path);

// True for the routes whose handlers do not block: the discovery documents, the JWKS and
// the FHIR API (in-memory data, a signature check, an in-memory revocation lookup). The
// transport runs them on its event loop instead of handing them to a worker, which saves
// two thread switches per request. The one wait left is rare: a revocation view past its
// 1 s bound (a late maintenance tick) is refreshed by the read that finds it so, which
// require_worker() sends to a worker (event_loop_guard.hpp). A route that starts to wait
// on every request (a store query, a lock held across I/O) must leave this list: it would
// go to a worker every time, after a wasted first run.
bool never_blocks(std::string_view path);

// True for the routes the transport first runs on its event loop: the never_blocks() ones,
// and the token endpoint, whose client_credentials grant with a cached secret needs only
// the CPU (most of it the RSA signature), so a hand-off to a worker and back would cost
// more than the work. A request that reaches a wait (require_worker()) is run again on a
// worker from the start.
bool starts_on_event_loop(std::string_view path);

// How long a client should wait after 503 temporarily_unavailable (the state store was
// unreachable), in seconds: the Retry-After header.
inline constexpr int k_state_retry_after = 2;

// Answers one request: the route table of `serve`. Never throws for any input: when the
// state store fails a call the request needs, the answer is 503 temporarily_unavailable
// with Retry-After (state::StateUnavailable, caught here and only here).
ServerResponse handle_request(const AppContext& context, const ServerRequest& request);

} // namespace oauthctl::server
