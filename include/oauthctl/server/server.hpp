// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/server/simulate.hpp>
#include <oauthctl/server/tls_options.hpp>
#include <oauthctl/server/transport_limits.hpp>
#include <oauthctl/util/error.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

enum class Persistence { sqlite_file, ephemeral };

// How `oauthctl serve` runs.
struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;         // 0 picks a free port
  std::string config_path; // JSON seed in Aidbox shapes; empty for none
  bool demo = false;       // seed the documented demo clients and user
  Persistence persistence = Persistence::sqlite_file;
  std::string data_path; // SQLite file (ignored when ephemeral)
  // Where the live state lives, spelled out: "sqlite:PATH", "sqlite::memory:" or
  // "postgres://USER@HOST:PORT/DB"; when set, persistence and data_path are not used.
  std::string store;
  // Connections to a database server at most (`--store-pool`); SQLite uses one.
  std::size_t store_pool = 8;
  std::string issuer; // defaults to http(s)://HOST:PORT (0.0.0.0 shows as 127.0.0.1)
  // Receives one line per request ("GET /fhir/Patient 200 0.4ms": method, path without
  // query, status, time) and server notices ("warning: ..."); never a secret. Called from
  // worker threads, one call at a time. May be empty.
  std::function<void(std::string_view)> log;
  // Worker threads that run the endpoints (the slow parts block: scrypt, the store,
  // JWKS fetches); connections are served by one event loop thread per core and hold no
  // worker while they wait for bytes.
  std::size_t threads = 32;
  // Deadlines and size limits of the HTTP transport.
  TransportLimits limits;
  // HTTPS instead of HTTP when tls.enabled(): the default issuer, and so every URL the
  // server advertises, becomes https://, and session cookies get `Secure`.
  TlsOptions tls;
  // Mutual TLS on a port of its own (RFC 8705 §5), with TLS only: -1 none (the main
  // port asks every client for a certificate), 0 a free one. The main port then asks
  // nobody for one (no certificate prompt in a browser), and discovery names this port's
  // token, introspection, revocation, device and userinfo URLs in `mtls_endpoint_aliases`.
  // Those URLs are the issuer's with this port.
  int mtls_port = -1;
  // Device authorization (RFC 8628): the polling interval and the device code lifetime,
  // in seconds.
  std::int64_t device_interval = 5;
  std::int64_t device_lifetime = 600;
  // Password guessing backoff (login form and password grant): after this many failures
  // in a row for one username, attempts are refused for `login_backoff_seconds`, doubling
  // with each further failure (at most 32 times as long).
  int login_backoff_failures = 3;
  std::int64_t login_backoff_seconds = 1;
  // How long a user's Allow on the consent page lasts, in seconds (0: until withdrawn at
  // /auth/consents); then the consent page asks again. Default: 90 days.
  std::int64_t consent_lifetime = 90 * 24 * 3600;
  // GETs an http(s) URL and returns its body: how a Client's `jwks_uri` URL is read
  // (the CLI supplies it). Empty: only jwks_uri file paths work.
  std::function<util::Result<std::string>(const std::string& url)> fetch_url;
  // Faults to inject on purpose (`--simulate`, simulate.hpp); empty: a correct server.
  std::vector<Fault> simulate;
};

// Where the store lives when `data_path` is empty: $XDG_DATA_HOME/oauthctl/serve.db,
// else ~/.local/share/oauthctl/serve.db, else ./oauthctl-serve.db.
std::string default_data_path();

// The authorization server and FHIR resource server of `oauthctl serve`.
class Server {
public:
  virtual ~Server() = default;

  // Opens the store, seeds it, loads or creates the signing key and binds the socket,
  // so the port accepts connections when this returns. `config` errors for a bad seed
  // file, `io` for a store that cannot be opened, `network` when the port cannot be bound.
  [[nodiscard]] static util::Result<std::unique_ptr<Server>> start(const ServerOptions& options);

  // The bound port (the chosen one when 0 was asked for).
  [[nodiscard]] virtual int port() const = 0;
  // The mutual TLS port (ServerOptions::mtls_port), or 0 when there is none.
  [[nodiscard]] virtual int mtls_port() const = 0;
  // The issuer URL tokens carry.
  [[nodiscard]] virtual std::string issuer() const = 0;
  // Serves until stop() is called; returns at once if stop() came first.
  virtual void run() = 0;
  // Stops serving; safe to call from another thread or a signal-handling thread.
  virtual void stop() = 0;
};

} // namespace oauthctl::server
