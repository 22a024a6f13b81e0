// SPDX-License-Identifier: MIT
#include "server/state/sqlite_state_store.hpp"

#include "server/event_loop_guard.hpp"
#include "server/state/record_text.hpp"
#include "server/state/sqlite_migrations.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <system_error>
#include <unordered_map>

namespace oauthctl::server::state {

namespace {

using util::ErrorKind;

// One prepared statement in use: bound by position, stepped, reset when the use ends (the
// statement itself stays cached on the connection).
class Query {
public:
  Query(sqlite3* db, sqlite3_stmt* statement) : m_db(db), m_statement(statement) {}
  ~Query() {
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(const std::string& value) {
    sqlite3_bind_text(m_statement, ++m_index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Query& bind(const char* value) { return bind(std::string(value)); }
  Query& bind(std::int64_t value) {
    sqlite3_bind_int64(m_statement, ++m_index, value);
    return *this;
  }
  Query& bind(bool value) { return bind(static_cast<std::int64_t>(value ? 1 : 0)); }

  // Steps once: true with a row, false when done; an error otherwise.
  util::Result<bool> step() {
    const int rc = sqlite3_step(m_statement);
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc == SQLITE_DONE) {
      return false;
    }
    return util::fail(ErrorKind::network, fmt::format("state store: {}", sqlite3_errmsg(m_db)));
  }
  // Runs a statement that returns no rows; the number of rows it changed.
  util::Result<int> run() {
    auto stepped = step();
    if (!stepped) {
      return tl::unexpected(stepped.error());
    }
    return sqlite3_changes(m_db);
  }

  std::string text(int column) const {
    const auto* text = sqlite3_column_text(m_statement, column);
    return text == nullptr ? std::string()
                           : std::string(reinterpret_cast<const char*>(text),
                                         static_cast<std::size_t>(sqlite3_column_bytes(m_statement, column)));
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(m_statement, column); }

private:
  sqlite3* m_db;
  sqlite3_stmt* m_statement;
  int m_index = 0;
};

constexpr const char* k_principal_columns = "id, resource, secret_hash, source, updated_at";
constexpr const char* k_code_columns = "code_hash, client_id, redirect_uri, code_challenge, nonce, user_id, "
                                       "scopes, auth_time, expires_at, used, family";
constexpr const char* k_refresh_columns =
  "r.token_hash, r.family, r.client_id, r.user_id, r.scopes, r.auth_time, r.expires_at, r.rotated,"
  " coalesce(f.revoked, 0), coalesce(f.certificate_thumbprint, '')";
constexpr const char* k_device_columns =
  "device_hash, coalesce(user_code_hash, ''), client_id, scopes, state,"
  " interval, last_poll, user_id, auth_time, created_at, expires_at";
constexpr const char* k_pending_columns =
  "id, session_id, client_id, redirect_uri, response_type, state, scopes, code_challenge, nonce,"
  " login_hint, prompt_login, max_age, extra_json, created_at, expires_at";

PrincipalRecord principal_from_row(const Query& row) {
  return {row.text(0), row.text(1), row.text(2), parse_source(row.text(3)), row.integer(4)};
}

CodeRecord code_from_row(const Query& row) {
  CodeRecord code;
  code.code_hash = row.text(0);
  code.client_id = row.text(1);
  code.redirect_uri = row.text(2);
  code.code_challenge = row.text(3);
  code.nonce = row.text(4);
  code.user_id = row.text(5);
  code.scopes = split_scopes(row.text(6));
  code.auth_time = row.integer(7);
  code.expires_at = row.integer(8);
  code.used = row.integer(9) != 0;
  code.family = row.text(10);
  return code;
}

RefreshRecord refresh_from_row(const Query& row) {
  RefreshRecord token;
  token.token_hash = row.text(0);
  token.family = row.text(1);
  token.client_id = row.text(2);
  token.user_id = row.text(3);
  token.scopes = split_scopes(row.text(4));
  token.auth_time = row.integer(5);
  token.expires_at = row.integer(6);
  token.rotated = row.integer(7) != 0;
  token.family_revoked = row.integer(8) != 0;
  token.certificate_thumbprint = row.text(9);
  return token;
}

DeviceRecord device_from_row(const Query& row) {
  DeviceRecord device;
  device.device_hash = row.text(0);
  device.user_code_hash = row.text(1);
  device.client_id = row.text(2);
  device.scopes = split_scopes(row.text(3));
  device.state = parse_device_state(row.text(4));
  device.interval = row.integer(5);
  device.last_poll = row.integer(6);
  device.user_id = row.text(7);
  device.auth_time = row.integer(8);
  device.created_at = row.integer(9);
  device.expires_at = row.integer(10);
  return device;
}

PendingRecord pending_from_row(const Query& row) {
  PendingRecord request;
  request.id = row.text(0);
  request.session_id = row.text(1);
  request.client_id = row.text(2);
  request.redirect_uri = row.text(3);
  request.response_type = row.text(4);
  request.state = row.text(5);
  request.scopes = split_scopes(row.text(6));
  request.code_challenge = row.text(7);
  request.nonce = row.text(8);
  request.login_hint = row.text(9);
  request.prompt_login = row.integer(10) != 0;
  request.max_age = row.integer(11);
  request.extra_json = row.text(12);
  request.created_at = row.integer(13);
  request.expires_at = row.integer(14);
  return request;
}

std::int64_t wall_clock_now() {
  return static_cast<std::int64_t>(::time(nullptr));
}

// The SQLite implementation: one connection, serialised by a mutex (SQLite serialises
// writers anyway; statements take microseconds). Every multi-statement operation runs in
// BEGIN IMMEDIATE … COMMIT, which takes the database's write lock first, so other
// processes on the same file (WAL mode, busy timeout) see each operation whole.
class SqliteStateStore final : public StateStore {
public:
  explicit SqliteStateStore(sqlite3* db) : m_db(db) {}
  ~SqliteStateStore() override {
    for (auto& [sql, statement] : m_statements) {
      sqlite3_finalize(statement);
    }
    sqlite3_close_v2(m_db);
  }
  SqliteStateStore(const SqliteStateStore&) = delete;
  SqliteStateStore& operator=(const SqliteStateStore&) = delete;

  util::Result<void> exec(const std::string& sql, ErrorKind kind = ErrorKind::network) {
    char* message = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      auto error =
        util::fail(kind, fmt::format("state store: {}", message != nullptr ? message : sqlite3_errmsg(m_db)));
      sqlite3_free(message);
      return error;
    }
    return {};
  }

  util::Result<void> migrate() {
    const std::lock_guard lock(m_mutex);
    if (auto begun = exec("BEGIN IMMEDIATE", ErrorKind::io); !begun) {
      return begun;
    }
    auto done = migrate_locked();
    if (!done) {
      (void)exec("ROLLBACK");
      return done;
    }
    return exec("COMMIT", ErrorKind::io);
  }

  // ---- clients and users ----
  util::Result<std::vector<PrincipalRecord>> clients() override { return principals("clients"); }
  util::Result<std::optional<PrincipalRecord>> client(const std::string& id) override {
    return principal("clients", id);
  }
  util::Result<void> put_client(const PrincipalRecord& record) override {
    return put_principal("clients", "secret_hash", record);
  }
  util::Result<bool> delete_client(const std::string& id) override { return delete_principal("clients", id); }
  util::Result<std::vector<PrincipalRecord>> users() override { return principals("users"); }
  util::Result<std::optional<PrincipalRecord>> user(const std::string& id) override {
    return principal("users", id);
  }
  util::Result<void> put_user(const PrincipalRecord& record) override {
    return put_principal("users", "password_hash", record);
  }
  util::Result<bool> delete_user(const std::string& id) override { return delete_principal("users", id); }

  // ---- keys ----
  util::Result<std::vector<KeyRecord>> keys() override {
    const std::lock_guard lock(m_mutex);
    auto query = prepare("SELECT kid, alg, pem, created_at, retired_at, publish_until FROM keys"
                         " ORDER BY created_at, rowid");
    if (!query) {
      return tl::unexpected(query.error());
    }
    std::vector<KeyRecord> out;
    return collect(*query, out, [](const Query& row) {
      return KeyRecord{row.text(0), row.text(1), row.text(2), row.integer(3), row.integer(4), row.integer(5)};
    });
  }

  util::Result<bool> add_key(const KeyRecord& key) override {
    return insert_key(key, "INSERT OR IGNORE INTO keys (kid, alg, pem, created_at, retired_at, publish_until)"
                           " VALUES (?, ?, ?, ?, ?, ?)");
  }

  // BEGIN IMMEDIATE holds the write lock across the check and the insert.
  util::Result<bool> add_first_key(const KeyRecord& key) override {
    return insert_key(key,
                      "INSERT OR IGNORE INTO keys (kid, alg, pem, created_at, retired_at, publish_until)"
                      " SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM keys WHERE retired_at = 0)");
  }

  util::Result<bool> insert_key(const KeyRecord& key, const char* sql) {
    return transaction<bool>([&]() -> util::Result<bool> {
      auto query = prepare(sql);
      if (!query) {
        return tl::unexpected(query.error());
      }
      auto changed = query->bind(key.kid)
                       .bind(key.alg)
                       .bind(key.pem)
                       .bind(key.created_at)
                       .bind(key.retired_at)
                       .bind(key.publish_until)
                       .run();
      if (!changed) {
        return tl::unexpected(changed.error());
      }
      return bump("directory").map([&](std::int64_t) { return *changed > 0; });
    });
  }

  util::Result<bool> retire_key(const std::string& kid, std::int64_t retired_at,
                                std::int64_t publish_until) override {
    return transaction<bool>([&]() -> util::Result<bool> {
      auto changed = run("UPDATE keys SET retired_at = ?, publish_until = ? WHERE kid = ? AND retired_at = 0",
                         retired_at, publish_until, kid);
      if (!changed) {
        return tl::unexpected(changed.error());
      }
      return bump("directory").map([&](std::int64_t) { return *changed > 0; });
    });
  }

  util::Result<std::int64_t> directory_version() override {
    const std::lock_guard lock(m_mutex);
    return counter("directory");
  }

  // ---- sessions ----
  util::Result<void> put_session(const SessionRecord& session) override {
    const std::lock_guard lock(m_mutex);
    return insert_session_locked(session);
  }

  util::Result<std::optional<SessionRecord>> session(const std::string& id, std::int64_t now) override {
    const std::lock_guard lock(m_mutex);
    auto query = prepare("SELECT id, csrf_token, user_id, auth_time, created_at, expires_at"
                         " FROM sessions WHERE id = ? AND expires_at > ?");
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(id).bind(now);
    return first(*query, [](const Query& row) {
      return SessionRecord{row.text(0),    row.text(1),    row.text(2),
                           row.integer(3), row.integer(4), row.integer(5)};
    });
  }

  util::Result<bool> replace_session(const std::string& old_id, const SessionRecord& fresh) override {
    return transaction<bool>([&]() -> util::Result<bool> {
      auto deleted = run("DELETE FROM sessions WHERE id = ?", old_id);
      if (!deleted) {
        return tl::unexpected(deleted.error());
      }
      if (*deleted == 0) {
        return false;
      }
      auto inserted = insert_session_locked(fresh);
      if (!inserted) {
        return tl::unexpected(inserted.error());
      }
      return run("UPDATE pending_requests SET session_id = ? WHERE session_id = ?", fresh.id, old_id)
        .map([](int) { return true; });
    });
  }

  util::Result<void> delete_session(const std::string& id) override {
    const std::lock_guard lock(m_mutex);
    return run("DELETE FROM sessions WHERE id = ?", id).map([](int) {});
  }

  // ---- pending requests ----
  util::Result<void> put_pending(const PendingRecord& request) override {
    const std::lock_guard lock(m_mutex);
    auto query = prepare(fmt::format("INSERT OR REPLACE INTO pending_requests ({}) VALUES"
                                     " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                     k_pending_columns));
    if (!query) {
      return tl::unexpected(query.error());
    }
    return query->bind(request.id)
      .bind(request.session_id)
      .bind(request.client_id)
      .bind(request.redirect_uri)
      .bind(request.response_type)
      .bind(request.state)
      .bind(join_scopes(request.scopes))
      .bind(request.code_challenge)
      .bind(request.nonce)
      .bind(request.login_hint)
      .bind(request.prompt_login)
      .bind(request.max_age)
      .bind(request.extra_json)
      .bind(request.created_at)
      .bind(request.expires_at)
      .run()
      .map([](int) {});
  }

  util::Result<std::optional<PendingRecord>> pending(const std::string& id, std::int64_t now) override {
    const std::lock_guard lock(m_mutex);
    auto query = prepare(
      fmt::format("SELECT {} FROM pending_requests WHERE id = ? AND expires_at > ?", k_pending_columns));
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(id).bind(now);
    return first(*query, pending_from_row);
  }

  util::Result<void> pending_login_done(const std::string& id) override {
    const std::lock_guard lock(m_mutex);
    return run("UPDATE pending_requests SET prompt_login = 0 WHERE id = ?", id).map([](int) {});
  }

  util::Result<bool> take_pending(const std::string& id) override {
    const std::lock_guard lock(m_mutex);
    return run("DELETE FROM pending_requests WHERE id = ?", id).map([](int changed) { return changed > 0; });
  }

  // ---- codes ----
  util::Result<void> put_code(const CodeRecord& code) override {
    const std::lock_guard lock(m_mutex);
    auto query =
      prepare("INSERT INTO codes (code_hash, client_id, redirect_uri, code_challenge, nonce, user_id,"
              " scopes, auth_time, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!query) {
      return tl::unexpected(query.error());
    }
    return query->bind(code.code_hash)
      .bind(code.client_id)
      .bind(code.redirect_uri)
      .bind(code.code_challenge)
      .bind(code.nonce)
      .bind(code.user_id)
      .bind(join_scopes(code.scopes))
      .bind(code.auth_time)
      .bind(code.expires_at)
      .run()
      .map([](int) {});
  }

  util::Result<std::pair<CodeUse, CodeRecord>> use_code(const std::string& code_hash,
                                                        const std::string& client_id) override {
    return transaction<std::pair<CodeUse, CodeRecord>>([&]() -> util::Result<std::pair<CodeUse, CodeRecord>> {
      // The single use itself: one UPDATE that only an unused code of this client passes.
      auto update =
        prepare(fmt::format("UPDATE codes SET used = 1 WHERE code_hash = ? AND client_id = ? AND used = 0"
                            " RETURNING {}",
                            k_code_columns));
      if (!update) {
        return tl::unexpected(update.error());
      }
      update->bind(code_hash).bind(client_id);
      auto used = first(*update, code_from_row);
      if (!used) {
        return tl::unexpected(used.error());
      }
      if (*used) {
        return std::pair{CodeUse::ok, std::move(**used)};
      }
      auto select = prepare(fmt::format("SELECT {} FROM codes WHERE code_hash = ?", k_code_columns));
      if (!select) {
        return tl::unexpected(select.error());
      }
      select->bind(code_hash);
      auto found = first(*select, code_from_row);
      if (!found) {
        return tl::unexpected(found.error());
      }
      if (!*found) {
        return std::pair{CodeUse::unknown, CodeRecord{}};
      }
      auto code = std::move(**found);
      if (code.client_id != client_id) {
        return std::pair{CodeUse::wrong_client, CodeRecord{}};
      }
      auto links = prepare("SELECT jti, expires_at FROM code_tokens WHERE code_hash = ?");
      if (!links) {
        return tl::unexpected(links.error());
      }
      links->bind(code_hash);
      auto collected = collect(*links, code.linked_jtis, [](const Query& row) {
        return CodeRecord::LinkedToken{row.text(0), row.integer(1)};
      });
      if (!collected) {
        return tl::unexpected(collected.error());
      }
      return std::pair{CodeUse::replayed, std::move(code)};
    });
  }

  util::Result<void> link_code(const std::string& code_hash, const std::string& jti,
                               std::int64_t jti_expires_at, const std::string& family) override {
    return transaction<void>([&]() -> util::Result<void> {
      auto linked = run("INSERT OR IGNORE INTO code_tokens (code_hash, jti, expires_at) VALUES (?, ?, ?)",
                        code_hash, jti, jti_expires_at);
      if (!linked) {
        return tl::unexpected(linked.error());
      }
      if (family.empty()) {
        return {};
      }
      return run("UPDATE codes SET family = ? WHERE code_hash = ?", family, code_hash).map([](int) {});
    });
  }

  // ---- refresh ----
  util::Result<void> put_refresh(const RefreshRecord& token) override {
    return transaction<void>([&]() -> util::Result<void> { return insert_refresh_locked(token); });
  }

  util::Result<std::optional<RefreshRecord>> refresh(const std::string& token_hash) override {
    const std::lock_guard lock(m_mutex);
    return find_refresh_locked(token_hash);
  }

  util::Result<std::pair<RefreshUse, RefreshRecord>>
  rotate_refresh(const RefreshRotation& rotation) override {
    return transaction<std::pair<RefreshUse, RefreshRecord>>(
      [&]() -> util::Result<std::pair<RefreshUse, RefreshRecord>> {
        // The compare-and-swap: rotated 0 -> 1, only for a live token of a live family that
        // is bound to no certificate or to the one presented (RFC 8705 §4).
        auto swapped =
          run("UPDATE refresh_tokens SET rotated = 1 WHERE token_hash = ? AND client_id = ?"
              " AND rotated = 0 AND expires_at > ? AND family NOT IN"
              " (SELECT family FROM families WHERE revoked = 1) AND coalesce((SELECT"
              " certificate_thumbprint FROM families f WHERE f.family = refresh_tokens.family),"
              " '') IN ('', ?)",
              rotation.token_hash, rotation.client_id, rotation.now, rotation.certificate_thumbprint);
        if (!swapped) {
          return tl::unexpected(swapped.error());
        }
        auto found = find_refresh_locked(rotation.token_hash);
        if (!found) {
          return tl::unexpected(found.error());
        }
        if (!*found) {
          return std::pair{RefreshUse::unknown, RefreshRecord{}};
        }
        auto token = std::move(**found);
        if (*swapped == 1) {
          if (!rotation.successor_hash.empty()) {
            auto successor = token;
            successor.token_hash = rotation.successor_hash;
            successor.expires_at = rotation.successor_expires_at;
            if (auto inserted = insert_refresh_locked(successor); !inserted) {
              return tl::unexpected(inserted.error());
            }
          }
          token.rotated = false; // as presented
          return std::pair{RefreshUse::ok, std::move(token)};
        }
        if (token.client_id != rotation.client_id) {
          // RFC 6749 §6: bound to its client; another client learns nothing more.
          return std::pair{RefreshUse::wrong_client, RefreshRecord{}};
        }
        if (!token.certificate_thumbprint.empty() &&
            token.certificate_thumbprint != rotation.certificate_thumbprint) {
          // RFC 8705 §4: whoever lacks the family's certificate cannot use it, nor end it.
          return std::pair{RefreshUse::wrong_certificate, RefreshRecord{}};
        }
        if (token.family_revoked || token.rotated) {
          // RFC 9700 §4.14.2: two parties hold the family; neither may go on.
          if (auto revoked = revoke_family_locked(token.family); !revoked) {
            return tl::unexpected(revoked.error());
          }
          return std::pair{RefreshUse::replayed, std::move(token)};
        }
        return std::pair{RefreshUse::expired, std::move(token)};
      });
  }

  util::Result<void> revoke_family(const std::string& family) override {
    return transaction<void>([&] { return revoke_family_locked(family); });
  }

  util::Result<void> add_family_token(const std::string& family, const std::string& jti,
                                      std::int64_t expires_at) override {
    return transaction<void>([&]() -> util::Result<void> {
      auto revoked = prepare("SELECT revoked FROM families WHERE family = ?");
      if (!revoked) {
        return tl::unexpected(revoked.error());
      }
      revoked->bind(family);
      auto row = first(*revoked, [](const Query& q) { return q.integer(0) != 0; });
      if (!row) {
        return tl::unexpected(row.error());
      }
      if (row->value_or(false)) {
        return revoke_access_locked(jti, expires_at);
      }
      auto ensured =
        run("INSERT INTO families (family, expires_at) VALUES (?, ?)"
            " ON CONFLICT (family) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)",
            family, expires_at);
      if (!ensured) {
        return tl::unexpected(ensured.error());
      }
      return run("INSERT OR REPLACE INTO family_tokens (family, jti, expires_at) VALUES (?, ?, ?)", family,
                 jti, expires_at)
        .map([](int) {});
    });
  }

  util::Result<std::vector<std::string>> families_of(const std::string& user_id,
                                                     const std::string& client_id) override {
    const std::lock_guard lock(m_mutex);
    auto query =
      prepare("SELECT DISTINCT r.family FROM refresh_tokens r JOIN families f ON f.family = r.family"
              " WHERE r.user_id = ? AND r.client_id = ? AND f.revoked = 0 ORDER BY r.family");
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(user_id).bind(client_id);
    std::vector<std::string> out;
    return collect(*query, out, [](const Query& row) { return row.text(0); });
  }

  util::Result<std::string> family_of(const std::string& jti) override {
    const std::lock_guard lock(m_mutex);
    auto query = prepare("SELECT family FROM family_tokens WHERE jti = ? LIMIT 1");
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(jti);
    return first(*query, [](const Query& row) { return row.text(0); }).map([](auto found) {
      return found.value_or(std::string());
    });
  }

  // ---- revocations ----
  util::Result<void> revoke_access(const std::string& jti, std::int64_t expires_at) override {
    return transaction<void>([&] { return revoke_access_locked(jti, expires_at); });
  }

  util::Result<RevocationDelta> revocations_since(std::int64_t version) override {
    const std::lock_guard lock(m_mutex);
    // PRAGMA data_version changes when another connection committed: with nothing new
    // and a reader already current, no query is needed (the common case of the 1 s poll).
    auto data_version = pragma_int("PRAGMA data_version");
    if (!data_version) {
      return tl::unexpected(data_version.error());
    }
    if (version > 0 && version == m_last_revocation_version && *data_version == m_last_data_version &&
        m_local_writes == m_local_writes_seen) {
      return RevocationDelta{version, {}};
    }
    RevocationDelta delta;
    auto reached = counter("revocations");
    if (!reached) {
      return tl::unexpected(reached.error());
    }
    delta.version = *reached;
    auto query = prepare("SELECT jti, expires_at, seq FROM revoked_tokens WHERE seq > ? ORDER BY seq");
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(version);
    auto collected = collect(*query, delta.added, [](const Query& row) {
      return RevocationRecord{row.text(0), row.integer(1), row.integer(2)};
    });
    if (!collected) {
      return tl::unexpected(collected.error());
    }
    m_last_revocation_version = delta.version;
    m_last_data_version = *data_version;
    m_local_writes_seen = m_local_writes;
    return delta;
  }

  // ---- device codes ----
  util::Result<bool> put_device(const DeviceRecord& device) override {
    return transaction<bool>([&]() -> util::Result<bool> {
      // An expired authorization does not hold on to its user code.
      auto freed =
        run("UPDATE device_codes SET user_code_hash = NULL WHERE user_code_hash = ? AND expires_at <= ?",
            device.user_code_hash, device.created_at);
      if (!freed) {
        return tl::unexpected(freed.error());
      }
      auto query = prepare(
        fmt::format("INSERT OR IGNORE INTO device_codes ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    "device_hash, user_code_hash, client_id, scopes, state, interval, last_poll, user_id,"
                    " auth_time, created_at, expires_at"));
      if (!query) {
        return tl::unexpected(query.error());
      }
      return query->bind(device.device_hash)
        .bind(device.user_code_hash)
        .bind(device.client_id)
        .bind(join_scopes(device.scopes))
        .bind(device_state_name(device.state))
        .bind(device.interval)
        .bind(device.last_poll)
        .bind(device.user_id)
        .bind(device.auth_time)
        .bind(device.created_at)
        .bind(device.expires_at)
        .run()
        .map([](int changed) { return changed > 0; });
    });
  }

  util::Result<std::optional<DeviceRecord>> pending_device(const std::string& user_code_hash,
                                                           std::int64_t now) override {
    const std::lock_guard lock(m_mutex);
    auto query =
      prepare(fmt::format("SELECT {} FROM device_codes WHERE user_code_hash = ? AND state = 'pending'"
                          " AND expires_at > ?",
                          k_device_columns));
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(user_code_hash).bind(now);
    return first(*query, device_from_row);
  }

  util::Result<bool> decide_device(const std::string& user_code_hash, bool approve,
                                   const std::string& user_id, std::int64_t auth_time,
                                   std::int64_t now) override {
    const std::lock_guard lock(m_mutex);
    // A user code is good for one decision: it is cleared with it.
    return run("UPDATE device_codes SET state = ?, user_id = ?, auth_time = ?, user_code_hash = NULL"
               " WHERE user_code_hash = ? AND state = 'pending' AND expires_at > ?",
               approve ? "approved" : "denied", user_id, auth_time, user_code_hash, now)
      .map([](int changed) { return changed > 0; });
  }

  util::Result<std::pair<DevicePollResult, DeviceRecord>>
  poll_device(const std::string& device_hash, const std::string& client_id, std::int64_t now) override {
    using Answer = std::pair<DevicePollResult, DeviceRecord>;
    return transaction<Answer>([&]() -> util::Result<Answer> {
      auto select =
        prepare(fmt::format("SELECT {} FROM device_codes WHERE device_hash = ?", k_device_columns));
      if (!select) {
        return tl::unexpected(select.error());
      }
      select->bind(device_hash);
      auto found = first(*select, device_from_row);
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
          auto deleted = run("DELETE FROM device_codes WHERE device_hash = ?", device_hash);
          if (!deleted) {
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
      // for this device code grows by 5 seconds from then on.
      const bool too_soon = device.last_poll != 0 && now - device.last_poll < device.interval;
      auto updated =
        run("UPDATE device_codes SET last_poll = ?, interval = interval + ? WHERE device_hash = ?", now,
            too_soon ? k_slow_down_step : std::int64_t{0}, device_hash);
      if (!updated) {
        return tl::unexpected(updated.error());
      }
      return Answer{too_soon ? DevicePollResult::slow_down : DevicePollResult::pending, {}};
    });
  }

  // ---- consent ----
  util::Result<void> put_consent(const ConsentRecord& consent) override {
    const std::lock_guard lock(m_mutex);
    return run("INSERT OR REPLACE INTO consents (user_id, client_id, scopes, granted_at, expires_at)"
               " VALUES (?, ?, ?, ?, ?)",
               consent.user_id, consent.client_id, join_scopes(consent.scopes), consent.granted_at,
               consent.expires_at)
      .map([](int) {});
  }

  util::Result<std::optional<ConsentRecord>> consent(const std::string& user_id, const std::string& client_id,
                                                     std::int64_t now) override {
    const std::lock_guard lock(m_mutex);
    auto query = prepare("SELECT user_id, client_id, scopes, granted_at, expires_at FROM consents"
                         " WHERE user_id = ? AND client_id = ? AND (expires_at = 0 OR expires_at > ?)");
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(user_id).bind(client_id).bind(now);
    return first(*query, [](const Query& row) {
      return ConsentRecord{row.text(0), row.text(1), split_scopes(row.text(2)), row.integer(3),
                           row.integer(4)};
    });
  }

  util::Result<std::vector<ConsentRecord>> consents(const std::string& user_id, std::int64_t now) override {
    const std::lock_guard lock(m_mutex);
    auto query = prepare("SELECT user_id, client_id, scopes, granted_at, expires_at FROM consents"
                         " WHERE user_id = ? AND (expires_at = 0 OR expires_at > ?) ORDER BY client_id");
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(user_id).bind(now);
    std::vector<ConsentRecord> out;
    return collect(*query, out, [](const Query& row) {
      return ConsentRecord{row.text(0), row.text(1), split_scopes(row.text(2)), row.integer(3),
                           row.integer(4)};
    });
  }

  util::Result<void> delete_consent(const std::string& user_id, const std::string& client_id) override {
    const std::lock_guard lock(m_mutex);
    return run("DELETE FROM consents WHERE user_id = ? AND client_id = ?", user_id, client_id).map([](int) {
    });
  }

  // ---- backoff ----
  util::Result<std::optional<BackoffRecord>> backoff(const std::string& key, std::int64_t now) override {
    const std::lock_guard lock(m_mutex);
    auto query =
      prepare("SELECT key, failures, last_failure, expires_at FROM backoff WHERE key = ? AND expires_at > ?");
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(key).bind(now);
    return first(*query, [](const Query& row) {
      return BackoffRecord{row.text(0), static_cast<int>(row.integer(1)), row.integer(2), row.integer(3)};
    });
  }

  util::Result<BackoffRecord> add_failure(const std::string& key, std::int64_t now,
                                          std::int64_t window) override {
    const std::lock_guard lock(m_mutex);
    // One statement: the increment (or the restart after the window) happens in SQLite.
    auto query = prepare("INSERT INTO backoff (key, failures, last_failure, expires_at) VALUES (?, 1, ?, ?)"
                         " ON CONFLICT (key) DO UPDATE SET"
                         " failures = CASE WHEN backoff.expires_at <= excluded.last_failure THEN 1"
                         " ELSE backoff.failures + 1 END,"
                         " last_failure = excluded.last_failure, expires_at = excluded.expires_at"
                         " RETURNING key, failures, last_failure, expires_at");
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(key).bind(now).bind(now + window);
    auto row = first(*query, [](const Query& q) {
      return BackoffRecord{q.text(0), static_cast<int>(q.integer(1)), q.integer(2), q.integer(3)};
    });
    if (!row) {
      return tl::unexpected(row.error());
    }
    if (!*row) {
      return util::fail(ErrorKind::internal, "state store: the backoff upsert returned no row");
    }
    return std::move(**row);
  }

  util::Result<void> clear_failures(const std::string& key) override {
    const std::lock_guard lock(m_mutex);
    return run("DELETE FROM backoff WHERE key = ?", key).map([](int) {});
  }

  // ---- jtis ----
  util::Result<bool> use_jti(JtiKind kind, const std::string& issuer, const std::string& jti,
                             std::int64_t expires_at, std::int64_t now) override {
    const std::lock_guard lock(m_mutex);
    // The primary key decides: a row that is there and unexpired stays, and nothing changes.
    return run("INSERT INTO used_jtis (kind, issuer, jti, expires_at) VALUES (?, ?, ?, ?)"
               " ON CONFLICT (kind, issuer, jti) DO UPDATE SET expires_at = excluded.expires_at"
               " WHERE used_jtis.expires_at <= ?",
               jti_kind_name(kind), issuer, jti, expires_at, now)
      .map([](int changed) { return changed > 0; });
  }

  // ---- bounds ----
  util::Result<std::size_t> count(Bounded what, std::int64_t now, const std::string& client_id) override {
    const std::lock_guard lock(m_mutex);
    std::string sql;
    switch (what) {
      case Bounded::anonymous_sessions:
        sql = "SELECT count(*) FROM sessions WHERE user_id = '' AND expires_at > ?";
        break;
      case Bounded::pending_requests:
        sql = "SELECT count(*) FROM pending_requests WHERE expires_at > ?";
        break;
      case Bounded::device_codes:
        sql = client_id.empty() ? "SELECT count(*) FROM device_codes WHERE expires_at > ?"
                                : "SELECT count(*) FROM device_codes WHERE expires_at > ? AND client_id = ?";
        break;
    }
    auto query = prepare(sql);
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(now);
    if (what == Bounded::device_codes && !client_id.empty()) {
      query->bind(client_id);
    }
    return first(*query, [](const Query& row) { return static_cast<std::size_t>(row.integer(0)); })
      .map([](auto found) { return found.value_or(0); });
  }

  util::Result<std::size_t> evict(Bounded what, std::size_t keep) override {
    const std::lock_guard lock(m_mutex);
    const char* sql = nullptr;
    switch (what) {
      case Bounded::anonymous_sessions:
        sql = "DELETE FROM sessions WHERE user_id = '' AND id IN (SELECT id FROM sessions WHERE user_id = ''"
              " ORDER BY expires_at LIMIT max(0, (SELECT count(*) FROM sessions WHERE user_id = '') - ?))";
        break;
      case Bounded::pending_requests:
        sql = "DELETE FROM pending_requests WHERE id IN (SELECT id FROM pending_requests ORDER BY expires_at"
              " LIMIT max(0, (SELECT count(*) FROM pending_requests) - ?))";
        break;
      case Bounded::device_codes:
        sql = "DELETE FROM device_codes WHERE device_hash IN (SELECT device_hash FROM device_codes"
              " ORDER BY expires_at LIMIT max(0, (SELECT count(*) FROM device_codes) - ?))";
        break;
    }
    return run(sql, static_cast<std::int64_t>(keep)).map([](int changed) {
      return static_cast<std::size_t>(changed);
    });
  }

  util::Result<std::size_t> prune(std::int64_t now) override {
    return transaction<std::size_t>([&]() -> util::Result<std::size_t> {
      // Families go when their last token expired; their tokens and access token ids with them.
      static constexpr const char* k_statements[] = {
        "DELETE FROM sessions WHERE expires_at <= ?1",
        "DELETE FROM pending_requests WHERE expires_at <= ?1",
        ("DELETE FROM code_tokens WHERE code_hash IN "
         "(SELECT code_hash FROM codes WHERE expires_at + ?2 <= ?1)"),
        "DELETE FROM codes WHERE expires_at + ?2 <= ?1",
        "DELETE FROM refresh_tokens WHERE expires_at <= ?1",
        "DELETE FROM family_tokens WHERE expires_at <= ?1",
        "DELETE FROM families WHERE expires_at <= ?1 AND family NOT IN (SELECT family FROM refresh_tokens)",
        "DELETE FROM revoked_tokens WHERE expires_at <= ?1",
        "DELETE FROM device_codes WHERE expires_at + ?3 <= ?1",
        "DELETE FROM consents WHERE expires_at <> 0 AND expires_at <= ?1",
        "DELETE FROM backoff WHERE expires_at <= ?1",
        "DELETE FROM used_jtis WHERE expires_at <= ?1",
        "DELETE FROM keys WHERE retired_at <> 0 AND publish_until <= ?1",
      };
      std::size_t removed = 0;
      for (const char* sql : k_statements) {
        auto query = prepare(sql);
        if (!query) {
          return tl::unexpected(query.error());
        }
        // Unused numbered parameters are fine in SQLite; bind all three everywhere.
        query->bind(now).bind(k_used_code_memory).bind(k_expired_device_memory);
        auto changed = query->run();
        if (!changed) {
          return tl::unexpected(changed.error());
        }
        removed += static_cast<std::size_t>(*changed);
      }
      return removed;
    });
  }

private:
  util::Result<void> migrate_locked() {
    auto user_version = pragma_int("PRAGMA user_version", ErrorKind::io);
    if (!user_version) {
      return tl::unexpected(user_version.error());
    }
    // From version 4 on the version is kept in schema_version too (PostgreSQL has no
    // user_version; both engines read the same table).
    std::int64_t version = *user_version;
    auto has_table =
      pragma_int("SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'", ErrorKind::io);
    if (!has_table) {
      return tl::unexpected(has_table.error());
    }
    if (*has_table > 0) {
      auto recorded = pragma_int("SELECT coalesce(max(version), 0) FROM schema_version", ErrorKind::io);
      if (!recorded) {
        return tl::unexpected(recorded.error());
      }
      version = std::max(version, *recorded);
    }
    const auto target = static_cast<std::int64_t>(k_sqlite_migrations.size());
    if (version > target) {
      return util::fail(ErrorKind::io,
                        fmt::format("state store: written by a newer oauthctl (schema version {})", version));
    }
    for (auto step = version; step < target; ++step) {
      if (auto applied = exec(k_sqlite_migrations[static_cast<std::size_t>(step)], ErrorKind::io); !applied) {
        return applied;
      }
      if (auto set = exec(fmt::format("PRAGMA user_version = {}", step + 1), ErrorKind::io); !set) {
        return set;
      }
    }
    if (version < target) {
      return exec(
        fmt::format("DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES ({})", target),
        ErrorKind::io);
    }
    return {};
  }

  // Runs `body` in BEGIN IMMEDIATE … COMMIT with the connection's lock held; rolls back on
  // an error.
  template<typename T, typename Body>
  util::Result<T> transaction(Body&& body) {
    const std::lock_guard lock(m_mutex);
    if (auto begun = exec("BEGIN IMMEDIATE"); !begun) {
      return tl::unexpected(begun.error());
    }
    auto result = body();
    if (!result) {
      (void)exec("ROLLBACK");
      return result;
    }
    if (auto committed = exec("COMMIT"); !committed) {
      (void)exec("ROLLBACK");
      return tl::unexpected(committed.error());
    }
    ++m_local_writes;
    return result;
  }

  util::Result<Query> prepare(const std::string& sql) {
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
      sqlite3_stmt* statement = nullptr;
      if (sqlite3_prepare_v3(m_db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                             &statement, nullptr) != SQLITE_OK) {
        return util::fail(ErrorKind::network, fmt::format("state store: {}", sqlite3_errmsg(m_db)));
      }
      it = m_statements.emplace(sql, statement).first;
    }
    return util::Result<Query>(tl::in_place, m_db, it->second);
  }

  template<typename... Args>
  util::Result<int> run(const std::string& sql, const Args&... args) {
    auto query = prepare(sql);
    if (!query) {
      return tl::unexpected(query.error());
    }
    (query->bind(args), ...);
    auto changed = query->run();
    if (changed && *changed > 0) {
      ++m_local_writes;
    }
    return changed;
  }

  template<typename Read>
  auto first(Query& query, Read read) -> util::Result<std::optional<decltype(read(query))>> {
    auto stepped = query.step();
    if (!stepped) {
      return tl::unexpected(stepped.error());
    }
    if (!*stepped) {
      return std::nullopt;
    }
    auto value = read(query);
    // Drain: a RETURNING statement finishes its change only when stepped to the end.
    while (true) {
      auto more = query.step();
      if (!more) {
        return tl::unexpected(more.error());
      }
      if (!*more) {
        break;
      }
    }
    return std::optional(std::move(value));
  }

  template<typename T, typename Read>
  util::Result<std::vector<T>> collect(Query& query, std::vector<T>& out, Read read) {
    while (true) {
      auto stepped = query.step();
      if (!stepped) {
        return tl::unexpected(stepped.error());
      }
      if (!*stepped) {
        return out;
      }
      out.push_back(read(query));
    }
  }

  util::Result<std::int64_t> pragma_int(const std::string& sql, ErrorKind kind = ErrorKind::network) {
    auto query = prepare(sql);
    if (!query) {
      auto error = query.error();
      error.kind = kind;
      return tl::unexpected(error);
    }
    auto row = first(*query, [](const Query& q) { return q.integer(0); });
    if (!row) {
      auto error = row.error();
      error.kind = kind;
      return tl::unexpected(error);
    }
    return row->value_or(0);
  }

  util::Result<std::int64_t> counter(const std::string& name) {
    auto query = prepare("SELECT value FROM counters WHERE name = ?");
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(name);
    return first(*query, [](const Query& q) { return q.integer(0); }).map([](auto found) {
      return found.value_or(0);
    });
  }

  util::Result<std::int64_t> bump(const std::string& name) {
    auto query = prepare("UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value");
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(name);
    return first(*query, [](const Query& q) { return q.integer(0); }).map([](auto found) {
      return found.value_or(0);
    });
  }

  util::Result<std::vector<PrincipalRecord>> principals(const std::string& table) {
    const std::lock_guard lock(m_mutex);
    auto query = prepare(fmt::format("SELECT {} FROM {} ORDER BY id", k_principal_columns_for(table), table));
    if (!query) {
      return tl::unexpected(query.error());
    }
    std::vector<PrincipalRecord> out;
    return collect(*query, out, principal_from_row);
  }

  util::Result<std::optional<PrincipalRecord>> principal(const std::string& table, const std::string& id) {
    const std::lock_guard lock(m_mutex);
    auto query =
      prepare(fmt::format("SELECT {} FROM {} WHERE id = ?", k_principal_columns_for(table), table));
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(id);
    return first(*query, principal_from_row);
  }

  static std::string k_principal_columns_for(const std::string& table) {
    // users keep the hash in password_hash (schema version 1).
    return table == "users" ? "id, resource, password_hash, source, updated_at" : k_principal_columns;
  }

  util::Result<void> put_principal(const std::string& table, const std::string& hash_column,
                                   const PrincipalRecord& record) {
    return transaction<void>([&]() -> util::Result<void> {
      auto put = run(
        fmt::format("INSERT INTO {0} (id, resource, {1}, source, updated_at) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET resource = excluded.resource,"
                    " {1} = excluded.{1}, source = excluded.source, updated_at = excluded.updated_at",
                    table, hash_column),
        record.id, record.resource_json, record.secret_hash, source_name(record.source), wall_clock_now());
      if (!put) {
        return tl::unexpected(put.error());
      }
      return bump("directory").map([](std::int64_t) {});
    });
  }

  util::Result<bool> delete_principal(const std::string& table, const std::string& id) {
    return transaction<bool>([&]() -> util::Result<bool> {
      auto deleted = run(fmt::format("DELETE FROM {} WHERE id = ?", table), id);
      if (!deleted) {
        return tl::unexpected(deleted.error());
      }
      return bump("directory").map([&](std::int64_t) { return *deleted > 0; });
    });
  }

  util::Result<void> insert_session_locked(const SessionRecord& session) {
    // The column `consented` (migration 3) is no longer written: consent is the consents
    // table's, per user, not a session's.
    return run("INSERT OR REPLACE INTO sessions (id, csrf_token, user_id, auth_time, created_at, expires_at)"
               " VALUES (?, ?, ?, ?, ?, ?)",
               session.id, session.csrf_token, session.user_id, session.auth_time, session.created_at,
               session.expires_at)
      .map([](int) {});
  }

  util::Result<void> insert_refresh_locked(const RefreshRecord& token) {
    // A new family takes the token's certificate binding; an existing one keeps its own.
    auto family = run("INSERT INTO families (family, expires_at, certificate_thumbprint) VALUES (?, ?, ?)"
                      " ON CONFLICT (family) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)",
                      token.family, token.expires_at, token.certificate_thumbprint);
    if (!family) {
      return tl::unexpected(family.error());
    }
    return run("INSERT INTO refresh_tokens (token_hash, family, client_id, user_id, scopes, auth_time,"
               " expires_at, rotated) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
               token.token_hash, token.family, token.client_id, token.user_id, join_scopes(token.scopes),
               token.auth_time, token.expires_at)
      .map([](int) {});
  }

  util::Result<std::optional<RefreshRecord>> find_refresh_locked(const std::string& token_hash) {
    auto query =
      prepare(fmt::format("SELECT {} FROM refresh_tokens r LEFT JOIN families f ON f.family = r.family"
                          " WHERE r.token_hash = ?",
                          k_refresh_columns));
    if (!query) {
      return tl::unexpected(query.error());
    }
    query->bind(token_hash);
    return first(*query, refresh_from_row);
  }

  util::Result<void> revoke_family_locked(const std::string& family) {
    auto marked = run("INSERT INTO families (family, revoked, expires_at) VALUES (?, 1, 0)"
                      " ON CONFLICT (family) DO UPDATE SET revoked = 1",
                      family);
    if (!marked) {
      return tl::unexpected(marked.error());
    }
    auto tokens = prepare("SELECT jti, expires_at FROM family_tokens WHERE family = ?");
    if (!tokens) {
      return tl::unexpected(tokens.error());
    }
    tokens->bind(family);
    std::vector<RevocationRecord> jtis;
    auto collected = collect(*tokens, jtis, [](const Query& row) {
      return RevocationRecord{row.text(0), row.integer(1), 0};
    });
    if (!collected) {
      return tl::unexpected(collected.error());
    }
    for (const auto& jti : jtis) {
      if (auto revoked = revoke_access_locked(jti.jti, jti.expires_at); !revoked) {
        return revoked;
      }
    }
    return {};
  }

  util::Result<void> revoke_access_locked(const std::string& jti, std::int64_t expires_at) {
    auto seq = bump("revocations");
    if (!seq) {
      return tl::unexpected(seq.error());
    }
    return run("INSERT INTO revoked_tokens (jti, expires_at, seq) VALUES (?, ?, ?)"
               " ON CONFLICT (jti) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at),"
               " seq = excluded.seq",
               jti, expires_at, *seq)
      .map([](int) {});
  }

  sqlite3* m_db;
  // Held across every statement; event-loop threads may not take it (event_loop_guard.hpp).
  WorkerMutex m_mutex;
  std::unordered_map<std::string, sqlite3_stmt*> m_statements;
  std::int64_t m_last_revocation_version = -1;
  std::int64_t m_last_data_version = -1;
  std::uint64_t m_local_writes = 0;
  std::uint64_t m_local_writes_seen = 0;
};

// The store holds the private signing key and secret hashes: create it 0600 before
// SQLite does (SQLite gives its -wal and -shm files the main file's mode).
util::Result<void> prepare_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  const auto parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::exists(parent, error)) {
    fs::create_directories(parent, error);
    if (error) {
      return util::fail(ErrorKind::io,
                        fmt::format("{}: cannot create directory: {}", parent.string(), error.message()));
    }
    fs::permissions(parent, fs::perms::owner_all, fs::perm_options::replace, error);
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return util::fail(ErrorKind::io, fmt::format("{}: cannot open the store: {}", path,
                                                 std::generic_category().message(errno)));
  }
  ::fchmod(fd, 0600);
  ::close(fd);
  return {};
}

} // namespace

util::Result<std::unique_ptr<StateStore>> open_sqlite_state_store(const std::string& path) {
  const bool in_memory = path == k_sqlite_memory;
  if (!in_memory) {
    if (auto prepared = prepare_file(path); !prepared) {
      return tl::unexpected(prepared.error());
    }
  }
  sqlite3* db = nullptr;
  // NOMUTEX: the store's own mutex serialises every use of the connection.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    const auto message = fmt::format("{}: cannot open the store: {}", path,
                                     db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close_v2(db);
    return util::fail(ErrorKind::io, message);
  }
  auto store = std::make_unique<SqliteStateStore>(db);
  // Several `serve` on one file: a writer waits for another's transaction to end.
  sqlite3_busy_timeout(db, 5000);
  if (!in_memory) {
    // WAL lets readers go on while one process writes. synchronous = NORMAL in WAL mode
    // loses nothing when a process is killed (the WAL is in the OS's cache); only a power
    // cut may drop the last transactions.
    auto pragmas = store->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", ErrorKind::io);
    if (!pragmas) {
      auto error = pragmas.error();
      error.message = fmt::format("{}: {}", path, error.message);
      return tl::unexpected(error);
    }
  }
  if (auto migrated = store->migrate(); !migrated) {
    auto error = migrated.error();
    error.kind = ErrorKind::io;
    error.message = fmt::format("{}: {}", path, error.message);
    return tl::unexpected(error);
  }
  return std::unique_ptr<StateStore>(std::move(store));
}

} // namespace oauthctl::server::state
