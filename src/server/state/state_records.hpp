// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

// The rows of serve's live state (see state_store.hpp and README.md beside it). Plain data:
// every implementation of StateStore stores and returns exactly these fields. Times are
// seconds since the epoch; secrets handed out (codes, refresh tokens, device and user
// codes, session ids are the exception: see SessionRecord) are stored as SHA-256 hex.
namespace oauthctl::server::state {

// Where a client or user came from. Seeded entries (`config`, `demo`) are re-checked at
// every start and dropped when their source no longer lists them; `admin` entries stay.
enum class Source { config, demo, admin };

// "config", "demo" or "admin": how a Source is stored.
const char* source_name(Source source);
// The Source stored as `name`; `admin` for anything unknown (never dropped by a start).
Source parse_source(const std::string& name);

// A client or a user: the Aidbox-shaped resource without its secret, the secret's slow
// hash (empty: public client, or user without password), and where it came from.
struct PrincipalRecord {
  std::string id;
  std::string resource_json;
  std::string secret_hash;
  Source source = Source::admin;
  std::int64_t updated_at = 0;
};

// A signing key, private key in PEM. Active while `retired_at` is 0 (the newest active
// key signs); a retired key stays in JWKS until `publish_until` (the expiry of the last
// token it signed), and prune() removes it after that.
struct KeyRecord {
  std::string kid;
  std::string alg;
  std::string pem;
  std::int64_t created_at = 0;
  std::int64_t retired_at = 0;
  std::int64_t publish_until = 0;
};

// A browser session of the login UI. `id` is the cookie value itself (256 random bits);
// implementations may key it by its hash, callers pass and get the id.
struct SessionRecord {
  std::string id;
  std::string csrf_token;
  std::string user_id; // empty until a login succeeds: an anonymous session
  std::int64_t auth_time = 0;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
};

// A validated authorization request (RFC 6749 §4.1.1 / §4.2.1) waiting for login and
// consent. The browser only carries its random `id`.
struct PendingRecord {
  std::string id;
  std::string session_id; // the browser session that started it
  std::string client_id;
  std::string redirect_uri;  // exactly as presented (the token request must repeat it)
  std::string response_type; // "code" or "token"
  std::string state;
  std::vector<std::string> scopes;
  std::string code_challenge; // S256 only; empty without PKCE
  std::string nonce;
  std::string login_hint;
  bool prompt_login = false; // still true until the user signs in for this request
  std::int64_t max_age = -1; // OIDC max_age; -1: none
  std::string extra_json;    // room for later request parameters (JSON object or empty)
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
};

// An authorization code (RFC 6749 §4.1.2), stored under `code_hash`. After redemption the
// access token id(s) and refresh family it produced are linked, so a replay revokes them.
struct CodeRecord {
  std::string code_hash;
  std::string client_id;
  std::string redirect_uri;
  std::string code_challenge;
  std::string nonce;
  std::string user_id;
  std::vector<std::string> scopes;
  std::int64_t auth_time = 0;
  std::int64_t expires_at = 0;
  bool used = false;
  struct LinkedToken {
    std::string jti;
    std::int64_t expires_at = 0;
  };
  std::vector<LinkedToken> linked_jtis; // filled by reads, ignored by put_code
  std::string family;                   // filled by reads, ignored by put_code
};

// A refresh token, stored under `token_hash`; tokens rotated from one another share
// `family`.
struct RefreshRecord {
  std::string token_hash;
  std::string family;
  std::string client_id;
  std::string user_id;
  std::vector<std::string> scopes; // as first granted: a refresh may only narrow them
  std::int64_t auth_time = 0;
  std::int64_t expires_at = 0;
  // RFC 8705 §4: the SHA-256 thumbprint (x5t#S256) of the TLS client certificate the family
  // is bound to (a public client's, over mutual TLS); empty: not bound. Kept with the family:
  // the first token of a family sets it, its successors inherit it.
  std::string certificate_thumbprint;
  bool rotated = false;        // filled by reads
  bool family_revoked = false; // filled by reads
};

// A revoked access token id, with the token's expiry (after which it need not be kept).
// `seq` orders revocations for revocations_since(); assigned by the store.
struct RevocationRecord {
  std::string jti;
  std::int64_t expires_at = 0;
  std::int64_t seq = 0;
};

// A device authorization (RFC 8628 §3.1), stored under the device code's hash; the user
// code is stored hashed too (canonical form, see device_grants.hpp).
enum class DeviceState { pending, approved, denied };
struct DeviceRecord {
  std::string device_hash;
  std::string user_code_hash;
  std::string client_id;
  std::vector<std::string> scopes;
  DeviceState state = DeviceState::pending;
  std::int64_t interval = 0;  // seconds between polls (RFC 8628 §3.2), grows on slow_down
  std::int64_t last_poll = 0; // 0: never polled
  std::string user_id;        // set by the decision
  std::int64_t auth_time = 0; // set by the decision
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
};

// What a user allowed a client: the scope set consented to.
struct ConsentRecord {
  std::string user_id;
  std::string client_id;
  std::vector<std::string> scopes;
  std::int64_t granted_at = 0;
  std::int64_t expires_at = 0; // 0: until withdrawn
};

// Failed attempts under an arbitrary key (a username; later username + address).
struct BackoffRecord {
  std::string key;
  int failures = 0;
  std::int64_t last_failure = 0;
  std::int64_t expires_at = 0; // forgotten after this
};

// What a single-use JWT id belongs to: jtis of different kinds never collide.
enum class JtiKind { client_assertion, jwt_bearer, dpop_proof };

// "client_assertion", "jwt_bearer" or "dpop_proof".
const char* jti_kind_name(JtiKind kind);

} // namespace oauthctl::server::state
