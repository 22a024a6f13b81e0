// SPDX-License-Identifier: MIT
#include "server/auth/device_grants.hpp"

#include "server/state/state_unavailable.hpp"

#include <oauthctl/util/crypto.hpp>

#include <algorithm>

namespace oauthctl::server {

namespace {

using state::need;

// RFC 8628 §3.2 / RFC 6749 §10.10: the device code is a bearer secret, 256 bits.
constexpr std::size_t k_device_code_bytes = 32;

std::string sha256_hex(std::string_view secret) {
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

DeviceGrants::DeviceGrants(state::StateStore& store, std::size_t capacity, std::int64_t interval,
                           std::int64_t lifetime, std::size_t client_quota)
    : m_store(store), m_capacity(capacity), m_client_quota(client_quota), m_interval(interval),
      m_lifetime(lifetime), m_wrong_entries(store, BackoffPolicy{5, 15, 6, 900}, "device-entry:") {}

std::optional<DeviceGrants::Issued> DeviceGrants::start(DeviceRequest request, std::int64_t now) {
  if (need(m_store.count(state::Bounded::device_codes, now)) >= m_capacity ||
      need(m_store.count(state::Bounded::device_codes, now, request.client_id)) >= m_client_quota) {
    return std::nullopt;
  }
  state::DeviceRecord row;
  row.client_id = std::move(request.client_id);
  row.scopes = std::move(request.scopes);
  row.interval = m_interval;
  row.created_at = now;
  row.expires_at = now + m_lifetime;
  // A user code must name one grant only; with 20^8 codes a clash is rare, but possible:
  // the store refuses a user code in use, and a fresh one is drawn.
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto device_code = util::random_token(k_device_code_bytes);
    auto user_code = make_user_code();
    row.device_hash = sha256_hex(device_code);
    row.user_code_hash = sha256_hex(*normalise_user_code(user_code));
    if (need(m_store.put_device(row))) {
      return Issued{std::move(device_code), std::move(user_code)};
    }
  }
  return std::nullopt;
}

std::optional<DeviceRequest> DeviceGrants::find_pending(const std::string& user_code,
                                                        std::int64_t now) const {
  auto row = need(m_store.pending_device(sha256_hex(user_code), now));
  if (!row) {
    return std::nullopt;
  }
  return DeviceRequest{std::move(row->client_id), std::move(row->scopes), row->expires_at};
}

bool DeviceGrants::decide(const std::string& user_code, bool approve, const std::string& user_id,
                          std::int64_t auth_time, std::int64_t now) {
  // One decision per user code: the store clears the code with the decision.
  return need(m_store.decide_device(sha256_hex(user_code), approve, user_id, auth_time, now));
}

DevicePoll DeviceGrants::poll(const std::string& device_code, const std::string& client_id, std::int64_t now,
                              DeviceApproval& out) {
  // RFC 8628 §3.5 in one transaction of the store: interval, slow_down, single hand-out.
  auto [result, row] = need(m_store.poll_device(sha256_hex(device_code), client_id, now));
  switch (result) {
    case state::DevicePollResult::approved:
      out = {std::move(row.client_id), std::move(row.scopes), std::move(row.user_id), row.auth_time};
      return DevicePoll::approved;
    case state::DevicePollResult::pending:
      return DevicePoll::pending;
    case state::DevicePollResult::slow_down:
      return DevicePoll::slow_down;
    case state::DevicePollResult::denied:
      return DevicePoll::denied;
    case state::DevicePollResult::expired:
      return DevicePoll::expired;
    case state::DevicePollResult::unknown:
      break;
  }
  return DevicePoll::unknown;
}

std::int64_t DeviceGrants::entry_wait(const std::string& key, std::int64_t now) const {
  return m_wrong_entries.wait(key, now);
}

void DeviceGrants::record_entry(const std::string& key, bool wrong, std::int64_t now) {
  m_wrong_entries.record(key, wrong, now);
}

} // namespace oauthctl::server
