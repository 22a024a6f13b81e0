// SPDX-License-Identifier: MIT
#pragma once

#include "server/auth/login_backoff.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// How many device authorizations may wait at once (all clients, and one client: a
// client's flood must not crowd out the others), and the defaults of `serve`'s
// --device-interval and --device-lifetime (seconds).
inline constexpr std::size_t k_device_capacity = 10000;
inline constexpr std::size_t k_device_client_quota = 1000;
inline constexpr std::int64_t k_default_device_interval = 5;
inline constexpr std::int64_t k_default_device_lifetime = 600;

// The user code alphabet of RFC 8628 §6.1: consonants only (no vowels, so no words), no
// letters that are easily confused; upper case, compared case-insensitively.
inline constexpr std::string_view k_user_code_alphabet = "BCDFGHJKLMNPQRSTVWXZ";
// Eight characters of it (20^8, about 34.5 bits), shown as XXXX-XXXX.
inline constexpr std::size_t k_user_code_length = 8;

// A fresh user code from the CSPRNG, as shown to the user: "XXXX-XXXX".
std::string make_user_code();

// The canonical form of a user code as typed (RFC 8628 §6.1): upper case, dashes and
// spaces dropped. Nothing when what is left is not k_user_code_length characters of the
// alphabet.
std::optional<std::string> normalise_user_code(std::string_view typed);

// `canonical` (eight letters) as shown to the user: "XXXX-XXXX".
std::string format_user_code(std::string_view canonical);

// A device authorization request (RFC 8628 §3.1) as the client made it.
struct DeviceRequest {
  std::string client_id;
  std::vector<std::string> scopes;
  std::int64_t expires_at = 0;
};

// What the user approved, handed to the token endpoint once.
struct DeviceApproval {
  std::string client_id;
  std::vector<std::string> scopes;
  std::string user_id;
  std::int64_t auth_time = 0;
};

// The answer to one poll of the token endpoint (RFC 8628 §3.5).
enum class DevicePoll {
  approved,  // `out` is filled; the device code stops working
  pending,   // authorization_pending
  slow_down, // polled sooner than the interval allows; the interval grew by 5 s
  denied,    // access_denied
  expired,   // expired_token
  unknown,   // invalid_grant: never issued, already redeemed, or another client's
};

// The device grants of `serve`, kept in the state store with the device code and the user
// code stored only as SHA-256 hashes; bounded in total and per client. Every step that
// must happen once (a decision, the single hand-out of an approved code, the polling
// interval) is one atomic call of the store. A store failure throws
// state::StateUnavailable. Thread-safe.
class DeviceGrants {
public:
  // `capacity`: how many grants may wait at once, `client_quota` of them for one client;
  // `interval`: the initial polling interval in seconds (RFC 8628 §3.2); `lifetime`:
  // seconds until a device code expires. `store` must outlive it.
  DeviceGrants(state::StateStore& store, std::size_t capacity, std::int64_t interval, std::int64_t lifetime,
               std::size_t client_quota = k_device_client_quota);

  [[nodiscard]] std::int64_t interval() const { return m_interval; }
  [[nodiscard]] std::int64_t lifetime() const { return m_lifetime; }

  struct Issued {
    std::string device_code;
    std::string user_code; // as shown: XXXX-XXXX
  };
  // Stores `request` (its expires_at is set here from `now`); nothing when `capacity`
  // grants, or `client_quota` of its client, are already waiting. (Counted before the
  // insert: concurrent starts may pass a bound by a few.)
  std::optional<Issued> start(DeviceRequest request, std::int64_t now);

  // The request behind a still pending `user_code` (canonical form) at `now`.
  [[nodiscard]] std::optional<DeviceRequest> find_pending(const std::string& user_code,
                                                          std::int64_t now) const;

  // The user's answer for pending `user_code` (canonical form): approved by `user_id`
  // (signed in at `auth_time`) or denied. False when the code is no longer pending.
  bool decide(const std::string& user_code, bool approve, const std::string& user_id, std::int64_t auth_time,
              std::int64_t now);

  // One poll by `client_id` with `device_code` at `now`.
  DevicePoll poll(const std::string& device_code, const std::string& client_id, std::int64_t now,
                  DeviceApproval& out);

  // Seconds the user `key` must wait at `now` before entering another user code, after
  // too many wrong ones (RFC 8628 §5.1); 0 when free to try.
  [[nodiscard]] std::int64_t entry_wait(const std::string& key, std::int64_t now) const;
  // Records a wrong (true) or right (false) user code entered by `key` at `now`.
  void record_entry(const std::string& key, bool wrong, std::int64_t now);

private:
  state::StateStore& m_store;
  std::size_t m_capacity;
  std::size_t m_client_quota;
  std::int64_t m_interval;
  std::int64_t m_lifetime;
  // Wrong user codes, by user: 5 free, then 15 s doubling, forgotten after 15 minutes
  // (RFC 8628 §5.1: the short user code must not be brute-forced).
  LoginBackoff m_wrong_entries;
};

} // namespace oauthctl::server
