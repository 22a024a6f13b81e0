// SPDX-License-Identifier: MIT
#include <oauthctl/server/store.hpp>

#include <fmt/format.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace oauthctl::server {

namespace {

using util::ErrorKind;

// Schema migrations by PRAGMA user_version: entry i brings the store to version i + 1.
// Later issues append (refresh tokens, revocations, codes); never edit a shipped entry.
constexpr const char* k_migrations[] = {
  R"sql(
    CREATE TABLE keys (
      kid TEXT PRIMARY KEY,
      alg TEXT NOT NULL,
      pem TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE clients (
      id TEXT PRIMARY KEY,
      resource TEXT NOT NULL,
      secret_hash TEXT NOT NULL DEFAULT '',
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      resource TEXT NOT NULL,
      password_hash TEXT NOT NULL DEFAULT '',
      updated_at INTEGER NOT NULL
    );
  )sql",
  // 2: issue 3, refresh tokens (hashed) and access token revocations.
  R"sql(
    CREATE TABLE refresh_tokens (
      token_hash TEXT PRIMARY KEY,
      family TEXT NOT NULL,
      client_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      scopes TEXT NOT NULL,
      auth_time INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      rotated INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
    CREATE TABLE family_tokens (
      family TEXT NOT NULL,
      jti TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (family, jti)
    );
    CREATE TABLE revoked_tokens (
      jti TEXT PRIMARY KEY,
      expires_at INTEGER NOT NULL
    );
  )sql",
  // 3: issue 4, used client assertion ids (RFC 7523 §3: a jti is single use). IF NOT
  // EXISTS: this step may be renumbered when other steps of the same issue land first.
  R"sql(
    CREATE TABLE IF NOT EXISTS assertion_ids (
      client_id TEXT NOT NULL,
      jti TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (client_id, jti)
    );
  )sql",
};

struct StatementFree {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementFree>;

std::string column_text(sqlite3_stmt* statement, int column) {
  const auto* text = sqlite3_column_text(statement, column);
  return text == nullptr ? std::string()
                         : std::string(reinterpret_cast<const char*>(text),
                                       static_cast<std::size_t>(sqlite3_column_bytes(statement, column)));
}

class SqliteStore final : public Store {
public:
  explicit SqliteStore(sqlite3* db) : m_db(db) {}
  ~SqliteStore() override { sqlite3_close_v2(m_db); }
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  util::Result<void> exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      auto error = util::fail(ErrorKind::io, fmt::format("store: {}", message ? message : "unknown error"));
      sqlite3_free(message);
      return error;
    }
    return {};
  }

  util::Result<void> migrate() {
    auto version = query_int("PRAGMA user_version");
    if (!version) {
      return tl::unexpected(version.error());
    }
    const int target = static_cast<int>(std::size(k_migrations));
    if (*version > target) {
      return util::fail(ErrorKind::io, "store: written by a newer oauthctl (schema version " +
                                         std::to_string(*version) + ")");
    }
    for (int i = *version; i < target; ++i) {
      auto step = exec("BEGIN IMMEDIATE")
                    .and_then([&] { return exec(k_migrations[i]); })
                    .and_then([&] { return exec(fmt::format("PRAGMA user_version = {}", i + 1).c_str()); })
                    .and_then([&] { return exec("COMMIT"); });
      if (!step) {
        (void)exec("ROLLBACK");
        return step;
      }
    }
    return {};
  }

  util::Result<std::vector<StoredKey>> keys() override {
    auto statement = prepare("SELECT kid, alg, pem, created_at FROM keys ORDER BY created_at, kid");
    if (!statement) {
      return tl::unexpected(statement.error());
    }
    std::vector<StoredKey> out;
    int rc = 0;
    while ((rc = sqlite3_step(statement->get())) == SQLITE_ROW) {
      out.push_back({column_text(statement->get(), 0), column_text(statement->get(), 1),
                     column_text(statement->get(), 2), sqlite3_column_int64(statement->get(), 3)});
    }
    return finish(rc, out);
  }

  util::Result<void> add_key(const StoredKey& key) override {
    auto statement = prepare("INSERT OR IGNORE INTO keys (kid, alg, pem, created_at) VALUES (?, ?, ?, ?)");
    if (!statement) {
      return tl::unexpected(statement.error());
    }
    bind(statement->get(), 1, key.kid);
    bind(statement->get(), 2, key.alg);
    bind(statement->get(), 3, key.pem);
    sqlite3_bind_int64(statement->get(), 4, key.created_at);
    return step_done(statement->get());
  }

  util::Result<std::vector<StoredResource>> clients() override {
    return load("SELECT id, resource, secret_hash FROM clients ORDER BY id");
  }

  util::Result<void> put_client(const StoredResource& client) override {
    return put("INSERT INTO clients (id, resource, secret_hash, updated_at) VALUES (?, ?, ?, strftime('%s'))"
               " ON CONFLICT(id) DO UPDATE SET resource = excluded.resource,"
               " secret_hash = excluded.secret_hash, updated_at = excluded.updated_at",
               client);
  }

  util::Result<std::vector<StoredResource>> users() override {
    return load("SELECT id, resource, password_hash FROM users ORDER BY id");
  }

  util::Result<void> put_user(const StoredResource& user) override {
    return put("INSERT INTO users (id, resource, password_hash, updated_at) VALUES (?, ?, ?, strftime('%s'))"
               " ON CONFLICT(id) DO UPDATE SET resource = excluded.resource,"
               " password_hash = excluded.password_hash, updated_at = excluded.updated_at",
               user);
  }

  util::Result<std::vector<StoredRefreshToken>> refresh_tokens(std::int64_t now) override {
    auto statement =
      prepare("SELECT token_hash, family, client_id, user_id, scopes, auth_time, expires_at, rotated"
              " FROM refresh_tokens WHERE expires_at > ?");
    if (!statement) {
      return tl::unexpected(statement.error());
    }
    sqlite3_bind_int64(statement->get(), 1, now);
    std::vector<StoredRefreshToken> out;
    int rc = 0;
    while ((rc = sqlite3_step(statement->get())) == SQLITE_ROW) {
      auto* row = statement->get();
      out.push_back({column_text(row, 0), column_text(row, 1), column_text(row, 2), column_text(row, 3),
                     column_text(row, 4), sqlite3_column_int64(row, 5), sqlite3_column_int64(row, 6),
                     sqlite3_column_int(row, 7) != 0});
    }
    return finish(rc, out);
  }

  util::Result<void> put_refresh_token(const StoredRefreshToken& token) override {
    auto statement =
      prepare("INSERT OR REPLACE INTO refresh_tokens (token_hash, family, client_id, user_id, scopes,"
              " auth_time, expires_at, rotated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!statement) {
      return tl::unexpected(statement.error());
    }
    auto* row = statement->get();
    bind(row, 1, token.token_hash);
    bind(row, 2, token.family);
    bind(row, 3, token.client_id);
    bind(row, 4, token.user_id);
    bind(row, 5, token.scopes);
    sqlite3_bind_int64(row, 6, token.auth_time);
    sqlite3_bind_int64(row, 7, token.expires_at);
    sqlite3_bind_int(row, 8, token.rotated ? 1 : 0);
    return step_done(row);
  }

  util::Result<void> delete_refresh_family(const std::string& family) override {
    for (const char* sql :
         {"DELETE FROM refresh_tokens WHERE family = ?", "DELETE FROM family_tokens WHERE family = ?"}) {
      auto statement = prepare(sql);
      if (!statement) {
        return tl::unexpected(statement.error());
      }
      bind(statement->get(), 1, family);
      if (auto done = step_done(statement->get()); !done) {
        return done;
      }
    }
    return {};
  }

  util::Result<std::vector<StoredTokenId>> family_tokens(std::int64_t now) override {
    return token_ids("SELECT family, jti, expires_at FROM family_tokens WHERE expires_at > ?", now);
  }

  util::Result<void> add_family_token(const StoredTokenId& id) override {
    return put_token_id("INSERT OR IGNORE INTO family_tokens (family, jti, expires_at) VALUES (?, ?, ?)", id);
  }

  util::Result<std::vector<StoredTokenId>> revocations(std::int64_t now) override {
    return token_ids("SELECT '', jti, expires_at FROM revoked_tokens WHERE expires_at > ?", now);
  }

  util::Result<void> add_revocation(const StoredTokenId& id) override {
    // Revocations matter only until the token expires anyway: keep the table small.
    auto statement = prepare("DELETE FROM revoked_tokens WHERE expires_at < ?");
    if (!statement) {
      return tl::unexpected(statement.error());
    }
    sqlite3_bind_int64(statement->get(), 1, id.expires_at - 86400);
    if (auto done = step_done(statement->get()); !done) {
      return done;
    }
    auto insert = prepare("INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?, ?)");
    if (!insert) {
      return tl::unexpected(insert.error());
    }
    bind(insert->get(), 1, id.jti);
    sqlite3_bind_int64(insert->get(), 2, id.expires_at);
    return step_done(insert->get());
  }

  util::Result<std::vector<StoredAssertionId>> assertion_ids(std::int64_t now) override {
    auto statement = prepare("SELECT client_id, jti, expires_at FROM assertion_ids WHERE expires_at > ?");
    if (!statement) {
      return tl::unexpected(statement.error());
    }
    sqlite3_bind_int64(statement->get(), 1, now);
    std::vector<StoredAssertionId> out;
    int rc = 0;
    while ((rc = sqlite3_step(statement->get())) == SQLITE_ROW) {
      out.push_back({column_text(statement->get(), 0), column_text(statement->get(), 1),
                     sqlite3_column_int64(statement->get(), 2)});
    }
    return finish(rc, out);
  }

  util::Result<void> add_assertion_id(const StoredAssertionId& id) override {
    // Assertions live minutes: ids expired an hour before this one are of no use.
    auto statement = prepare("DELETE FROM assertion_ids WHERE expires_at < ?");
    if (!statement) {
      return tl::unexpected(statement.error());
    }
    sqlite3_bind_int64(statement->get(), 1, id.expires_at - 3600);
    if (auto done = step_done(statement->get()); !done) {
      return done;
    }
    auto insert =
      prepare("INSERT OR REPLACE INTO assertion_ids (client_id, jti, expires_at) VALUES (?, ?, ?)");
    if (!insert) {
      return tl::unexpected(insert.error());
    }
    bind(insert->get(), 1, id.client_id);
    bind(insert->get(), 2, id.jti);
    sqlite3_bind_int64(insert->get(), 3, id.expires_at);
    return step_done(insert->get());
  }

private:
  util::Result<std::vector<StoredTokenId>> token_ids(const char* sql, std::int64_t now) {
    auto statement = prepare(sql);
    if (!statement) {
      return tl::unexpected(statement.error());
    }
    sqlite3_bind_int64(statement->get(), 1, now);
    std::vector<StoredTokenId> out;
    int rc = 0;
    while ((rc = sqlite3_step(statement->get())) == SQLITE_ROW) {
      out.push_back({column_text(statement->get(), 0), column_text(statement->get(), 1),
                     sqlite3_column_int64(statement->get(), 2)});
    }
    return finish(rc, out);
  }

  util::Result<void> put_token_id(const char* sql, const StoredTokenId& id) {
    auto statement = prepare(sql);
    if (!statement) {
      return tl::unexpected(statement.error());
    }
    bind(statement->get(), 1, id.family);
    bind(statement->get(), 2, id.jti);
    sqlite3_bind_int64(statement->get(), 3, id.expires_at);
    return step_done(statement->get());
  }

  util::Result<Statement> prepare(const char* sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(m_db, sql, -1, &statement, nullptr) != SQLITE_OK) {
      return util::fail(ErrorKind::io, fmt::format("store: {}", sqlite3_errmsg(m_db)));
    }
    return Statement(statement);
  }

  static void bind(sqlite3_stmt* statement, int index, const std::string& value) {
    sqlite3_bind_text(statement, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }

  util::Result<int> query_int(const char* sql) {
    auto statement = prepare(sql);
    if (!statement) {
      return tl::unexpected(statement.error());
    }
    if (sqlite3_step(statement->get()) != SQLITE_ROW) {
      return util::fail(ErrorKind::io, fmt::format("store: {}", sqlite3_errmsg(m_db)));
    }
    return sqlite3_column_int(statement->get(), 0);
  }

  util::Result<void> step_done(sqlite3_stmt* statement) {
    if (sqlite3_step(statement) != SQLITE_DONE) {
      return util::fail(ErrorKind::io, fmt::format("store: {}", sqlite3_errmsg(m_db)));
    }
    return {};
  }

  template<typename T>
  util::Result<T> finish(int rc, T& value) {
    if (rc != SQLITE_DONE) {
      return util::fail(ErrorKind::io, fmt::format("store: {}", sqlite3_errmsg(m_db)));
    }
    return std::move(value);
  }

  util::Result<std::vector<StoredResource>> load(const char* sql) {
    auto statement = prepare(sql);
    if (!statement) {
      return tl::unexpected(statement.error());
    }
    std::vector<StoredResource> out;
    int rc = 0;
    while ((rc = sqlite3_step(statement->get())) == SQLITE_ROW) {
      out.push_back({column_text(statement->get(), 0), column_text(statement->get(), 1),
                     column_text(statement->get(), 2)});
    }
    return finish(rc, out);
  }

  util::Result<void> put(const char* sql, const StoredResource& resource) {
    auto statement = prepare(sql);
    if (!statement) {
      return tl::unexpected(statement.error());
    }
    bind(statement->get(), 1, resource.id);
    bind(statement->get(), 2, resource.resource_json);
    bind(statement->get(), 3, resource.secret_hash);
    return step_done(statement->get());
  }

  sqlite3* m_db;
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

util::Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path) {
  const bool in_memory = path == k_memory_store;
  if (!in_memory) {
    if (auto prepared = prepare_file(path); !prepared) {
      return tl::unexpected(prepared.error());
    }
  }
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    const auto message =
      fmt::format("{}: cannot open the store: {}", path, db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close_v2(db);
    return util::fail(ErrorKind::io, message);
  }
  auto store = std::make_unique<SqliteStore>(db);
  sqlite3_busy_timeout(db, 5000);
  if (!in_memory) {
    // WAL lets a second `serve` (or a reader) open the file while one writes.
    auto pragmas = store->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    if (!pragmas) {
      auto error = pragmas.error();
      error.message = fmt::format("{}: {}", path, error.message);
      return tl::unexpected(error);
    }
  }
  if (auto migrated = store->migrate(); !migrated) {
    auto error = migrated.error();
    error.message = fmt::format("{}: {}", path, error.message);
    return tl::unexpected(error);
  }
  return std::unique_ptr<Store>(std::move(store));
}

} // namespace oauthctl::server
