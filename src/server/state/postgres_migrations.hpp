// SPDX-License-Identifier: MIT
#pragma once

#include "server/pg/migrations.hpp"

#include <array>
#include <cstdint>

namespace oauthctl::server::state {

// The advisory lock every replica takes to migrate ("oauthctl" in ASCII): replicas
// starting at once wait on it in turn.
inline constexpr std::int64_t k_postgres_migration_lock = 0x6f61757468637463;
// The advisory lock of prune(): one replica prunes at a time.
inline constexpr std::int64_t k_postgres_prune_lock = k_postgres_migration_lock + 1;

// The PostgreSQL schema, step by step (pg::migrate records them in schema_version). The
// same tables and columns as the SQLite schema (step 1: its version 4; step 2: its 5), in
// PostgreSQL's types. Never edit a shipped step; append.
inline constexpr std::array<pg::Migration, 2> k_postgres_migrations = {{
  {1, "live state (issue 9)", R"sql(
    CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL);
    INSERT INTO counters (name, value) VALUES ('revocations', 0), ('directory', 0);

    CREATE TABLE keys (
      kid text PRIMARY KEY,
      alg text NOT NULL,
      pem text NOT NULL,
      created_at bigint NOT NULL,
      retired_at bigint NOT NULL DEFAULT 0,
      publish_until bigint NOT NULL DEFAULT 0,
      added bigserial
    );
    CREATE TABLE clients (
      id text PRIMARY KEY,
      resource text NOT NULL,
      secret_hash text NOT NULL DEFAULT '',
      source text NOT NULL DEFAULT 'admin',
      updated_at bigint NOT NULL
    );
    CREATE TABLE users (
      id text PRIMARY KEY,
      resource text NOT NULL,
      secret_hash text NOT NULL DEFAULT '',
      source text NOT NULL DEFAULT 'admin',
      updated_at bigint NOT NULL
    );

    CREATE TABLE sessions (
      id text PRIMARY KEY,
      csrf_token text NOT NULL,
      user_id text NOT NULL DEFAULT '',
      auth_time bigint NOT NULL DEFAULT 0,
      created_at bigint NOT NULL,
      expires_at bigint NOT NULL,
      consented text NOT NULL DEFAULT ''
    );
    CREATE INDEX sessions_anonymous ON sessions (expires_at) WHERE user_id = '';
    CREATE TABLE pending_requests (
      id text PRIMARY KEY,
      session_id text NOT NULL,
      client_id text NOT NULL,
      redirect_uri text NOT NULL,
      response_type text NOT NULL,
      state text NOT NULL,
      scopes text NOT NULL,
      code_challenge text NOT NULL,
      nonce text NOT NULL,
      login_hint text NOT NULL,
      prompt_login boolean NOT NULL,
      max_age bigint NOT NULL,
      extra_json text NOT NULL,
      created_at bigint NOT NULL,
      expires_at bigint NOT NULL
    );
    CREATE INDEX pending_requests_session ON pending_requests (session_id);
    CREATE INDEX pending_requests_expiry ON pending_requests (expires_at);

    CREATE TABLE codes (
      code_hash text PRIMARY KEY,
      client_id text NOT NULL,
      redirect_uri text NOT NULL,
      code_challenge text NOT NULL,
      nonce text NOT NULL,
      user_id text NOT NULL,
      scopes text NOT NULL,
      auth_time bigint NOT NULL,
      expires_at bigint NOT NULL,
      used boolean NOT NULL DEFAULT false,
      family text NOT NULL DEFAULT ''
    );
    CREATE INDEX codes_expiry ON codes (expires_at);
    CREATE TABLE code_tokens (
      code_hash text NOT NULL,
      jti text NOT NULL,
      expires_at bigint NOT NULL,
      PRIMARY KEY (code_hash, jti)
    );

    CREATE TABLE families (
      family text PRIMARY KEY,
      revoked boolean NOT NULL DEFAULT false,
      expires_at bigint NOT NULL
    );
    CREATE TABLE refresh_tokens (
      token_hash text PRIMARY KEY,
      family text NOT NULL,
      client_id text NOT NULL,
      user_id text NOT NULL,
      scopes text NOT NULL,
      auth_time bigint NOT NULL,
      expires_at bigint NOT NULL,
      rotated boolean NOT NULL DEFAULT false
    );
    CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
    CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
    CREATE TABLE family_tokens (
      family text NOT NULL,
      jti text NOT NULL,
      expires_at bigint NOT NULL,
      PRIMARY KEY (family, jti)
    );
    CREATE INDEX family_tokens_jti ON family_tokens (jti);

    CREATE TABLE revoked_tokens (
      jti text PRIMARY KEY,
      expires_at bigint NOT NULL,
      seq bigint NOT NULL
    );
    CREATE INDEX revoked_tokens_seq ON revoked_tokens (seq);

    CREATE TABLE device_codes (
      device_hash text PRIMARY KEY,
      user_code_hash text UNIQUE,
      client_id text NOT NULL,
      scopes text NOT NULL,
      state text NOT NULL,
      interval bigint NOT NULL,
      last_poll bigint NOT NULL,
      user_id text NOT NULL,
      auth_time bigint NOT NULL,
      created_at bigint NOT NULL,
      expires_at bigint NOT NULL
    );
    CREATE INDEX device_codes_client ON device_codes (client_id);
    CREATE TABLE consents (
      user_id text NOT NULL,
      client_id text NOT NULL,
      scopes text NOT NULL,
      granted_at bigint NOT NULL,
      expires_at bigint NOT NULL,
      PRIMARY KEY (user_id, client_id)
    );
    CREATE TABLE backoff (
      key text PRIMARY KEY,
      failures integer NOT NULL,
      last_failure bigint NOT NULL,
      expires_at bigint NOT NULL
    );
    CREATE TABLE used_jtis (
      kind text NOT NULL,
      issuer text NOT NULL,
      jti text NOT NULL,
      expires_at bigint NOT NULL,
      PRIMARY KEY (kind, issuer, jti)
    );
  )sql"},
  {2, "refresh families bound to a client certificate (RFC 8705 §4)", R"sql(
    ALTER TABLE families ADD COLUMN certificate_thumbprint text NOT NULL DEFAULT '';
  )sql"},
}};

} // namespace oauthctl::server::state
