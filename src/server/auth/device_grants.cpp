// SPDX-License-Identifier: MIT
#include "server/auth/device_grants.hpp"

#include <oauthctl/util/crypto.hpp>

#include <algorithm>

namespace oauthctl::server {

namespace {

// RFC 8628 §3.2 / RFC 6749 §10.10: the device code is a bearer secret, 256 bits.
constexpr std::size_t k_device_code_bytes = 32;
// How long an expired device code still answers expired_token rather than invalid_grant.
constexpr std::int64_t k_expired_memory = 600;
// RFC 8628 §3.5: slow_down adds 5 seconds to the interval.
constexpr std::int64_t k_slow_down_step = 5;
// RFC 8628 §5.1: wrong user codes are rate-limited per user: a few free tries, then each
// further one waits 15 s, doubling, up to 15 minutes.

std::string hashed(std::string_view secret) {
  return util::to_hex(util::sha256(secret));
}

} // namespace

std::string make_user_code() {
  // Rejection sampling: 256 is not a multiple of 20, so bytes >= 240 are drawn again to
  // keep every letter equally likely.
  std::string code;
  while (code.size() < k_user_code_length) {
    for (const unsigned char byte : util::random_bytes(16)) {
      if (byte < 240 && code.size() < k_user_code_length) {
        code += k_user_code_alphabet[byte % k_user_code_alphabet.size()];
      }
    }
  }
  return format_user_code(code);
}

std::optional<std::string> normalise_user_code(std::string_view typed) {
  std::string code;
  for (const char c : typed) {
    if (c == '-' || c == ' ') {
      continue;
    }
    const char upper = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    if (k_user_code_alphabet.find(upper) == std::string_view::npos || code.size() == k_user_code_length) {
      return std::nullopt;
    }
    code += upper;
  }
  if (code.size() != k_user_code_length) {
    return std::nullopt;
  }
  return code;
}

std::string format_user_code(std::string_view canonical) {
  const auto half = canonical.size() / 2;
  return std::string(canonical.substr(0, half)) + "-" + std::string(canonical.substr(half));
}

DeviceGrants::DeviceGrants(std::size_t capacity, std::int64_t interval, std::int64_t lifetime)
    : m_capacity(capacity), m_interval(interval), m_lifetime(lifetime) {}

std::optional<DeviceGrants::Issued> DeviceGrants::start(DeviceRequest request, std::int64_t now) {
  request.expires_at = now + m_lifetime;
  auto device_code = util::random_token(k_device_code_bytes);
  const std::lock_guard lock(m_mutex);
  if (++m_inserts % 256 == 0) {
    prune_locked(now - k_expired_memory);
  }
  if (m_grants.size() >= m_capacity) {
    // Full: every expired grant goes, even those still remembered for expired_token.
    prune_locked(now);
    if (m_grants.size() >= m_capacity) {
      return std::nullopt;
    }
  }
  // A user code must name one grant only; with 20^8 codes a clash is rare, but possible.
  std::string user_code;
  std::string user_hash;
  do {
    user_code = make_user_code();
    user_hash = hashed(*normalise_user_code(user_code));
  } while (m_by_user.count(user_hash) > 0);
  const auto key = hashed(device_code);
  Entry entry;
  entry.request = std::move(request);
  entry.user_code_hash = user_hash;
  entry.interval = m_interval;
  m_grants.emplace(key, std::move(entry));
  m_by_user.emplace(user_hash, key);
  return Issued{std::move(device_code), std::move(user_code)};
}

std::optional<DeviceRequest> DeviceGrants::find_pending(const std::string& user_code,
                                                        std::int64_t now) const {
  const std::lock_guard lock(m_mutex);
  const auto by_user = m_by_user.find(hashed(user_code));
  if (by_user == m_by_user.end()) {
    return std::nullopt;
  }
  const auto it = m_grants.find(by_user->second);
  if (it == m_grants.end() || it->second.state != State::pending || it->second.request.expires_at <= now) {
    return std::nullopt;
  }
  return it->second.request;
}

bool DeviceGrants::decide(const std::string& user_code, bool approve, const std::string& user_id,
                          std::int64_t auth_time, std::int64_t now) {
  const std::lock_guard lock(m_mutex);
  const auto by_user = m_by_user.find(hashed(user_code));
  if (by_user == m_by_user.end()) {
    return false;
  }
  const auto it = m_grants.find(by_user->second);
  if (it == m_grants.end() || it->second.state != State::pending || it->second.request.expires_at <= now) {
    return false;
  }
  auto& entry = it->second;
  entry.state = approve ? State::approved : State::denied;
  entry.user_id = user_id;
  entry.auth_time = auth_time;
  // A user code is good for one decision: it cannot be entered again.
  m_by_user.erase(by_user);
  return true;
}

DevicePoll DeviceGrants::poll(const std::string& device_code, const std::string& client_id, std::int64_t now,
                              DeviceApproval& out) {
  const std::lock_guard lock(m_mutex);
  const auto it = m_grants.find(hashed(device_code));
  // RFC 8628 §3.4 with RFC 6749 §5.2: a device code issued to another client is invalid_grant.
  if (it == m_grants.end() || !util::constant_time_equal(it->second.request.client_id, client_id)) {
    return DevicePoll::unknown;
  }
  auto& entry = it->second;
  if (entry.request.expires_at <= now) {
    return DevicePoll::expired;
  }
  switch (entry.state) {
    case State::approved:
      out = {entry.request.client_id, entry.request.scopes, entry.user_id, entry.auth_time};
      // Single use: the device code is gone once its tokens are issued.
      m_by_user.erase(entry.user_code_hash);
      m_grants.erase(it);
      return DevicePoll::approved;
    case State::denied:
      return DevicePoll::denied;
    case State::pending:
      break;
  }
  // RFC 8628 §3.5: polling sooner than the interval answers slow_down, and the interval
  // for this device code grows by 5 seconds from then on.
  const bool too_soon = entry.last_poll != 0 && now - entry.last_poll < entry.interval;
  entry.last_poll = now;
  if (too_soon) {
    entry.interval += k_slow_down_step;
    return DevicePoll::slow_down;
  }
  return DevicePoll::pending;
}

std::int64_t DeviceGrants::entry_wait(const std::string& key, std::int64_t now) const {
  return m_wrong_entries.wait(key, now);
}

void DeviceGrants::record_entry(const std::string& key, bool wrong, std::int64_t now) {
  m_wrong_entries.record(key, wrong, now);
}

void DeviceGrants::prune_locked(std::int64_t expired_before) {
  for (auto it = m_grants.begin(); it != m_grants.end();) {
    if (it->second.request.expires_at <= expired_before) {
      m_by_user.erase(it->second.user_code_hash);
      it = m_grants.erase(it);
    } else {
      ++it;
    }
  }
}

} // namespace oauthctl::server
