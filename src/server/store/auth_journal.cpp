// SPDX-License-Identifier: MIT
#include "server/store/auth_journal.hpp"

#include <oauthctl/oauth/smart_scope.hpp>

namespace oauthctl::server {

namespace {

class StoreJournal final : public AuthJournal {
public:
  StoreJournal(Store& store, std::function<void(std::string_view)> log)
      : m_store(store), m_log(std::move(log)) {}

  void refresh_saved(const std::string& token_hash, const RefreshGrant& grant, bool rotated) override {
    report(m_store.put_refresh_token({token_hash, grant.family, grant.client_id, grant.user_id,
                                      oauth::join_scopes(grant.scopes), grant.auth_time, grant.expires_at,
                                      rotated}));
  }

  void family_revoked(const std::string& family) override { report(m_store.delete_refresh_family(family)); }

  void family_token_added(const std::string& family, const std::string& jti,
                          std::int64_t expires_at) override {
    report(m_store.add_family_token({family, jti, expires_at}));
  }

  void token_revoked(const std::string& jti, std::int64_t expires_at) override {
    report(m_store.add_revocation({{}, jti, expires_at}));
  }

private:
  void report(const util::Result<void>& result) {
    if (!result && m_log) {
      m_log("warning: " + result.error().message);
    }
  }

  Store& m_store;
  std::function<void(std::string_view)> m_log;
};

} // namespace

std::unique_ptr<AuthJournal> make_store_journal(Store& store, std::function<void(std::string_view)> log) {
  return std::make_unique<StoreJournal>(store, std::move(log));
}

util::Result<void> restore_auth_state(Store& store, AuthState& state, std::int64_t now) {
  auto tokens = store.refresh_tokens(now);
  if (!tokens) {
    return tl::unexpected(tokens.error());
  }
  for (auto& token : *tokens) {
    state.restore_refresh(token.token_hash,
                          {token.family, token.client_id, token.user_id, oauth::split_scopes(token.scopes),
                           token.auth_time, token.expires_at},
                          token.rotated);
  }
  auto family_tokens = store.family_tokens(now);
  if (!family_tokens) {
    return tl::unexpected(family_tokens.error());
  }
  for (const auto& id : *family_tokens) {
    state.restore_family_token(id.family, id.jti, id.expires_at);
  }
  auto revocations = store.revocations(now);
  if (!revocations) {
    return tl::unexpected(revocations.error());
  }
  for (const auto& id : *revocations) {
    state.restore_revocation(id.jti, id.expires_at);
  }
  return {};
}

} // namespace oauthctl::server
