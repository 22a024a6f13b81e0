// SPDX-License-Identifier: MIT
// `oauthctl serve`: start the mini authorization + resource server and wait for a signal.
#include "cli/commands/command.hpp"
#include "cli/commands/serve_keys.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/settings.hpp"
#include "cli/xdg_directory.hpp"

#include <oauthctl/http/client.hpp>
#include <oauthctl/http/url.hpp>
#include <oauthctl/server/demo.hpp>
#include <oauthctl/server/seed.hpp>
#include <oauthctl/server/server.hpp>
#include <oauthctl/server/simulate.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <thread>
#include <tuple>
#include <utility>

namespace oauthctl::cli {

namespace {

struct ServeOptions {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string mtls_port; // empty: mutual TLS on the main port
  std::string config;
  std::string data;
  std::string store; // sqlite:PATH or postgres://...
  std::string store_pool = "8";
  std::string issuer;
  std::string device_interval = "5";
  std::string device_lifetime = "600";
  std::string login_backoff; // N:SECONDS
  std::string consent_lifetime = "90d";
  // Transport limits (server::TransportLimits); empty keeps the default.
  std::string header_timeout, body_timeout, idle_timeout, shutdown_grace;
  std::string max_header_bytes, max_header_count, max_body_bytes, max_token_body_bytes;
  std::string max_connections, max_connections_per_address, workers;
  std::string simulate; // FAULT[,FAULT...] or "list"
  // TLS: a certificate and key, or one made for localhost.
  std::string tls_cert, tls_key, tls_client_ca;
  std::string tls_dir; // where --tls-self-signed keeps its certificate
  bool tls_self_signed = false;
  bool demo = false;
  bool ephemeral = false;
  bool quiet = false;
  EnvBindings env;
};

// XDG Base Directory: $XDG_DATA_HOME, else ~/.local/share.
util::Result<std::string> default_data_path(const Io& io) {
  const auto base = xdg_directory(io, "XDG_DATA_HOME", ".local/share");
  if (base.empty()) {
    return util::fail(util::ErrorKind::config,
                      "neither XDG_DATA_HOME nor HOME is set: give --data or --ephemeral");
  }
  const auto directory = std::filesystem::path(base) / "oauthctl";
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) {
    return util::fail(util::ErrorKind::io,
                      fmt::format("cannot create {}: {}", directory.string(), ec.message()));
  }
  return (directory / "serve.db").string();
}

// Blocks SIGINT and SIGTERM for the lifetime of this object (in this thread and every
// thread started meanwhile) and waits for them on a thread of its own, so that no work
// happens in a signal handler: the waiting thread calls `on_signal` as a normal thread.
class SignalWaiter {
public:
  SignalWaiter() {
    sigemptyset(&m_set);
    sigaddset(&m_set, SIGINT);
    sigaddset(&m_set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &m_set, &m_previous);
  }
  SignalWaiter(const SignalWaiter&) = delete;
  SignalWaiter& operator=(const SignalWaiter&) = delete;
  ~SignalWaiter() {
    finish();
    pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
  }

  // Starts waiting; `on_signal` runs on the waiting thread when a signal arrives.
  void start(std::function<void()> on_signal) {
    m_thread = std::thread([this, on_signal = std::move(on_signal)] {
      int signal = 0;
      sigwait(&m_set, &signal);
      m_signalled.store(true);
      if (!m_stopping.load()) {
        on_signal();
      }
    });
  }
  // Stops waiting and joins the waiting thread: after this, `on_signal` is not running
  // and will not run.
  void finish() {
    m_stopping.store(true);
    if (m_thread.joinable()) {
      if (!m_signalled.load()) {
        // Wake the waiter with a signal only it is waiting for (blocked everywhere else).
        pthread_kill(m_thread.native_handle(), SIGTERM);
      }
      m_thread.join();
    }
  }

private:
  sigset_t m_set{};
  sigset_t m_previous{};
  std::thread m_thread;
  std::atomic<bool> m_signalled{false};
  std::atomic<bool> m_stopping{false};
};

// Removes a directory and what is in it when the object goes away: the home of an
// --ephemeral server's self-signed certificate.
class TemporaryDirectory {
public:
  TemporaryDirectory() = default;
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  ~TemporaryDirectory() {
    if (!m_path.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(m_path, ignored);
    }
  }
  // Makes a private directory under $TMPDIR (or /tmp); `io` error when it cannot.
  util::Result<std::string> make(const Io& io) {
    const auto base = io.getenv("TMPDIR");
    auto pattern =
      (base.empty() || base.front() != '/' ? std::string("/tmp") : base) + "/oauthctl-serve-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      return util::fail(util::ErrorKind::io, fmt::format("cannot make a temporary directory {}", pattern));
    }
    m_path = pattern;
    return m_path;
  }

private:
  std::string m_path;
};

// The SQLite file a --store value names (sqlite:PATH or a plain path); empty for a database
// server or a store in memory.
std::string sqlite_file_of(const std::string& store) {
  if (store.rfind("postgres://", 0) == 0 || store.rfind("postgresql://", 0) == 0) {
    return {};
  }
  auto path = store.rfind("sqlite:", 0) == 0 ? store.substr(7) : store;
  return path.find("://") == std::string::npos && path != ":memory:" ? path : std::string();
}

// $XDG_STATE_HOME/oauthctl/tls, else ~/.local/state/oauthctl/tls (XDG Base Directory:
// state that outlives a restart but is no user data).
util::Result<std::string> default_tls_directory(const Io& io) {
  const auto base = xdg_directory(io, "XDG_STATE_HOME", ".local/state");
  if (base.empty()) {
    return util::fail(util::ErrorKind::config,
                      "--tls-self-signed: neither XDG_STATE_HOME nor HOME is set: give --tls-dir");
  }
  return (std::filesystem::path(base) / "oauthctl" / "tls").string();
}

// Where --tls-self-signed keeps its certificate, never the current directory: --tls-dir;
// else beside the SQLite file; else, for a store in memory, `temporary` (gone when serve
// exits); else (a database server) the XDG state directory.
util::Result<std::string> self_signed_directory(const ServeOptions& options,
                                                const server::ServerOptions& server_options,
                                                TemporaryDirectory& temporary, const Io& io) {
  if (!options.tls_dir.empty()) {
    return options.tls_dir;
  }
  if (server_options.store.empty() && server_options.persistence == server::Persistence::sqlite_file) {
    return (std::filesystem::path(server_options.data_path).parent_path() / "tls").string();
  }
  if (const auto file = sqlite_file_of(server_options.store); !file.empty()) {
    return (std::filesystem::path(file).parent_path() / "tls").string();
  }
  if (server_options.store.find("://") == std::string::npos) {
    return temporary.make(io); // --ephemeral, or sqlite::memory:
  }
  return default_tls_directory(io);
}

// --tls-cert/--tls-key/--tls-self-signed onto `tls`. A self-signed certificate lives where
// self_signed_directory() says (reused while it covers the host and is valid).
util::Result<void> apply_tls_flags(const ServeOptions& options, const server::ServerOptions& server_options,
                                   server::TlsOptions& tls, TemporaryDirectory& temporary, const Io& io) {
  if (!options.tls_client_ca.empty() && !options.tls_self_signed && options.tls_cert.empty()) {
    return util::fail(util::ErrorKind::usage, "--tls-client-ca needs TLS: add --tls-cert and --tls-key, or "
                                              "--tls-self-signed");
  }
  if (!options.tls_dir.empty() && !options.tls_self_signed) {
    return util::fail(util::ErrorKind::usage,
                      "--tls-dir is where --tls-self-signed keeps its certificate: add "
                      "--tls-self-signed");
  }
  tls.client_ca_file = options.tls_client_ca;
  if (options.tls_self_signed) {
    if (!options.tls_cert.empty() || !options.tls_key.empty()) {
      return util::fail(util::ErrorKind::usage,
                        "--tls-self-signed makes its own certificate: drop --tls-cert and --tls-key");
    }
    auto where = self_signed_directory(options, server_options, temporary, io);
    if (!where) {
      return tl::unexpected(where.error());
    }
    const auto& directory = *where;
    auto files =
      server::ensure_self_signed_certificate(directory, server::self_signed_names(server_options.host));
    if (!files) {
      return tl::unexpected(files.error());
    }
    tls.cert_file = files->cert_file;
    tls.key_file = files->key_file;
    return {};
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return util::fail(util::ErrorKind::usage, "--tls-cert and --tls-key go together");
  }
  tls.cert_file = options.tls_cert;
  tls.key_file = options.tls_key;
  return {};
}

// The "store" member of the config file's object form, JSON or YAML (issue 9: the store
// may be named in serve's config); empty when it has none. The file is checked whole here,
// so a bad one fails with the message the server would print.
util::Result<std::string> config_file_store(const std::string& path) {
  return server::load_seed_file(path).map([](server::Seed seed) { return std::move(seed.store); });
}

// A device authorization setting in whole seconds: 1 to a day.
util::Result<std::int64_t> parse_device_seconds(std::string_view option, const std::string& text) {
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc{} || end != text.data() + text.size() || seconds < 1 || seconds > 86'400) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("invalid {} {}: expected whole seconds from 1 to 86400", option, text));
  }
  return seconds;
}

// --consent-lifetime: N seconds, or N with a unit s, m, h or d ("90d"); 0 means until the
// user withdraws it; at most ten years.
util::Result<std::int64_t> parse_consent_lifetime(const std::string& text) {
  std::int64_t count = 0;
  const auto* first = text.data();
  const auto* last = first + text.size();
  const auto [end, ec] = std::from_chars(first, last, count);
  std::int64_t unit = 1;
  if (end != last && end + 1 == last) {
    switch (*end) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86'400;
        break;
      default:
        unit = 0;
    }
  }
  constexpr std::int64_t k_ten_years = 3650 * 86'400;
  if (ec != std::errc{} || end == first || (end != last && (end + 1 != last || unit == 0)) || count < 0 ||
      count > k_ten_years / unit) {
    return util::fail(
      util::ErrorKind::usage,
      fmt::format("invalid --consent-lifetime {}: expected a duration such as 90d, 12h, 30m or "
                  "600 (seconds), at most 3650d; 0 keeps consent until withdrawn",
                  text));
  }
  return count * unit;
}

// "N:SECONDS" of --login-backoff: 1 to 1000 free failures, a first wait of 1 to 3600 s.
std::optional<std::pair<int, std::int64_t>> parse_login_backoff(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  int failures = 0;
  std::int64_t seconds = 0;
  const auto* first_end = text.data() + colon;
  const auto* last_end = text.data() + text.size();
  const auto a = std::from_chars(text.data(), first_end, failures);
  const auto b = std::from_chars(first_end + 1, last_end, seconds);
  if (a.ec != std::errc{} || a.ptr != first_end || b.ec != std::errc{} || b.ptr != last_end || failures < 1 ||
      failures > 1000 || seconds < 1 || seconds > 3600) {
    return std::nullopt;
  }
  return std::pair{failures, seconds};
}

// A duration in seconds ("10", "0.5"): at least 1 ms, at most a day.
util::Result<std::chrono::milliseconds> parse_limit_seconds(std::string_view option,
                                                            const std::string& text) {
  double seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc{} || end != text.data() + text.size() || !(seconds >= 0.001) || seconds > 86'400) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("invalid {} {}: expected seconds from 0.001 to 86400", option, text));
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000 + 0.5));
}

// A count or size: a whole number from 1 to `max`.
util::Result<std::size_t> parse_limit_count(std::string_view option, const std::string& text,
                                            std::size_t max) {
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > max) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("invalid {} {}: expected a whole number from 1 to {}", option, text, max));
  }
  return value;
}

// The transport flags onto `limits` (and the worker count); flags left empty keep the
// defaults of server::TransportLimits.
util::Result<void> apply_transport_flags(const ServeOptions& options, server::ServerOptions& server_options) {
  auto& limits = server_options.limits;
  for (const auto& [name, text, target] :
       {std::tuple{"--header-timeout", &options.header_timeout, &limits.header_timeout},
        std::tuple{"--body-timeout", &options.body_timeout, &limits.body_timeout},
        std::tuple{"--idle-timeout", &options.idle_timeout, &limits.idle_timeout},
        std::tuple{"--shutdown-grace", &options.shutdown_grace, &limits.shutdown_grace}}) {
    if (!text->empty()) {
      auto value = parse_limit_seconds(name, *text);
      if (!value) {
        return tl::unexpected(value.error());
      }
      *target = *value;
    }
  }
  constexpr std::size_t k_max_bytes = 64ULL * 1024 * 1024;
  for (const auto& [name, text, target, max] :
       {std::tuple{"--max-header-bytes", &options.max_header_bytes, &limits.max_header_bytes, k_max_bytes},
        std::tuple{"--max-header-count", &options.max_header_count, &limits.max_header_count,
                   std::size_t{10'000}},
        std::tuple{"--max-body-bytes", &options.max_body_bytes, &limits.max_body_bytes, k_max_bytes},
        std::tuple{"--max-token-body-bytes", &options.max_token_body_bytes, &limits.max_token_body_bytes,
                   k_max_bytes},
        std::tuple{"--max-connections", &options.max_connections, &limits.max_connections,
                   std::size_t{1'000'000}},
        std::tuple{"--max-connections-per-address", &options.max_connections_per_address,
                   &limits.max_connections_per_address, std::size_t{1'000'000}},
        std::tuple{"--workers", &options.workers, &server_options.threads, std::size_t{1024}}}) {
    if (!text->empty()) {
      auto value = parse_limit_count(name, *text, max);
      if (!value) {
        return tl::unexpected(value.error());
      }
      *target = *value;
    }
  }
  return {};
}

// --store, --store-pool, --data, --ephemeral and the config file's "store" onto
// `server_options` (which store, how many connections); `usage`/`config` errors.
util::Result<void> apply_store_flags(const ServeOptions& options, server::ServerOptions& server_options,
                                     const Io& io) {
  server_options.config_path = options.config;
  // Connections to a database server (PostgreSQL); SQLite has its one connection.
  const auto* pool_first = options.store_pool.data();
  const auto* pool_last = pool_first + options.store_pool.size();
  const auto [pool_end, pool_ec] = std::from_chars(pool_first, pool_last, server_options.store_pool);
  if (pool_ec != std::errc{} || pool_end != pool_last || server_options.store_pool < 1 ||
      server_options.store_pool > 1000) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("invalid --store-pool {} (1 to 1000 connections)", options.store_pool));
  }
  if (!options.store.empty()) {
    if (options.ephemeral || !options.data.empty()) {
      return util::fail(util::ErrorKind::usage, "--store cannot be combined with --data or --ephemeral");
    }
    server_options.store = options.store;
  } else if (options.ephemeral) {
    server_options.persistence = server::Persistence::ephemeral;
  } else if (!options.data.empty()) {
    server_options.data_path = options.data;
  } else if (auto configured =
               options.config.empty() ? util::Result<std::string>() : config_file_store(options.config);
             !configured) {
    return tl::unexpected(configured.error());
  } else if (!configured->empty()) {
    // Lowest before the default: --store, OAUTHCTL_STORE, --data and --ephemeral win.
    server_options.store = std::move(*configured);
  } else {
    auto path = default_data_path(io);
    if (!path) {
      return tl::unexpected(path.error());
    }
    server_options.data_path = std::move(*path);
  }
  return {};
}

// A port flag's value: 0 to 65535 (0 picks a free port).
util::Result<int> parse_port(std::string_view flag, const std::string& text) {
  int port = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc{} || end != text.data() + text.size() || port < 0 || port > 65535) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("invalid {} {} (0 to 65535; 0 picks a free port)", flag, text));
  }
  return port;
}

int run_serve(ServeOptions& options, Io& io) {
  options.env.apply(io);
  server::ServerOptions server_options;
  server_options.host = options.host;
  if (auto port = parse_port("--port", options.port); !port) {
    return report(io, port.error());
  } else {
    server_options.port = *port;
  }
  if (!options.mtls_port.empty()) {
    auto port = parse_port("--mtls-port", options.mtls_port);
    if (!port) {
      return report(io, port.error());
    }
    if (options.tls_cert.empty() && !options.tls_self_signed) {
      return report_usage(io, "--mtls-port needs TLS: add --tls-cert and --tls-key, or --tls-self-signed");
    }
    server_options.mtls_port = *port;
  }
  for (const auto& [name, text, target] :
       {std::tuple{"--device-interval", &options.device_interval, &server_options.device_interval},
        std::tuple{"--device-lifetime", &options.device_lifetime, &server_options.device_lifetime}}) {
    auto seconds = parse_device_seconds(name, *text);
    if (!seconds) {
      return report(io, seconds.error());
    }
    *target = *seconds;
  }
  if (auto applied = apply_transport_flags(options, server_options); !applied) {
    return report(io, applied.error());
  }
  if (options.simulate == "list") {
    // One line each: NAME[:ARG]  description (e.g. NAME:EXAMPLE) (whole server)  [check: IDS],
    // where "IDS+" means those fail and every check that needs them, and "(whole server)"
    // marks the faults a Client's simulate field cannot carry; tests parse these lines.
    for (const auto& fault : server::fault_table()) {
      const auto name =
        fault.argument.empty() ? std::string(fault.name) : fmt::format("{}:{}", fault.name, fault.argument);
      const auto example =
        fault.example.empty() ? std::string() : fmt::format(" (e.g. {}:{})", fault.name, fault.example);
      io.out << fmt::format("{:<38} {}{}{}  [check: {}{}]\n", name, fault.description, example,
                            fault.per_client ? "" : " (whole server)",
                            fault.caught_by.empty() ? "none fails" : fault.caught_by,
                            fault.cascades ? "+" : "");
    }
    io.out << std::flush;
    return k_exit_ok;
  }
  auto faults = server::parse_faults(options.simulate);
  if (!faults) {
    return report(io, faults.error());
  }
  server_options.simulate = std::move(*faults);
  server_options.config_path = options.config;
  server_options.demo = options.demo;
  server_options.issuer = options.issuer;
  if (!options.login_backoff.empty()) {
    const auto backoff = parse_login_backoff(options.login_backoff);
    if (!backoff) {
      return report_usage(io, fmt::format("invalid --login-backoff {} (expected FAILURES:SECONDS, e.g. 3:1)",
                                          options.login_backoff));
    }
    server_options.login_backoff_failures = backoff->first;
    server_options.login_backoff_seconds = backoff->second;
  }
  if (auto lifetime = parse_consent_lifetime(options.consent_lifetime); !lifetime) {
    return report(io, lifetime.error());
  } else {
    server_options.consent_lifetime = *lifetime;
  }
  if (auto chosen = apply_store_flags(options, server_options, io); !chosen) {
    return report(io, chosen.error());
  }
  // A Client's jwks_uri URL (private_key_jwt) is read through the CLI's HTTP client: the
  // server module never makes requests itself. One client per fetch keeps it thread-safe.
  server_options.fetch_url = [](const std::string& url) -> util::Result<std::string> {
    http::ClientOptions client_options;
    // Short: the caller is an unauthenticated token request holding a worker, and a
    // failure is remembered for a minute anyway (AssertionState::k_failure_lifetime).
    client_options.timeout = std::chrono::milliseconds(3'000);
    client_options.user_agent = "oauthctl/" OAUTHCTL_VERSION;
    const auto client = http::make_curl_client(client_options, nullptr);
    http::Request request;
    request.method = "GET";
    request.url = url;
    request.headers.add("Accept", "application/json");
    auto response = client->send(request);
    if (!response) {
      return tl::unexpected(response.error());
    }
    if (response->status < 200 || response->status > 299) {
      return util::fail(util::ErrorKind::bad_response,
                        fmt::format("{} answered HTTP {}", url, response->status));
    }
    return std::move(response->body);
  };
  TemporaryDirectory tls_directory; // outlives the server
  if (auto applied = apply_tls_flags(options, server_options, server_options.tls, tls_directory, io);
      !applied) {
    return report(io, applied.error());
  }
  std::string fingerprint;
  if (server_options.tls.enabled()) {
    auto read = server::certificate_fingerprint(server_options.tls.cert_file);
    if (!read) {
      return report(io, read.error());
    }
    fingerprint = std::move(*read);
  }
  auto log_mutex = std::make_shared<std::mutex>();
  if (!options.quiet) {
    // The server logs from its worker threads; whole lines, one at a time.
    server_options.log = [&io, log_mutex](std::string_view line) {
      const std::lock_guard lock(*log_mutex);
      io.err << line << '\n' << std::flush;
    };
  }

  SignalWaiter signals; // before start(), so the server's threads inherit the mask
  auto started = server::Server::start(server_options);
  if (!started) {
    return report(io, started.error());
  }
  auto& server = **started;
  const auto host = server_options.host.find(':') != std::string::npos
                      ? fmt::format("[{}]", server_options.host)
                      : server_options.host;
  const auto url =
    fmt::format("{}://{}:{}", server_options.tls.enabled() ? "https" : "http", host, server.port());
  // Scripts wait for this exact first line; it comes only once the socket accepts.
  io.out << "listening on " << url << '\n' << std::flush;
  if (server_options.tls.enabled()) {
    // What a client trusts (--cacert FILE) or pins, on the next two lines.
    io.out << "tls certificate: " << std::filesystem::absolute(server_options.tls.cert_file).string() << '\n'
           << "tls fingerprint: SHA-256 " << fingerprint << '\n'
           << std::flush;
  }
  if (server.mtls_port() != 0) {
    // Where certificates are asked for (RFC 8705 §5); discovery names it too.
    io.out << "mutual tls on " << fmt::format("https://{}:{}", host, server.mtls_port()) << '\n'
           << std::flush;
  }
  if (options.demo) {
    if (const auto parsed = http::parse_url(url); parsed && !parsed->is_loopback()) {
      const std::lock_guard lock(*log_mutex);
      io.err << "oauthctl: warning: --demo on a non-loopback address: anyone who can reach " << url
             << " can use the demo client's well-known secret\n"
             << std::flush;
    }
    io.out << server::demo_banner(url) << std::flush;
  }
  signals.start([&server] { server.stop(); });
  server.run();
  signals.finish();
  return 0;
}

} // namespace

Runner setup_serve(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  options->env.add(app, "--host", options->host, "OAUTHCTL_SERVE_HOST",
                   "address to listen on (default 127.0.0.1)");
  options->env.add(app, "--port", options->port, "OAUTHCTL_SERVE_PORT",
                   "port to listen on (default 8080; 0 = any free port)");
  options->env.add(
    app, "--config", options->config, "OAUTHCTL_SERVE_CONFIG",
    "JSON or YAML file of Aidbox-shaped Client, User and TokenIntrospector resources to seed, "
    "checked at load (man oauthctl: The --config file); a JSON file's \"store\" member names the "
    "store when no --store, --data or --ephemeral does");
  options->env.add(app, "--data", options->data, "OAUTHCTL_SERVE_DATA",
                   "SQLite store (default $XDG_DATA_HOME/oauthctl/serve.db)");
  options->env.add(
    app, "--store", options->store, "OAUTHCTL_STORE",
    "where the live state lives: sqlite:PATH, sqlite::memory: or postgres://USER@HOST:PORT/DB");
  options->env.add(app, "--store-pool", options->store_pool, "OAUTHCTL_STORE_POOL",
                   "connections to a --store database server at most (default 8)");
  options->env.add(app, "--issuer", options->issuer, "OAUTHCTL_ISSUER",
                   "issuer URL for tokens (default http://HOST:PORT)");
  options->env.add(app, "--device-interval", options->device_interval, "OAUTHCTL_SERVE_DEVICE_INTERVAL",
                   "seconds a device client must wait between polls (RFC 8628 interval; default 5)");
  options->env.add(app, "--device-lifetime", options->device_lifetime, "OAUTHCTL_SERVE_DEVICE_LIFETIME",
                   "seconds a device code stays valid (default 600)");
  options->env.add(app, "--login-backoff", options->login_backoff, "OAUTHCTL_SERVE_LOGIN_BACKOFF",
                   "password guessing backoff FAILURES:SECONDS (default 3:1): after FAILURES wrong "
                   "passwords for a username from one client address (and browser session), refuse it "
                   "there for SECONDS, "
                   "doubling per further failure; after 10 x FAILURES from anywhere, everywhere (up "
                   "to 4 x SECONDS)");
  options->env.add(app, "--consent-lifetime", options->consent_lifetime, "OAUTHCTL_SERVE_CONSENT_LIFETIME",
                   "how long a user's Allow on the consent page lasts before they are asked again: "
                   "90d (the default), 12h, 30m or seconds; 0 until withdrawn at /auth/consents");
  options->env.add(app, "--header-timeout", options->header_timeout, "OAUTHCTL_SERVE_HEADER_TIMEOUT",
                   "seconds from a request's first byte until its header must be complete (default 10)");
  options->env.add(app, "--body-timeout", options->body_timeout, "OAUTHCTL_SERVE_BODY_TIMEOUT",
                   "seconds after the header until the whole body must have arrived (default 20)");
  options->env.add(app, "--idle-timeout", options->idle_timeout, "OAUTHCTL_SERVE_IDLE_TIMEOUT",
                   "seconds a kept-alive connection may wait for its next request (default 5)");
  options->env.add(app, "--max-header-bytes", options->max_header_bytes, "OAUTHCTL_SERVE_MAX_HEADER_BYTES",
                   "request line and header fields, in bytes; beyond: 431 (default 32768)");
  options->env.add(app, "--max-header-count", options->max_header_count, "OAUTHCTL_SERVE_MAX_HEADER_COUNT",
                   "header fields per request; beyond: 431 (default 100)");
  options->env.add(app, "--max-token-body-bytes", options->max_token_body_bytes,
                   "OAUTHCTL_SERVE_MAX_TOKEN_BODY_BYTES",
                   "request body of the token, introspection and revocation endpoints; beyond: 413 "
                   "(default 65536)");
  options->env.add(app, "--max-body-bytes", options->max_body_bytes, "OAUTHCTL_SERVE_MAX_BODY_BYTES",
                   "request body of every other endpoint; beyond: 413 (default 16384)");
  options->env.add(app, "--max-connections", options->max_connections, "OAUTHCTL_SERVE_MAX_CONNECTIONS",
                   "open connections in all; more are closed at once (default 1000)");
  options->env.add(app, "--max-connections-per-address", options->max_connections_per_address,
                   "OAUTHCTL_SERVE_MAX_CONNECTIONS_PER_ADDRESS",
                   "open connections from one client address (default 100)");
  options->env.add(app, "--shutdown-grace", options->shutdown_grace, "OAUTHCTL_SERVE_SHUTDOWN_GRACE",
                   "on SIGTERM/SIGINT, seconds requests in progress may take to finish (default 10)");
  options->env.add(app, "--tls-cert", options->tls_cert, "OAUTHCTL_SERVE_TLS_CERT",
                   "serve HTTPS with this PEM certificate (chain); needs --tls-key");
  options->env.add(app, "--tls-key", options->tls_key, "OAUTHCTL_SERVE_TLS_KEY",
                   "the PEM private key of --tls-cert");
  options->env.add(app, "--tls-client-ca", options->tls_client_ca, "OAUTHCTL_SERVE_TLS_CLIENT_CA",
                   "PEM CA certificates that issue the certificates of tls_client_auth clients (mutual TLS, "
                   "RFC 8705)");
  options->env.add(app, "--mtls-port", options->mtls_port, "OAUTHCTL_SERVE_MTLS_PORT",
                   "mutual TLS (RFC 8705) on this port of its own (0 = any free port; needs TLS): the main "
                   "port then asks no client for a certificate, and discovery lists this port's endpoints in "
                   "mtls_endpoint_aliases");
  options->env.add(app, "--workers", options->workers, "OAUTHCTL_SERVE_WORKERS",
                   "threads that run the endpoints (default 32)");
  app.add_option(
    "--simulate", options->simulate,
    "misbehave on purpose: FAULT[,FAULT...] ('list' prints them with the check that catches each)");
  app.add_flag("--demo", options->demo, "seed the documented demo client and user, and say how to use them");
  app.add_flag("--tls-self-signed", options->tls_self_signed,
               "serve HTTPS with a certificate made for localhost (kept in --tls-dir; printed with its "
               "SHA-256 fingerprint: trust it with --cacert)");
  options->env.add(
    app, "--tls-dir", options->tls_dir, "OAUTHCTL_SERVE_TLS_DIR",
    "where --tls-self-signed keeps its certificate (default: a tls directory beside the SQLite "
    "file; $XDG_STATE_HOME/oauthctl/tls for PostgreSQL; a temporary one with --ephemeral)");
  app.add_flag("--ephemeral", options->ephemeral, "keep everything in memory; nothing survives a restart");
  app.add_flag("-q,--quiet", options->quiet, "no request log on stderr");
  auto keys = setup_serve_keys(app, [options](Io& io) -> util::Result<server::ServerOptions> {
    options->env.apply(io);
    server::ServerOptions server_options;
    if (auto chosen = apply_store_flags(*options, server_options, io); !chosen) {
      return tl::unexpected(chosen.error());
    }
    return server_options;
  });
  return [options, keys](Io& io) { return keys.command->parsed() ? keys.run(io) : run_serve(*options, io); };
}

} // namespace oauthctl::cli
