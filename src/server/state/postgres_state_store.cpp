// SPDX-License-Identifier: MIT
#include "server/state/postgres_state_store.hpp"

#include "server/pg/listener.hpp"
#include "server/pg/pool.hpp"
#include "server/state/postgres_migrations.hpp"
#include "server/state/record_text.hpp"

#include <ctime>
#include <functional>
#include <optional>
#include <utility>

namespace oauthctl::server::state {

namespace {

using pg::Connection;
using pg::Param;
using pg::Rows;
using util::ErrorKind;

// ---- rows -> records (column lists and readers go in pairs) -------------------------------

PrincipalRecord read_principal(const Rows& rows, int i) {
  return {rows.text(i, 0), rows.text(i, 1), rows.text(i, 2), parse_source(rows.text(i, 3)), rows.int64(i, 4)};
}

KeyRecord read_key(const Rows& rows, int i) {
  return {rows.text(i, 0),  rows.text(i, 1),  rows.text(i, 2),
          rows.int64(i, 3), rows.int64(i, 4), rows.int64(i, 5)};
}

SessionRecord read_session(const Rows& rows, int i) {
  return {rows.text(i, 0),  rows.text(i, 1),  rows.text(i, 2),
          rows.int64(i, 3), rows.int64(i, 4), rows.int64(i, 5)};
}

PendingRecord read_pending(const Rows& rows, int i) {
  PendingRecord request;
  request.id = rows.text(i, 0);
  request.session_id = rows.text(i, 1);
  request.client_id = rows.text(i, 2);
  request.redirect_uri = rows.text(i, 3);
  request.response_type = rows.text(i, 4);
  request.state = rows.text(i, 5);
  request.scopes = split_scopes(rows.text(i, 6));
  request.code_challenge = rows.text(i, 7);
  request.nonce = rows.text(i, 8);
  request.login_hint = rows.text(i, 9);
  request.prompt_login = rows.boolean(i, 10);
  request.max_age = rows.int64(i, 11);
  request.extra_json = rows.text(i, 12);
  request.created_at = rows.int64(i, 13);
  request.expires_at = rows.int64(i, 14);
  return request;
}

#define OAUTHCTL_CODE_COLUMNS                                                                                \
  "code_hash, client_id, redirect_uri, code_challenge, nonce, user_id, scopes, auth_time, expires_at, "      \
  "used, family"
CodeRecord read_code(const Rows& rows, int i) {
  CodeRecord code;
  code.code_hash = rows.text(i, 0);
  code.client_id = rows.text(i, 1);
  code.redirect_uri = rows.text(i, 2);
  code.code_challenge = rows.text(i, 3);
  code.nonce = rows.text(i, 4);
  code.user_id = rows.text(i, 5);
  code.scopes = split_scopes(rows.text(i, 6));
  code.auth_time = rows.int64(i, 7);
  code.expires_at = rows.int64(i, 8);
  code.used = rows.boolean(i, 9);
  code.family = rows.text(i, 10);
  return code;
}

RefreshRecord read_refresh(const Rows& rows, int i) {
  RefreshRecord token;
  token.token_hash = rows.text(i, 0);
  token.family = rows.text(i, 1);
  token.client_id = rows.text(i, 2);
  token.user_id = rows.text(i, 3);
  token.scopes = split_scopes(rows.text(i, 4));
  token.auth_time = rows.int64(i, 5);
  token.expires_at = rows.int64(i, 6);
  token.rotated = rows.boolean(i, 7);
  token.family_revoked = rows.boolean(i, 8);
  token.certificate_thumbprint = rows.text(i, 9);
  return token;
}

#define OAUTHCTL_DEVICE_COLUMNS                                                                              \
  "device_hash, coalesce(user_code_hash, ''), client_id, scopes, state, interval, last_poll, user_id, "      \
  "auth_time,"                                                                                               \
  " created_at, expires_at"
DeviceRecord read_device(const Rows& rows, int i) {
  DeviceRecord device;
  device.device_hash = rows.text(i, 0);
  device.user_code_hash = rows.text(i, 1);
  device.client_id = rows.text(i, 2);
  device.scopes = split_scopes(rows.text(i, 3));
  device.state = parse_device_state(rows.text(i, 4));
  device.interval = rows.int64(i, 5);
  device.last_poll = rows.int64(i, 6);
  device.user_id = rows.text(i, 7);
  device.auth_time = rows.int64(i, 8);
  device.created_at = rows.int64(i, 9);
  device.expires_at = rows.int64(i, 10);
  return device;
}

ConsentRecord read_consent(const Rows& rows, int i) {
  return {rows.text(i, 0), rows.text(i, 1), split_scopes(rows.text(i, 2)), rows.int64(i, 3),
          rows.int64(i, 4)};
}

BackoffRecord read_backoff(const Rows& rows, int i) {
  return {rows.text(i, 0), static_cast<int>(rows.int64(i, 1)), rows.int64(i, 2), rows.int64(i, 3)};
}

// The first row read by `read`, or nothing.
template<typename Read>
auto first(util::Result<Rows> rows, Read read) -> util::Result<std::optional<decltype(read(*rows, 0))>> {
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  if (rows->empty()) {
    return std::nullopt;
  }
  return read(*rows, 0);
}

// Every row read by `read`.
template<typename Read>
auto all(util::Result<Rows> rows, Read read) -> util::Result<std::vector<decltype(read(*rows, 0))>> {
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  std::vector<decltype(read(*rows, 0))> out;
  out.reserve(static_cast<std::size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back(read(*rows, i));
  }
  return out;
}

// Whether the statement changed any row.
util::Result<bool> changed(util::Result<Rows> rows) {
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  return rows->affected() > 0;
}

util::Result<void> done(util::Result<Rows> rows) {
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  return {};
}

// The statements of the clients and of the users tables (same shape).
struct PrincipalSql {
  const char* all;
  const char* one;
  const char* put;
  const char* remove;
};
constexpr PrincipalSql k_clients_sql{
  "SELECT id, resource, secret_hash, source, updated_at FROM clients ORDER BY id",
  "SELECT id, resource, secret_hash, source, updated_at FROM clients WHERE id = $1",
  "INSERT INTO clients (id, resource, secret_hash, source, updated_at) VALUES ($1, $2, $3, $4, $5)"
  " ON CONFLICT (id) DO UPDATE SET resource = excluded.resource, secret_hash = excluded.secret_hash,"
  " source = excluded.source, updated_at = excluded.updated_at",
  "DELETE FROM clients WHERE id = $1",
};
constexpr PrincipalSql k_users_sql{
  "SELECT id, resource, secret_hash, source, updated_at FROM users ORDER BY id",
  "SELECT id, resource, secret_hash, source, updated_at FROM users WHERE id = $1",
  "INSERT INTO users (id, resource, secret_hash, source, updated_at) VALUES ($1, $2, $3, $4, $5)"
  " ON CONFLICT (id) DO UPDATE SET resource = excluded.resource, secret_hash = excluded.secret_hash,"
  " source = excluded.source, updated_at = excluded.updated_at",
  "DELETE FROM users WHERE id = $1",
};

// Bumps counter $1 and sends its name and new value on channel $2, in the caller's transaction:
// the row lock on the counter orders concurrent bumps by commit, so a reader that sees
// version N also sees every change with a version below N; the NOTIFY goes out at COMMIT.
constexpr const char* k_bump_sql =
  "WITH bumped AS (UPDATE counters SET value = value + 1 WHERE name = $1"
  " RETURNING value) SELECT value, pg_notify($2, $1 || ' ' || value) FROM bumped";

util::Result<std::int64_t> bump(Connection& db, const char* counter) {
  auto rows = db.exec(k_bump_sql, {counter, k_changes_channel});
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  if (rows->empty()) {
    return util::fail(ErrorKind::internal, std::string("state store: counter ") + counter + " is missing");
  }
  return rows->int64(0, 0);
}

util::Result<void> bump_directory(Connection& db) {
  return bump(db, "directory").map([](std::int64_t) {});
}

std::int64_t wall_now() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

// ---- the steps that several operations share, inside the caller's transaction -----------

util::Result<void> revoke_access_in(Connection& db, const std::string& jti, std::int64_t expires_at) {
  auto seq = bump(db, "revocations");
  if (!seq) {
    return tl::unexpected(seq.error());
  }
  return done(db.exec("INSERT INTO revoked_tokens (jti, expires_at, seq) VALUES ($1, $2, $3)"
                      " ON CONFLICT (jti) DO UPDATE SET expires_at = greatest(revoked_tokens.expires_at,"
                      " excluded.expires_at), seq = excluded.seq",
                      {jti, expires_at, *seq}));
}

util::Result<void> revoke_family_in(Connection& db, const std::string& family) {
  // The family row's lock orders this against rotations and add_family_token.
  if (auto marked = db.exec("INSERT INTO families (family, revoked, expires_at) VALUES ($1, true, 0)"
                            " ON CONFLICT (family) DO UPDATE SET revoked = true",
                            {family});
      !marked) {
    return tl::unexpected(marked.error());
  }
  auto seq = bump(db, "revocations");
  if (!seq) {
    return tl::unexpected(seq.error());
  }
  return done(db.exec("INSERT INTO revoked_tokens (jti, expires_at, seq)"
                      " SELECT jti, expires_at, $2 FROM family_tokens WHERE family = $1"
                      " ON CONFLICT (jti) DO UPDATE SET expires_at = greatest(revoked_tokens.expires_at,"
                      " excluded.expires_at), seq = excluded.seq",
                      {family, *seq}));
}

util::Result<void> insert_refresh_in(Connection& db, const RefreshRecord& token) {
  // A new family takes the token's certificate binding; an existing one keeps its own.
  if (auto family =
        db.exec("INSERT INTO families (family, expires_at, certificate_thumbprint) VALUES ($1, $2, $3)"
                " ON CONFLICT (family) DO UPDATE SET expires_at = greatest(families.expires_at,"
                " excluded.expires_at)",
                {token.family, token.expires_at, token.certificate_thumbprint});
      !family) {
    return tl::unexpected(family.error());
  }
  return done(db.exec("INSERT INTO refresh_tokens (token_hash, family, client_id, user_id, scopes, auth_time,"
                      " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                      {token.token_hash, token.family, token.client_id, token.user_id,
                       join_scopes(token.scopes), token.auth_time, token.expires_at}));
}

util::Result<std::optional<RefreshRecord>> find_refresh_in(Connection& db, const std::string& token_hash) {
  return first(db.exec("SELECT r.token_hash, r.family, r.client_id, r.user_id, r.scopes, r.auth_time,"
                       " r.expires_at, r.rotated, coalesce(f.revoked, false),"
                       " coalesce(f.certificate_thumbprint, '')"
                       " FROM refresh_tokens r LEFT JOIN families f ON f.family = r.family"
                       " WHERE r.token_hash = $1",
                       {token_hash}),
               read_refresh);
}

// The PostgreSQL implementation. Each operation is one statement, or one transaction on
// one pooled connection; single use and compare-and-swap are decided by row locks in the
// database (READ COMMITTED re-checks an UPDATE's WHERE on the newest row version), so
// replicas on one database see each operation whole.
class PostgresStateStore final : public StateStore {
public:
  explicit PostgresStateStore(std::unique_ptr<pg::Pool> pool) : m_pool(std::move(pool)) {}
  ~PostgresStateStore() override {
    m_listener.reset(); // its thread calls the watcher: stop it before anything else goes
  }
  PostgresStateStore(const PostgresStateStore&) = delete;
  PostgresStateStore& operator=(const PostgresStateStore&) = delete;

  // ---- change notification ----
  // LISTEN on a connection of its own: every replica's revocation or directory change
  // NOTIFYs at commit, and `wake` runs within milliseconds (also after a reconnect, to
  // catch up). The caller's own poll stays the fallback and the bound.
  void on_change(std::function<void()> wake) override {
    m_listener.reset();
    if (!wake) {
      return;
    }
    pg::Listener::Options options;
    options.url = m_pool->options().url;
    options.connect = m_pool->options().connect;
    options.connect.application_name = "oauthctl serve (listen)";
    options.channel = k_changes_channel;
    options.poll = std::chrono::hours(1); // polling is the caller's; this only listens
    m_listener = pg::Listener::start(std::move(options), std::move(wake));
  }

  // One statement on its own (it commits by itself). Retried on a fresh connection only
  // when it never reached the server (pg::Pool::run): a write must not run twice.
  util::Result<Rows> exec(const char* sql, const std::vector<Param>& params = {}) {
    return m_pool->run([&](Connection& db) { return db.exec(sql, params); });
  }

  // A statement that only reads: also retried when its connection broke after sending it.
  util::Result<Rows> read(const char* sql, const std::vector<Param>& params = {}) {
    return m_pool->run([&](Connection& db) { return db.exec(sql, params); }, pg::Pool::Retry::idempotent);
  }

  template<typename T>
  util::Result<T> transaction(const std::function<util::Result<T>(Connection&)>& work) {
    return m_pool->run([&](Connection& db) { return db.transaction<T>(work); });
  }

  // ---- clients and users ----
  util::Result<std::vector<PrincipalRecord>> clients() override {
    return all(read(k_clients_sql.all), read_principal);
  }
  util::Result<std::optional<PrincipalRecord>> client(const std::string& id) override {
    return first(read(k_clients_sql.one, {id}), read_principal);
  }
  util::Result<void> put_client(const PrincipalRecord& record) override {
    return put_principal(k_clients_sql, record);
  }
  util::Result<bool> delete_client(const std::string& id) override {
    return delete_principal(k_clients_sql, id);
  }
  util::Result<std::vector<PrincipalRecord>> users() override {
    return all(read(k_users_sql.all), read_principal);
  }
  util::Result<std::optional<PrincipalRecord>> user(const std::string& id) override {
    return first(read(k_users_sql.one, {id}), read_principal);
  }
  util::Result<void> put_user(const PrincipalRecord& record) override {
    return put_principal(k_users_sql, record);
  }
  util::Result<bool> delete_user(const std::string& id) override { return delete_principal(k_users_sql, id); }

  // ---- keys ----
  util::Result<std::vector<KeyRecord>> keys() override {
    return all(
      read(
        "SELECT kid, alg, pem, created_at, retired_at, publish_until FROM keys ORDER BY created_at, added"),
      read_key);
  }

  util::Result<bool> add_key(const KeyRecord& key) override {
    return transaction<bool>([&](Connection& db) -> util::Result<bool> {
      auto added =
        changed(db.exec("INSERT INTO keys (kid, alg, pem, created_at, retired_at, publish_until)"
                        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kid) DO NOTHING",
                        {key.kid, key.alg, key.pem, key.created_at, key.retired_at, key.publish_until}));
      if (!added || !*added) {
        return added;
      }
      return bump_directory(db).map([] { return true; });
    });
  }

  // The table lock (which conflicts with itself and with every insert) makes the check and
  // the insert one step across processes; READ COMMITTED then sees a key another replica
  // committed while this one waited.
  util::Result<bool> add_first_key(const KeyRecord& key) override {
    return transaction<bool>([&](Connection& db) -> util::Result<bool> {
      if (auto locked = db.exec("LOCK TABLE keys IN SHARE ROW EXCLUSIVE MODE"); !locked) {
        return tl::unexpected(locked.error());
      }
      auto added =
        changed(db.exec("INSERT INTO keys (kid, alg, pem, created_at, retired_at, publish_until)"
                        " SELECT $1, $2, $3, $4, $5, $6"
                        " WHERE NOT EXISTS (SELECT 1 FROM keys WHERE retired_at = 0)"
                        " ON CONFLICT (kid) DO NOTHING",
                        {key.kid, key.alg, key.pem, key.created_at, key.retired_at, key.publish_until}));
      if (!added || !*added) {
        return added;
      }
      return bump_directory(db).map([] { return true; });
    });
  }

  util::Result<bool> retire_key(const std::string& kid, std::int64_t retired_at,
                                std::int64_t publish_until) override {
    return transaction<bool>([&](Connection& db) -> util::Result<bool> {
      auto retired = changed(db.exec("UPDATE keys SET retired_at = $1, publish_until = $2"
                                     " WHERE kid = $3 AND retired_at = 0",
                                     {retired_at, publish_until, kid}));
      if (!retired || !*retired) {
        return retired;
      }
      return bump_directory(db).map([] { return true; });
    });
  }

  util::Result<std::int64_t> directory_version() override {
    auto rows = read("SELECT value FROM counters WHERE name = 'directory'");
    return first(std::move(rows), [](const Rows& r, int i) { return r.int64(i, 0); }).map([](auto found) {
      return found.value_or(0);
    });
  }

  // ---- sessions ----
  util::Result<void> put_session(const SessionRecord& session) override {
    return done(exec(k_put_session, {session.id, session.csrf_token, session.user_id, session.auth_time,
                                     session.created_at, session.expires_at}));
  }

  util::Result<std::optional<SessionRecord>> session(const std::string& id, std::int64_t now) override {
    return first(read("SELECT id, csrf_token, user_id, auth_time, created_at, expires_at"
                      " FROM sessions WHERE id = $1 AND expires_at > $2",
                      {id, now}),
                 read_session);
  }

  util::Result<bool> replace_session(const std::string& old_id, const SessionRecord& fresh) override {
    return transaction<bool>([&](Connection& db) -> util::Result<bool> {
      auto deleted = changed(db.exec("DELETE FROM sessions WHERE id = $1", {old_id}));
      if (!deleted || !*deleted) {
        return deleted;
      }
      if (auto inserted = db.exec(k_put_session, {fresh.id, fresh.csrf_token, fresh.user_id, fresh.auth_time,
                                                  fresh.created_at, fresh.expires_at});
          !inserted) {
        return tl::unexpected(inserted.error());
      }
      return done(db.exec("UPDATE pending_requests SET session_id = $1 WHERE session_id = $2",
                          {fresh.id, old_id}))
        .map([] { return true; });
    });
  }

  util::Result<void> delete_session(const std::string& id) override {
    return done(exec("DELETE FROM sessions WHERE id = $1", {id}));
  }

  // ---- pending requests ----
  util::Result<void> put_pending(const PendingRecord& r) override {
    return done(
      exec("INSERT INTO pending_requests (id, session_id, client_id, redirect_uri, response_type, state,"
           " scopes, code_challenge, nonce, login_hint, prompt_login, max_age, extra_json, created_at,"
           " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
           " ON CONFLICT (id) DO UPDATE SET session_id = excluded.session_id,"
           " client_id = excluded.client_id, redirect_uri = excluded.redirect_uri,"
           " response_type = excluded.response_type, state = excluded.state, scopes = excluded.scopes,"
           " code_challenge = excluded.code_challenge, nonce = excluded.nonce,"
           " login_hint = excluded.login_hint, prompt_login = excluded.prompt_login,"
           " max_age = excluded.max_age, extra_json = excluded.extra_json,"
           " created_at = excluded.created_at, expires_at = excluded.expires_at",
           {r.id, r.session_id, r.client_id, r.redirect_uri, r.response_type, r.state, join_scopes(r.scopes),
            r.code_challenge, r.nonce, r.login_hint, r.prompt_login, r.max_age, r.extra_json, r.created_at,
            r.expires_at}));
  }

  util::Result<std::optional<PendingRecord>> pending(const std::string& id, std::int64_t now) override {
    return first(read("SELECT id, session_id, client_id, redirect_uri, response_type, state, scopes,"
                      " code_challenge, nonce, login_hint, prompt_login, max_age, extra_json, created_at,"
                      " expires_at FROM pending_requests WHERE id = $1 AND expires_at > $2",
                      {id, now}),
                 read_pending);
  }

  util::Result<void> pending_login_done(const std::string& id) override {
    return done(exec("UPDATE pending_requests SET prompt_login = false WHERE id = $1", {id}));
  }

  util::Result<bool> take_pending(const std::string& id) override {
    return changed(exec("DELETE FROM pending_requests WHERE id = $1", {id}));
  }

  // ---- codes ----
  util::Result<void> put_code(const CodeRecord& code) override {
    return done(
      exec("INSERT INTO codes (code_hash, client_id, redirect_uri, code_challenge, nonce, user_id, scopes,"
           " auth_time, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
           {code.code_hash, code.client_id, code.redirect_uri, code.code_challenge, code.nonce, code.user_id,
            join_scopes(code.scopes), code.auth_time, code.expires_at}));
  }

  util::Result<std::pair<CodeUse, CodeRecord>> use_code(const std::string& code_hash,
                                                        const std::string& client_id) override {
    using Answer = std::pair<CodeUse, CodeRecord>;
    return transaction<Answer>([&](Connection& db) -> util::Result<Answer> {
      // The single use: of concurrent UPDATEs the row lock lets one through; the others
      // re-check `used` on the committed row and match nothing.
      auto used = first(db.exec("UPDATE codes SET used = true WHERE code_hash = $1 AND client_id = $2"
                                " AND NOT used RETURNING " OAUTHCTL_CODE_COLUMNS,
                                {code_hash, client_id}),
                        read_code);
      if (!used) {
        return tl::unexpected(used.error());
      }
      if (*used) {
        return Answer{CodeUse::ok, std::move(**used)};
      }
      auto found = first(
        db.exec("SELECT " OAUTHCTL_CODE_COLUMNS " FROM codes WHERE code_hash = $1", {code_hash}), read_code);
      if (!found) {
        return tl::unexpected(found.error());
      }
      if (!*found) {
        return Answer{CodeUse::unknown, CodeRecord{}};
      }
      auto code = std::move(**found);
      if (code.client_id != client_id) {
        return Answer{CodeUse::wrong_client, CodeRecord{}};
      }
      auto links = all(db.exec("SELECT jti, expires_at FROM code_tokens WHERE code_hash = $1", {code_hash}),
                       [](const Rows& r, int i) {
                         return CodeRecord::LinkedToken{r.text(i, 0), r.int64(i, 1)};
                       });
      if (!links) {
        return tl::unexpected(links.error());
      }
      code.linked_jtis = std::move(*links);
      return Answer{CodeUse::replayed, std::move(code)};
    });
  }

  util::Result<void> link_code(const std::string& code_hash, const std::string& jti,
                               std::int64_t jti_expires_at, const std::string& family) override {
    return transaction<void>([&](Connection& db) -> util::Result<void> {
      if (auto linked = db.exec("INSERT INTO code_tokens (code_hash, jti, expires_at) VALUES ($1, $2, $3)"
                                " ON CONFLICT DO NOTHING",
                                {code_hash, jti, jti_expires_at});
          !linked) {
        return tl::unexpected(linked.error());
      }
      if (family.empty()) {
        return {};
      }
      return done(db.exec("UPDATE codes SET family = $1 WHERE code_hash = $2", {family, code_hash}));
    });
  }

  // ---- refresh ----
  util::Result<void> put_refresh(const RefreshRecord& token) override {
    return transaction<void>([&](Connection& db) { return insert_refresh_in(db, token); });
  }

  util::Result<std::optional<RefreshRecord>> refresh(const std::string& token_hash) override {
    return m_pool->run([&](Connection& db) { return find_refresh_in(db, token_hash); },
                       pg::Pool::Retry::idempotent);
  }

  util::Result<std::pair<RefreshUse, RefreshRecord>>
  rotate_refresh(const RefreshRotation& rotation) override {
    using Answer = std::pair<RefreshUse, RefreshRecord>;
    return transaction<Answer>([&](Connection& db) -> util::Result<Answer> {
      // Lock the family row first: rotations, revocations and add_family_token of one
      // family then run one after another, and each statement below sees the last one's
      // outcome.
      auto locked = db.exec("SELECT f.revoked FROM families f JOIN refresh_tokens r ON r.family = f.family"
                            " WHERE r.token_hash = $1 FOR UPDATE OF f",
                            {rotation.token_hash});
      if (!locked) {
        return tl::unexpected(locked.error());
      }
      // The compare-and-swap: rotated false -> true, only for a live token of a live family
      // that is bound to no certificate or to the one presented (RFC 8705 §4).
      auto swapped = changed(
        db.exec("UPDATE refresh_tokens SET rotated = true WHERE token_hash = $1"
                " AND client_id = $2 AND NOT rotated AND expires_at > $3 AND NOT EXISTS"
                " (SELECT 1 FROM families f WHERE f.family = refresh_tokens.family"
                " AND (f.revoked OR f.certificate_thumbprint NOT IN ('', $4)))",
                {rotation.token_hash, rotation.client_id, rotation.now, rotation.certificate_thumbprint}));
      if (!swapped) {
        return tl::unexpected(swapped.error());
      }
      auto found = find_refresh_in(db, rotation.token_hash);
      if (!found) {
        return tl::unexpected(found.error());
      }
      if (!*found) {
        return Answer{RefreshUse::unknown, RefreshRecord{}};
      }
      auto token = std::move(**found);
      if (*swapped) {
        if (!rotation.successor_hash.empty()) {
          auto successor = token;
          successor.token_hash = rotation.successor_hash;
          successor.expires_at = rotation.successor_expires_at;
          if (auto inserted = insert_refresh_in(db, successor); !inserted) {
            return tl::unexpected(inserted.error());
          }
        }
        token.rotated = false; // as presented
        return Answer{RefreshUse::ok, std::move(token)};
      }
      if (token.client_id != rotation.client_id) {
        // RFC 6749 §6: bound to its client; another client learns nothing more.
        return Answer{RefreshUse::wrong_client, RefreshRecord{}};
      }
      if (!token.certificate_thumbprint.empty() &&
          token.certificate_thumbprint != rotation.certificate_thumbprint) {
        // RFC 8705 §4: whoever lacks the family's certificate cannot use it, nor end it.
        return Answer{RefreshUse::wrong_certificate, RefreshRecord{}};
      }
      if (token.family_revoked || token.rotated) {
        // RFC 9700 §4.14.2: two parties hold the family; neither may go on.
        if (auto revoked = revoke_family_in(db, token.family); !revoked) {
          return tl::unexpected(revoked.error());
        }
        return Answer{RefreshUse::replayed, std::move(token)};
      }
      return Answer{RefreshUse::expired, std::move(token)};
    });
  }

  util::Result<void> revoke_family(const std::string& family) override {
    return transaction<void>([&](Connection& db) { return revoke_family_in(db, family); });
  }

  util::Result<void> add_family_token(const std::string& family, const std::string& jti,
                                      std::int64_t expires_at) override {
    return transaction<void>([&](Connection& db) -> util::Result<void> {
      // The upsert locks the family row and returns its newest state: a revocation that
      // committed first is seen here, one that comes later sees this token.
      auto revoked =
        first(db.exec("INSERT INTO families (family, expires_at) VALUES ($1, $2)"
                      " ON CONFLICT (family) DO UPDATE SET expires_at = greatest(families.expires_at,"
                      " excluded.expires_at) RETURNING revoked",
                      {family, expires_at}),
              [](const Rows& r, int i) { return r.boolean(i, 0); });
      if (!revoked) {
        return tl::unexpected(revoked.error());
      }
      if (revoked->value_or(false)) {
        return revoke_access_in(db, jti, expires_at);
      }
      return done(db.exec("INSERT INTO family_tokens (family, jti, expires_at) VALUES ($1, $2, $3)"
                          " ON CONFLICT (family, jti) DO UPDATE SET expires_at = excluded.expires_at",
                          {family, jti, expires_at}));
    });
  }

  util::Result<std::vector<std::string>> families_of(const std::string& user_id,
                                                     const std::string& client_id) override {
    return all(read("SELECT DISTINCT r.family FROM refresh_tokens r JOIN families f ON f.family = r.family"
                    " WHERE r.user_id = $1 AND r.client_id = $2 AND NOT f.revoked ORDER BY r.family",
                    {user_id, client_id}),
               [](const Rows& r, int i) { return r.text(i, 0); });
  }

  util::Result<std::string> family_of(const std::string& jti) override {
    return first(read("SELECT family FROM family_tokens WHERE jti = $1 LIMIT 1", {jti}),
                 [](const Rows& r, int i) { return r.text(i, 0); })
      .map([](auto found) { return found.value_or(std::string()); });
  }

  // ---- revocations ----
  util::Result<void> revoke_access(const std::string& jti, std::int64_t expires_at) override {
    return transaction<void>([&](Connection& db) { return revoke_access_in(db, jti, expires_at); });
  }

  util::Result<RevocationDelta> revocations_since(std::int64_t version) override {
    // One statement, so one snapshot: the counter and the rows agree.
    auto rows = read("SELECT c.value, r.jti, r.expires_at, r.seq FROM counters c"
                     " LEFT JOIN revoked_tokens r ON r.seq > $1 WHERE c.name = 'revocations' ORDER BY r.seq",
                     {version});
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    RevocationDelta delta;
    for (int i = 0; i < rows->size(); ++i) {
      delta.version = rows->int64(i, 0);
      if (!rows->is_null(i, 1)) {
        delta.added.push_back({rows->text(i, 1), rows->int64(i, 2), rows->int64(i, 3)});
      }
    }
    return delta;
  }

  // ---- device codes ----
  util::Result<bool> put_device(const DeviceRecord& d) override {
    return transaction<bool>([&](Connection& db) -> util::Result<bool> {
      // An expired authorization does not hold on to its user code.
      if (auto freed = db.exec("UPDATE device_codes SET user_code_hash = NULL"
                               " WHERE user_code_hash = $1 AND expires_at <= $2",
                               {d.user_code_hash, d.created_at});
          !freed) {
        return tl::unexpected(freed.error());
      }
      return changed(db.exec(
        "INSERT INTO device_codes (device_hash, user_code_hash, client_id, scopes, state,"
        " interval, last_poll, user_id, auth_time, created_at, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
        {d.device_hash, d.user_code_hash, d.client_id, join_scopes(d.scopes), device_state_name(d.state),
         d.interval, d.last_poll, d.user_id, d.auth_time, d.created_at, d.expires_at}));
    });
  }

  util::Result<std::optional<DeviceRecord>> pending_device(const std::string& user_code_hash,
                                                           std::int64_t now) override {
    return first(read("SELECT " OAUTHCTL_DEVICE_COLUMNS " FROM device_codes WHERE user_code_hash = $1"
                      " AND state = 'pending' AND expires_at > $2",
                      {user_code_hash, now}),
                 read_device);
  }

  util::Result<bool> decide_device(const std::string& user_code_hash, bool approve,
                                   const std::string& user_id, std::int64_t auth_time,
                                   std::int64_t now) override {
    // A user code is good for one decision: it is cleared with it.
    return changed(
      exec("UPDATE device_codes SET state = $1, user_id = $2, auth_time = $3, user_code_hash = NULL"
           " WHERE user_code_hash = $4 AND state = 'pending' AND expires_at > $5",
           {approve ? "approved" : "denied", user_id, auth_time, user_code_hash, now}));
  }

  util::Result<std::pair<DevicePollResult, DeviceRecord>>
  poll_device(const std::string& device_hash, const std::string& client_id, std::int64_t now) override {
    using Answer = std::pair<DevicePollResult, DeviceRecord>;
    return transaction<Answer>([&](Connection& db) -> util::Result<Answer> {
      // FOR UPDATE: concurrent polls of one device code take turns, so the interval check
      // and the single hand-out of an approved code see each other.
      auto found = first(db.exec("SELECT " OAUTHCTL_DEVICE_COLUMNS " FROM device_codes WHERE device_hash = $1"
                                 " FOR UPDATE",
                                 {device_hash}),
                         read_device);
      if (!found) {
        return tl::unexpected(found.error());
      }
      // RFC 8628 §3.4 with RFC 6749 §5.2: another client's device code is invalid_grant.
      if (!*found || (*found)->client_id != client_id) {
        return Answer{DevicePollResult::unknown, {}};
      }
      auto device = std::move(**found);
      if (device.expires_at <= now) {
        return Answer{DevicePollResult::expired, {}};
      }
      switch (device.state) {
        case DeviceState::approved: {
          // Single use: the device code is gone once its tokens are issued.
          if (auto deleted = db.exec("DELETE FROM device_codes WHERE device_hash = $1", {device_hash});
              !deleted) {
            return tl::unexpected(deleted.error());
          }
          return Answer{DevicePollResult::approved, std::move(device)};
        }
        case DeviceState::denied:
          return Answer{DevicePollResult::denied, {}};
        case DeviceState::pending:
          break;
      }
      // RFC 8628 §3.5: polling sooner than the interval answers slow_down, and the interval
      // grows by 5 seconds from then on.
      const bool too_soon = device.last_poll != 0 && now - device.last_poll < device.interval;
      if (auto updated = db.exec("UPDATE device_codes SET last_poll = $1, interval = interval + $2"
                                 " WHERE device_hash = $3",
                                 {now, too_soon ? k_slow_down_step : std::int64_t{0}, device_hash});
          !updated) {
        return tl::unexpected(updated.error());
      }
      return Answer{too_soon ? DevicePollResult::slow_down : DevicePollResult::pending, {}};
    });
  }

  // ---- consent ----
  util::Result<void> put_consent(const ConsentRecord& consent) override {
    return done(
      exec("INSERT INTO consents (user_id, client_id, scopes, granted_at, expires_at)"
           " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, client_id) DO UPDATE SET"
           " scopes = excluded.scopes, granted_at = excluded.granted_at, expires_at = excluded.expires_at",
           {consent.user_id, consent.client_id, join_scopes(consent.scopes), consent.granted_at,
            consent.expires_at}));
  }

  util::Result<std::optional<ConsentRecord>> consent(const std::string& user_id, const std::string& client_id,
                                                     std::int64_t now) override {
    return first(read("SELECT user_id, client_id, scopes, granted_at, expires_at FROM consents"
                      " WHERE user_id = $1 AND client_id = $2 AND (expires_at = 0 OR expires_at > $3)",
                      {user_id, client_id, now}),
                 read_consent);
  }

  util::Result<std::vector<ConsentRecord>> consents(const std::string& user_id, std::int64_t now) override {
    return all(read("SELECT user_id, client_id, scopes, granted_at, expires_at FROM consents"
                    " WHERE user_id = $1 AND (expires_at = 0 OR expires_at > $2) ORDER BY client_id",
                    {user_id, now}),
               read_consent);
  }

  util::Result<void> delete_consent(const std::string& user_id, const std::string& client_id) override {
    return done(exec("DELETE FROM consents WHERE user_id = $1 AND client_id = $2", {user_id, client_id}));
  }

  // ---- backoff ----
  util::Result<std::optional<BackoffRecord>> backoff(const std::string& key, std::int64_t now) override {
    return first(
      read("SELECT key, failures, last_failure, expires_at FROM backoff WHERE key = $1 AND expires_at > $2",
           {key, now}),
      read_backoff);
  }

  util::Result<BackoffRecord> add_failure(const std::string& key, std::int64_t now,
                                          std::int64_t window) override {
    // One statement: the increment (or the restart after the window) happens in the database.
    auto row =
      first(exec("INSERT INTO backoff (key, failures, last_failure, expires_at) VALUES ($1, 1, $2, $3)"
                 " ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN backoff.expires_at <="
                 " excluded.last_failure THEN 1 ELSE backoff.failures + 1 END,"
                 " last_failure = excluded.last_failure, expires_at = excluded.expires_at"
                 " RETURNING key, failures, last_failure, expires_at",
                 {key, now, now + window}),
            read_backoff);
    if (!row) {
      return tl::unexpected(row.error());
    }
    if (!*row) {
      return util::fail(ErrorKind::internal, "state store: the backoff upsert returned no row");
    }
    return std::move(**row);
  }

  util::Result<void> clear_failures(const std::string& key) override {
    return done(exec("DELETE FROM backoff WHERE key = $1", {key}));
  }

  // ---- jtis ----
  util::Result<bool> use_jti(JtiKind kind, const std::string& issuer, const std::string& jti,
                             std::int64_t expires_at, std::int64_t now) override {
    // The primary key decides: a concurrent insert of the same jti waits for the first to
    // commit and then takes the conflict path, where an unexpired row changes nothing.
    return changed(exec("INSERT INTO used_jtis (kind, issuer, jti, expires_at) VALUES ($1, $2, $3, $4)"
                        " ON CONFLICT (kind, issuer, jti) DO UPDATE SET expires_at = excluded.expires_at"
                        " WHERE used_jtis.expires_at <= $5",
                        {jti_kind_name(kind), issuer, jti, expires_at, now}));
  }

  // ---- bounds ----
  util::Result<std::size_t> count(Bounded what, std::int64_t now, const std::string& client_id) override {
    util::Result<Rows> rows = util::fail(ErrorKind::internal, "state store: unknown bounded kind");
    switch (what) {
      case Bounded::anonymous_sessions:
        rows = read("SELECT count(*) FROM sessions WHERE user_id = '' AND expires_at > $1", {now});
        break;
      case Bounded::pending_requests:
        rows = read("SELECT count(*) FROM pending_requests WHERE expires_at > $1", {now});
        break;
      case Bounded::device_codes:
        rows = client_id.empty()
                 ? read("SELECT count(*) FROM device_codes WHERE expires_at > $1", {now})
                 : read("SELECT count(*) FROM device_codes WHERE expires_at > $1 AND client_id = $2",
                        {now, client_id});
        break;
    }
    return first(std::move(rows),
                 [](const Rows& r, int i) { return static_cast<std::size_t>(r.int64(i, 0)); })
      .map([](auto found) { return found.value_or(0); });
  }

  util::Result<std::size_t> evict(Bounded what, std::size_t keep) override {
    // Keeps the `keep` rows that expire last and deletes the rest.
    const char* sql = nullptr;
    switch (what) {
      case Bounded::anonymous_sessions:
        sql = "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE user_id = ''"
              " ORDER BY expires_at DESC OFFSET $1)";
        break;
      case Bounded::pending_requests:
        sql = "DELETE FROM pending_requests WHERE id IN (SELECT id FROM pending_requests"
              " ORDER BY expires_at DESC OFFSET $1)";
        break;
      case Bounded::device_codes:
        sql = "DELETE FROM device_codes WHERE device_hash IN (SELECT device_hash FROM device_codes"
              " ORDER BY expires_at DESC OFFSET $1)";
        break;
    }
    if (sql == nullptr) {
      return util::fail(ErrorKind::internal, "state store: unknown bounded kind");
    }
    auto rows = exec(sql, {static_cast<std::int64_t>(keep)});
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    return static_cast<std::size_t>(rows->affected());
  }

  util::Result<std::size_t> prune(std::int64_t now) override {
    return transaction<std::size_t>([&](Connection& db) -> util::Result<std::size_t> {
      // Every replica prunes on its schedule; one at a time is enough, and replicas
      // deleting the same rows in different orders could deadlock.
      auto ours = db.exec("SELECT pg_try_advisory_xact_lock($1)", {k_postgres_prune_lock});
      if (!ours) {
        return tl::unexpected(ours.error());
      }
      if (!ours->boolean(0, 0)) {
        return std::size_t{0};
      }
      // Families go when their last token expired; their tokens and access token ids with them.
      struct Step {
        const char* sql;
        std::vector<Param> params;
      };
      const Step steps[] = {
        {"DELETE FROM sessions WHERE expires_at <= $1", {now}},
        {"DELETE FROM pending_requests WHERE expires_at <= $1", {now}},
        {"DELETE FROM code_tokens WHERE code_hash IN (SELECT code_hash FROM codes WHERE expires_at + $2 <= "
         "$1)",
         {now, k_used_code_memory}},
        {"DELETE FROM codes WHERE expires_at + $2 <= $1", {now, k_used_code_memory}},
        {"DELETE FROM refresh_tokens WHERE expires_at <= $1", {now}},
        {"DELETE FROM family_tokens WHERE expires_at <= $1", {now}},
        {"DELETE FROM families f WHERE f.expires_at <= $1 AND NOT EXISTS"
         " (SELECT 1 FROM refresh_tokens r WHERE r.family = f.family)",
         {now}},
        {"DELETE FROM revoked_tokens WHERE expires_at <= $1", {now}},
        {"DELETE FROM device_codes WHERE expires_at + $2 <= $1", {now, k_expired_device_memory}},
        {"DELETE FROM consents WHERE expires_at <> 0 AND expires_at <= $1", {now}},
        {"DELETE FROM backoff WHERE expires_at <= $1", {now}},
        {"DELETE FROM used_jtis WHERE expires_at <= $1", {now}},
        {"DELETE FROM keys WHERE retired_at <> 0 AND publish_until <= $1", {now}},
      };
      std::size_t removed = 0;
      for (const auto& step : steps) {
        auto rows = db.exec(step.sql, step.params);
        if (!rows) {
          return tl::unexpected(rows.error());
        }
        removed += static_cast<std::size_t>(rows->affected());
      }
      return removed;
    });
  }

private:
  // The column `consented` is no longer written: consent is the consents table's, per user.
  static constexpr const char* k_put_session =
    "INSERT INTO sessions (id, csrf_token, user_id, auth_time, created_at, expires_at)"
    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET csrf_token = excluded.csrf_token,"
    " user_id = excluded.user_id, auth_time = excluded.auth_time, created_at = excluded.created_at,"
    " expires_at = excluded.expires_at";

  util::Result<void> put_principal(const PrincipalSql& sql, const PrincipalRecord& record) {
    return transaction<void>([&](Connection& db) -> util::Result<void> {
      if (auto put = db.exec(sql.put, {record.id, record.resource_json, record.secret_hash,
                                       source_name(record.source), wall_now()});
          !put) {
        return tl::unexpected(put.error());
      }
      return bump_directory(db);
    });
  }

  util::Result<bool> delete_principal(const PrincipalSql& sql, const std::string& id) {
    return transaction<bool>([&](Connection& db) -> util::Result<bool> {
      auto deleted = changed(db.exec(sql.remove, {id}));
      if (!deleted || !*deleted) {
        return deleted;
      }
      return bump_directory(db).map([] { return true; });
    });
  }

  std::unique_ptr<pg::Pool> m_pool;
  std::unique_ptr<pg::Listener> m_listener;
};

#undef OAUTHCTL_CODE_COLUMNS
#undef OAUTHCTL_DEVICE_COLUMNS

} // namespace

util::Result<std::unique_ptr<StateStore>> open_postgres_state_store(const PostgresOptions& options) {
  pg::PoolOptions pool_options;
  pool_options.url = options.url;
  pool_options.size = options.pool_size;
  pool_options.wait = options.wait;
  pool_options.connect.statement_timeout = options.statement_timeout;
  auto pool = pg::Pool::open(std::move(pool_options));
  if (!pool) {
    return tl::unexpected(pool.error());
  }
  auto migrated = (*pool)->run(
    [](Connection& db) { return pg::migrate(db, k_postgres_migrations, k_postgres_migration_lock); });
  if (!migrated) {
    auto error = migrated.error();
    error.message = "state store: " + error.message;
    return tl::unexpected(error);
  }
  return std::unique_ptr<StateStore>(std::make_unique<PostgresStateStore>(std::move(*pool)));
}

} // namespace oauthctl::server::state
