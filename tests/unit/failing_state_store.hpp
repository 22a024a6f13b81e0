// SPDX-License-Identifier: MIT
#pragma once

#include "server/state/state_store.hpp"

#include <atomic>
#include <memory>

namespace oauthctl::server::state {

// A real state store that can be made to fail every call, as a database that went away and
// came back: `down = true` makes each call an ErrorKind::network error. SQLite cannot be
// made unreachable on demand; the store's failure is what the tests need, the state stays
// real.
class FailingStateStore final : public StateStore {
public:
  explicit FailingStateStore(std::shared_ptr<StateStore> inner) : m_inner(std::move(inner)) {}

  std::atomic<bool> down{false};

  util::Result<std::vector<PrincipalRecord>> clients() override {
    if (down) {
      return lost();
    }
    return m_inner->clients();
  }

  util::Result<std::optional<PrincipalRecord>> client(const std::string& id) override {
    if (down) {
      return lost();
    }
    return m_inner->client(id);
  }

  util::Result<void> put_client(const PrincipalRecord& record) override {
    if (down) {
      return lost();
    }
    return m_inner->put_client(record);
  }

  util::Result<bool> delete_client(const std::string& id) override {
    if (down) {
      return lost();
    }
    return m_inner->delete_client(id);
  }

  util::Result<std::vector<PrincipalRecord>> users() override {
    if (down) {
      return lost();
    }
    return m_inner->users();
  }

  util::Result<std::optional<PrincipalRecord>> user(const std::string& id) override {
    if (down) {
      return lost();
    }
    return m_inner->user(id);
  }

  util::Result<void> put_user(const PrincipalRecord& record) override {
    if (down) {
      return lost();
    }
    return m_inner->put_user(record);
  }

  util::Result<bool> delete_user(const std::string& id) override {
    if (down) {
      return lost();
    }
    return m_inner->delete_user(id);
  }

  util::Result<std::vector<KeyRecord>> keys() override {
    if (down) {
      return lost();
    }
    return m_inner->keys();
  }

  util::Result<bool> add_key(const KeyRecord& key) override {
    if (down) {
      return lost();
    }
    return m_inner->add_key(key);
  }

  util::Result<bool> add_first_key(const KeyRecord& key) override {
    if (down) {
      return lost();
    }
    return m_inner->add_first_key(key);
  }

  util::Result<bool> retire_key(const std::string& kid, std::int64_t retired_at,
                                std::int64_t publish_until) override {
    if (down) {
      return lost();
    }
    return m_inner->retire_key(kid, retired_at, publish_until);
  }

  util::Result<std::int64_t> directory_version() override {
    if (down) {
      return lost();
    }
    return m_inner->directory_version();
  }

  util::Result<void> put_session(const SessionRecord& session) override {
    if (down) {
      return lost();
    }
    return m_inner->put_session(session);
  }

  util::Result<std::optional<SessionRecord>> session(const std::string& id, std::int64_t now) override {
    if (down) {
      return lost();
    }
    return m_inner->session(id, now);
  }

  util::Result<bool> replace_session(const std::string& old_id, const SessionRecord& fresh) override {
    if (down) {
      return lost();
    }
    return m_inner->replace_session(old_id, fresh);
  }

  util::Result<void> delete_session(const std::string& id) override {
    if (down) {
      return lost();
    }
    return m_inner->delete_session(id);
  }

  util::Result<void> put_pending(const PendingRecord& request) override {
    if (down) {
      return lost();
    }
    return m_inner->put_pending(request);
  }

  util::Result<std::optional<PendingRecord>> pending(const std::string& id, std::int64_t now) override {
    if (down) {
      return lost();
    }
    return m_inner->pending(id, now);
  }

  util::Result<void> pending_login_done(const std::string& id) override {
    if (down) {
      return lost();
    }
    return m_inner->pending_login_done(id);
  }

  util::Result<bool> take_pending(const std::string& id) override {
    if (down) {
      return lost();
    }
    return m_inner->take_pending(id);
  }

  util::Result<void> put_code(const CodeRecord& code) override {
    if (down) {
      return lost();
    }
    return m_inner->put_code(code);
  }

  util::Result<std::pair<CodeUse, CodeRecord>> use_code(const std::string& code_hash,
                                                        const std::string& client_id) override {
    if (down) {
      return lost();
    }
    return m_inner->use_code(code_hash, client_id);
  }

  util::Result<void> link_code(const std::string& code_hash, const std::string& jti,
                               std::int64_t jti_expires_at, const std::string& family) override {
    if (down) {
      return lost();
    }
    return m_inner->link_code(code_hash, jti, jti_expires_at, family);
  }

  util::Result<void> put_refresh(const RefreshRecord& token) override {
    if (down) {
      return lost();
    }
    return m_inner->put_refresh(token);
  }

  util::Result<std::optional<RefreshRecord>> refresh(const std::string& token_hash) override {
    if (down) {
      return lost();
    }
    return m_inner->refresh(token_hash);
  }

  util::Result<std::pair<RefreshUse, RefreshRecord>>
  rotate_refresh(const RefreshRotation& rotation) override {
    if (down) {
      return lost();
    }
    return m_inner->rotate_refresh(rotation);
  }

  util::Result<void> revoke_family(const std::string& family) override {
    if (down) {
      return lost();
    }
    return m_inner->revoke_family(family);
  }

  util::Result<void> add_family_token(const std::string& family, const std::string& jti,
                                      std::int64_t expires_at) override {
    if (down) {
      return lost();
    }
    return m_inner->add_family_token(family, jti, expires_at);
  }

  util::Result<std::vector<std::string>> families_of(const std::string& user_id,
                                                     const std::string& client_id) override {
    if (down) {
      return lost();
    }
    return m_inner->families_of(user_id, client_id);
  }

  util::Result<std::string> family_of(const std::string& jti) override {
    if (down) {
      return lost();
    }
    return m_inner->family_of(jti);
  }

  util::Result<void> revoke_access(const std::string& jti, std::int64_t expires_at) override {
    if (down) {
      return lost();
    }
    return m_inner->revoke_access(jti, expires_at);
  }

  util::Result<RevocationDelta> revocations_since(std::int64_t version) override {
    if (down) {
      return lost();
    }
    return m_inner->revocations_since(version);
  }

  util::Result<bool> put_device(const DeviceRecord& device) override {
    if (down) {
      return lost();
    }
    return m_inner->put_device(device);
  }

  util::Result<std::optional<DeviceRecord>> pending_device(const std::string& user_code_hash,
                                                           std::int64_t now) override {
    if (down) {
      return lost();
    }
    return m_inner->pending_device(user_code_hash, now);
  }

  util::Result<bool> decide_device(const std::string& user_code_hash, bool approve,
                                   const std::string& user_id, std::int64_t auth_time,
                                   std::int64_t now) override {
    if (down) {
      return lost();
    }
    return m_inner->decide_device(user_code_hash, approve, user_id, auth_time, now);
  }

  util::Result<std::pair<DevicePollResult, DeviceRecord>>
  poll_device(const std::string& device_hash, const std::string& client_id, std::int64_t now) override {
    if (down) {
      return lost();
    }
    return m_inner->poll_device(device_hash, client_id, now);
  }

  util::Result<void> put_consent(const ConsentRecord& consent) override {
    if (down) {
      return lost();
    }
    return m_inner->put_consent(consent);
  }

  util::Result<std::optional<ConsentRecord>> consent(const std::string& user_id, const std::string& client_id,
                                                     std::int64_t now) override {
    if (down) {
      return lost();
    }
    return m_inner->consent(user_id, client_id, now);
  }

  util::Result<std::vector<ConsentRecord>> consents(const std::string& user_id, std::int64_t now) override {
    if (down) {
      return lost();
    }
    return m_inner->consents(user_id, now);
  }

  util::Result<void> delete_consent(const std::string& user_id, const std::string& client_id) override {
    if (down) {
      return lost();
    }
    return m_inner->delete_consent(user_id, client_id);
  }

  util::Result<std::optional<BackoffRecord>> backoff(const std::string& key, std::int64_t now) override {
    if (down) {
      return lost();
    }
    return m_inner->backoff(key, now);
  }

  util::Result<BackoffRecord> add_failure(const std::string& key, std::int64_t now,
                                          std::int64_t window) override {
    if (down) {
      return lost();
    }
    return m_inner->add_failure(key, now, window);
  }

  util::Result<void> clear_failures(const std::string& key) override {
    if (down) {
      return lost();
    }
    return m_inner->clear_failures(key);
  }

  util::Result<bool> use_jti(JtiKind kind, const std::string& issuer, const std::string& jti,
                             std::int64_t expires_at, std::int64_t now) override {
    if (down) {
      return lost();
    }
    return m_inner->use_jti(kind, issuer, jti, expires_at, now);
  }

  util::Result<std::size_t> count(Bounded what, std::int64_t now, const std::string& client_id) override {
    if (down) {
      return lost();
    }
    return m_inner->count(what, now, client_id);
  }

  util::Result<std::size_t> evict(Bounded what, std::size_t keep) override {
    if (down) {
      return lost();
    }
    return m_inner->evict(what, keep);
  }

  util::Result<std::size_t> prune(std::int64_t now) override {
    if (down) {
      return lost();
    }
    return m_inner->prune(now);
  }

private:
  static tl::unexpected<util::Error> lost() {
    return util::fail(util::ErrorKind::network, "state store: connection lost (test)");
  }

  std::shared_ptr<StateStore> m_inner;
};

} // namespace oauthctl::server::state
