// SPDX-License-Identifier: MIT
#pragma once

#include <array>

namespace oauthctl::server::state {

// The SQLite schema, step by step: entry i brings a store to version i + 1. Versions 1-3
// are the schema of the release before the state store (PRAGMA user_version only; the file
// tests/fixtures/store-v3.db keeps one); from version 4 on the version is also recorded in
// the schema_version table. Never edit a shipped entry; append.
inline constexpr std::array<const char*, 5> k_sqlite_migrations = {
  // 1: keys, clients, users.
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
  // 2: refresh tokens (hashed) and access token revocations.
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
  // 3: used client assertion ids.
  R"sql(
    CREATE TABLE IF NOT EXISTS assertion_ids (
      client_id TEXT NOT NULL,
      jti TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (client_id, jti)
    );
  )sql",
  // 4: all live state in the store (issue 9). Entries that came from a config before
  // sources were recorded count as `config`: the next start drops those its seed no longer
  // lists (an old store held no other kind).
  R"sql(
    CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO counters (name, value) VALUES ('revocations', 0), ('directory', 0);

    ALTER TABLE keys ADD COLUMN retired_at INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE keys ADD COLUMN publish_until INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE clients ADD COLUMN source TEXT NOT NULL DEFAULT 'config';
    ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'config';

    CREATE TABLE families (
      family TEXT PRIMARY KEY,
      revoked INTEGER NOT NULL DEFAULT 0,
      expires_at INTEGER NOT NULL
    );
    INSERT INTO families (family, expires_at)
      SELECT family, max(expires_at) FROM refresh_tokens GROUP BY family;
    CREATE INDEX family_tokens_jti ON family_tokens (jti);

    ALTER TABLE revoked_tokens ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
    UPDATE revoked_tokens SET seq = rowid;
    UPDATE counters SET value = (SELECT coalesce(max(seq), 0) FROM revoked_tokens)
      WHERE name = 'revocations';
    CREATE INDEX revoked_tokens_seq ON revoked_tokens (seq);

    CREATE TABLE used_jtis (
      kind TEXT NOT NULL,
      issuer TEXT NOT NULL,
      jti TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (kind, issuer, jti)
    );
    INSERT INTO used_jtis (kind, issuer, jti, expires_at)
      SELECT 'client_assertion', client_id, jti, expires_at FROM assertion_ids;
    DROP TABLE assertion_ids;

    CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      csrf_token TEXT NOT NULL,
      user_id TEXT NOT NULL DEFAULT '',
      auth_time INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      consented TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE pending_requests (
      id TEXT PRIMARY KEY,
      session_id TEXT NOT NULL,
      client_id TEXT NOT NULL,
      redirect_uri TEXT NOT NULL,
      response_type TEXT NOT NULL,
      state TEXT NOT NULL,
      scopes TEXT NOT NULL,
      code_challenge TEXT NOT NULL,
      nonce TEXT NOT NULL,
      login_hint TEXT NOT NULL,
      prompt_login INTEGER NOT NULL,
      max_age INTEGER NOT NULL,
      extra_json TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX pending_requests_session ON pending_requests (session_id);
    CREATE TABLE codes (
      code_hash TEXT PRIMARY KEY,
      client_id TEXT NOT NULL,
      redirect_uri TEXT NOT NULL,
      code_challenge TEXT NOT NULL,
      nonce TEXT NOT NULL,
      user_id TEXT NOT NULL,
      scopes TEXT NOT NULL,
      auth_time INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      used INTEGER NOT NULL DEFAULT 0,
      family TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE code_tokens (
      code_hash TEXT NOT NULL,
      jti TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (code_hash, jti)
    );
    CREATE TABLE device_codes (
      device_hash TEXT PRIMARY KEY,
      user_code_hash TEXT UNIQUE,
      client_id TEXT NOT NULL,
      scopes TEXT NOT NULL,
      state TEXT NOT NULL,
      interval INTEGER NOT NULL,
      last_poll INTEGER NOT NULL,
      user_id TEXT NOT NULL,
      auth_time INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX device_codes_client ON device_codes (client_id);
    CREATE TABLE consents (
      user_id TEXT NOT NULL,
      client_id TEXT NOT NULL,
      scopes TEXT NOT NULL,
      granted_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (user_id, client_id)
    );
    CREATE TABLE backoff (
      key TEXT PRIMARY KEY,
      failures INTEGER NOT NULL,
      last_failure INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
  )sql",
  // 5: a public client's refresh family bound to its TLS client certificate (RFC 8705 §4).
  R"sql(
    ALTER TABLE families ADD COLUMN certificate_thumbprint TEXT NOT NULL DEFAULT '';
  )sql",
};

} // namespace oauthctl::server::state
