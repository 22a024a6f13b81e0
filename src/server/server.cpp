// SPDX-License-Identifier: MIT
#include "server/app.hpp"
#include "server/endpoints/metadata.hpp"
#include "server/heap_bounds.hpp"
#include "server/routes.hpp"
#include "server/simulate/fault_injector.hpp"
#include "server/state/seed_sync.hpp"
#include "server/state/sqlite_state_store.hpp"
#include "server/state/state_maintenance.hpp"
#include "server/store_choice.hpp"

#include <oauthctl/server/secret_hash.hpp>
#include <oauthctl/server/seed.hpp>
#include <oauthctl/server/server.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace oauthctl::server {

namespace {

using util::ErrorKind;

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host == "::1" || host.substr(0, 4) == "127.";
}

// The issuer tokens carry: reachable from this machine, so the wildcard addresses are
// shown as loopback, and IPv6 literals get brackets (RFC 3986 §3.2.2).
std::string default_issuer(const std::string& host, int port, bool tls) {
  std::string shown = host;
  if (host == "0.0.0.0" || host.empty()) {
    shown = "127.0.0.1";
  } else if (host == "::") {
    shown = "[::1]";
  } else if (host.find(':') != std::string::npos) {
    shown = "[" + host + "]";
  }
  return fmt::format("{}://{}:{}", tls ? "https" : "http", shown, port);
}

// The fault injector for `--simulate` and the seed Clients' `simulate` fields; null when
// there are none.
util::Result<std::unique_ptr<FaultInjector>> make_fault_injector(const std::vector<Fault>& global,
                                                                 const Seed& seed) {
  std::map<std::string, std::vector<Fault>> per_client;
  for (const auto& client : seed.clients) {
    if (!client.simulate.empty()) {
      per_client[client.id] = client.simulate;
    }
  }
  if (global.empty() && per_client.empty()) {
    return std::unique_ptr<FaultInjector>();
  }
  return FaultInjector::create(global, std::move(per_client));
}

// "2 clients (billing, lab)": how many, and the ids of the first ten.
template<typename Spec>
std::string counted(const std::vector<Spec>& specs, std::string_view noun) {
  constexpr std::size_t k_named = 10;
  std::string text = fmt::format("{} {}{}", specs.size(), noun, specs.size() == 1 ? "" : "s");
  for (std::size_t i = 0; i < specs.size() && i < k_named; ++i) {
    text += (i == 0 ? " (" : ", ") + specs[i].id;
  }
  if (specs.size() > k_named) {
    text += fmt::format(" and {} more", specs.size() - k_named);
  }
  return specs.empty() ? text : text + ")";
}

// What serve took from its --config file, so a user sees at start that the file they meant
// was read (issue 13).
std::string describe_seed(const std::string& path, const Seed& seed) {
  auto text =
    fmt::format("seeded from {}: {}, {}", path, counted(seed.clients, "client"), counted(seed.users, "user"));
  if (!seed.token_introspectors.empty()) {
    text += fmt::format(", {} trusted issuer{}", seed.token_introspectors.size(),
                        seed.token_introspectors.size() == 1 ? "" : "s");
  }
  return text;
}

// The signing key: the oldest active stored one, or a fresh one stored first. The store adds
// a first key only while none is active, so servers starting at once on one new store all
// read back the one key that won.
util::Result<oauth::SigningKey> load_or_create_key(state::StateStore& store, const ServerOptions& options) {
  const auto active = [](const std::vector<state::KeyRecord>& keys) {
    return std::find_if(keys.begin(), keys.end(), [](const auto& key) { return key.retired_at == 0; });
  };
  auto keys = store.keys();
  if (!keys) {
    return tl::unexpected(keys.error());
  }
  if (active(*keys) == keys->end()) {
    auto fresh = oauth::SigningKey::generate_rsa(2048);
    if (!fresh) {
      return tl::unexpected(fresh.error());
    }
    auto added = store.add_first_key({fresh->kid(), fresh->alg(), fresh->to_pem(), system_now(), 0, 0});
    if (!added) {
      return tl::unexpected(added.error());
    }
    keys = store.keys();
    if (!keys || active(*keys) == keys->end()) {
      return util::fail(ErrorKind::io, "store: the new signing key was not saved");
    }
    if (*added && options.log && options.persistence == Persistence::sqlite_file) {
      options.log(fmt::format("generated signing key {}", active(*keys)->kid));
    }
  }
  const auto& stored = *active(*keys);
  const auto alg = oauth::parse_jws_alg(stored.alg);
  auto key = oauth::SigningKey::from_pem(stored.pem, alg.value_or(oauth::JwsAlg::rs256));
  if (!key) {
    return util::fail(ErrorKind::io, "store: the stored signing key is unreadable: " + key.error().message);
  }
  return key;
}

class ServerImpl final : public Server {
public:
  util::Result<void> open(const ServerOptions& options) {
    bound_heap_arenas(); // before the listener's threads
    if (options.port < 0 || options.port > 65535) {
      return util::fail(ErrorKind::usage, fmt::format("port {} is out of range (0-65535)", options.port));
    }
    // Read the seed first: a bad config file must fail before anything touches the store.
    Seed seed;
    if (!options.config_path.empty()) {
      auto loaded = load_seed_file(options.config_path);
      if (!loaded) {
        return tl::unexpected(loaded.error());
      }
      seed = std::move(*loaded);
    }
    // Trusted issuers for token exchange: checked now, so a bad one fails the start.
    std::vector<TrustedIssuerSpec> trusted;
    const auto base_dir = std::filesystem::path(options.config_path).parent_path().string();
    for (std::size_t i = 0; i < seed.token_introspectors.size(); ++i) {
      auto spec =
        parse_token_introspector(seed.token_introspectors[i],
                                 fmt::format("{}: TokenIntrospector [{}]", options.config_path, i), base_dir);
      if (!spec) {
        return tl::unexpected(spec.error());
      }
      trusted.push_back(std::move(*spec));
    }
    if (options.demo) {
      if (!is_loopback_host(options.host) && options.log) {
        options.log(fmt::format(
          "warning: --demo on {} exposes well-known demo credentials beyond this machine", options.host));
      }
    }
    auto location = store_location(options);
    if (!location) {
      return tl::unexpected(location.error());
    }
    location->pool_size = options.store_pool;
    auto opened = state::open_state_store(*location);
    if (!opened) {
      return tl::unexpected(opened.error());
    }
    m_store = std::shared_ptr<state::StateStore>(std::move(*opened));
    // Seeded clients and users follow their source; no slow hashing on this path (see
    // seed_sync.cpp): the secrets are checked against the seed until their hashes are stored.
    auto synced = state::sync_seed(*m_store, seed, options.demo ? demo_seed() : Seed{});
    if (!synced) {
      return tl::unexpected(synced.error());
    }
    if (options.log) {
      for (const auto& line : synced->dropped) {
        options.log(line);
      }
    }
    auto key = load_or_create_key(*m_store, options);
    if (!key) {
      return tl::unexpected(key.error());
    }
    // Bind before building the context: the default issuer needs the actual port.
    const auto handler = [this](const ServerRequest& request) {
      const auto routes = [this](const ServerRequest& r) { return handle_request(*m_context, r); };
      return m_faults ? m_faults->handle(*m_context, request, routes) : routes(request);
    };
    const bool own_mtls_port = options.mtls_port >= 0;
    if (own_mtls_port && !options.tls.enabled()) {
      return util::fail(ErrorKind::usage,
                        "--mtls-port needs TLS: add --tls-cert and --tls-key, or --tls-self-signed");
    }
    auto main_tls = options.tls;
    main_tls.request_client_certificate = !own_mtls_port;
    auto listener = HttpListener::bind(handler, ListenerOptions{options.host, options.port, options.threads,
                                                                options.log, options.limits, main_tls});
    if (!listener) {
      return tl::unexpected(listener.error());
    }
    if (own_mtls_port) {
      // The same endpoints, behind a handshake that asks for the client's certificate.
      auto mtls =
        HttpListener::bind(handler, ListenerOptions{options.host, options.mtls_port, options.threads,
                                                    options.log, options.limits, options.tls});
      if (!mtls) {
        return util::fail(mtls.error().kind, "--mtls-port: " + mtls.error().message);
      }
      m_mtls_listener = std::move(*mtls);
    }
    // Only once serving is sure: a start that fails says one thing, its error.
    if (options.log) {
      options.log("store: " + state::describe_store_location(*location));
      if (!options.config_path.empty()) {
        options.log(describe_seed(options.config_path, seed));
      }
    }
    m_listener = std::move(*listener);
    auto issuer = options.issuer.empty()
                    ? default_issuer(options.host, m_listener->port(), options.tls.enabled())
                    : options.issuer;
    while (issuer.size() > 1 && issuer.back() == '/') {
      issuer.pop_back();
    }
    // The clients and users come from the store's first read below (DirectoryRefresher).
    auto context = make_app_context(std::move(issuer), std::move(*key), {}, {},
                                    simulated_clock(options.simulate), m_store);
    if (!context) {
      return tl::unexpected(context.error());
    }
    (*context)->device = std::make_unique<DeviceGrants>(*m_store, k_device_capacity, options.device_interval,
                                                        options.device_lifetime);
    // The clients and users as the store has them now, then followed every poll: a client
    // or user added, changed or dropped through any replica reaches this one within a
    // second (LiveDirectory: older than that, requests get 503).
    m_directory_refresher =
      std::make_unique<DirectoryRefresher>(*m_store, (*context)->directory, options.log);
    if (auto directory = m_directory_refresher->refresh(); !directory) {
      return tl::unexpected(directory.error());
    }
    // The seed is the truth for what it lists: its secrets are trusted (in memory, constant
    // time) while the stored hash is the one found now or one this process stores for them.
    {
      const auto initial = (*context)->directory.current();
      auto& cache = *(*context)->directory.cache();
      for (const auto& [id, secret] : synced->client_secrets) {
        if (const auto* client = initial->clients.find(id); client != nullptr) {
          cache.trust_seed(CredentialKind::client, id, secret, client->secret_hash);
        }
      }
      for (const auto& [id, password] : synced->user_passwords) {
        if (const auto* user = initial->users.find(id); user != nullptr) {
          cache.trust_seed(CredentialKind::user, id, password, user->password_hash);
        }
      }
    }
    if (m_mtls_listener) {
      const auto mtls_origin = origin_with_port((*context)->issuer, m_mtls_listener->port());
      (*context)->authorization_server_json =
        authorization_server_metadata((*context)->issuer, mtls_origin).dump();
      (*context)->openid_configuration_json = openid_configuration((*context)->issuer, mtls_origin).dump();
      (*context)->smart_configuration_json = smart_configuration((*context)->issuer, mtls_origin).dump();
    }
    m_context = std::move(*context);
    if (auto faults = make_fault_injector(options.simulate, seed); !faults) {
      return tl::unexpected(faults.error());
    } else {
      m_faults = std::move(*faults);
    }
    BackoffPolicy backoff;
    backoff.free_failures = options.login_backoff_failures;
    backoff.first_wait = options.login_backoff_seconds;
    m_context->auth->set_login_backoff(backoff);
    m_context->auth->set_consent_lifetime(options.consent_lifetime);
    if (!trusted.empty()) {
      auto issuers = TrustedIssuers::create(std::move(trusted), http_jwks_fetch());
      if (!issuers) {
        return tl::unexpected(issuers.error());
      }
      m_context->trusted_issuers = std::move(*issuers);
    }
    // Revocations from other processes, pruning of expired rows, and the seed's hashes.
    state::StateMaintenance::Tasks tasks;
    // Not for a store in memory: nothing but this process (which checks the seed's own
    // secrets) ever reads it, and the scrypt runs would only compete with the first requests.
    if (!(location->engine == state::StoreLocation::Engine::sqlite &&
          location->target == state::k_sqlite_memory)) {
      tasks.once = [store = m_store, pending = std::move(synced->pending_hashes), log = options.log,
                    cache = m_context->directory.cache()](const std::function<bool()>& stopping) {
        // Accepted before it is written: a snapshot with the new hash keeps trusting the seed.
        const auto storing = [&cache](const state::PendingHash& item, const std::string& hash) {
          cache->accept_seed_hash(item.kind == state::PendingHash::Kind::client ? CredentialKind::client
                                                                                : CredentialKind::user,
                                  item.id, hash);
        };
        state::finish_seed_hashes(*store, pending, log, stopping, storing);
      };
    }
    // The JWKS and the signing key as the store has them (a retired key still published
    // included), then followed every poll: `serve keys rotate` reaches this replica within
    // a second.
    m_key_refresher = std::make_unique<KeyRefresher>(*m_store, m_context->keys);
    if (auto keys = m_key_refresher->refresh(system_now()); !keys) {
      return tl::unexpected(keys.error());
    }
    // Each step timed (a slow tick is logged naming the slow one). The store's directory
    // version is read once per tick for the signing keys and for the clients and users.
    tasks.refresh = {
      {"heap trim",
       [] {
         release_free_heap();
         return util::Result<void>();
       }},
      {"revocations", [auth = m_context->auth.get()] { return auth->refresh_revocations(); }},
      {"directory version",
       [this]() -> util::Result<void> {
         m_tick_version.read_at = std::chrono::steady_clock::now();
         m_tick_version.version = m_store->directory_version();
         if (!m_tick_version.version) {
           return tl::unexpected(m_tick_version.version.error());
         }
         return {};
       }},
      {"signing keys",
       [this]() -> util::Result<void> {
         if (!m_tick_version.version) {
           return {}; // reported by the step before
         }
         return m_key_refresher->refresh(system_now(), *m_tick_version.version);
       }},
      {"clients and users",
       [this]() -> util::Result<void> {
         if (!m_tick_version.version) {
           return {};
         }
         return m_directory_refresher->refresh(*m_tick_version.version, m_tick_version.read_at);
       }},
    };
    tasks.log = options.log;
    tasks.late_by = simulated_poll_delay(options.simulate);
    // The views start fresh; the maintenance thread keeps them so, and a request that finds
    // one past its bound (a late tick) refreshes it itself, on a worker (FreshnessBound).
    if (auto fresh = m_context->auth->refresh_revocations(); !fresh) {
      return tl::unexpected(fresh.error());
    }
    m_context->directory.follow([directory = m_directory_refresher.get()] { return directory->refresh(); });
    m_maintenance = std::make_unique<state::StateMaintenance>(*m_store, std::move(tasks));
    // A revocation committed by any replica on the same database refreshes this process's
    // view at once (PostgreSQL NOTIFY); the maintenance poll stays the fallback and the bound.
    // The maintenance thread is woken too, for the signing keys and the client and user directory.
    m_store->on_change([auth = m_context->auth.get(), maintenance = m_maintenance.get()] {
      (void)auth->refresh_revocations();
      maintenance->wake();
    });
    m_context->assertions->set_fetcher(options.fetch_url);
    return {};
  }

  ~ServerImpl() override {
    if (m_store) {
      m_store->on_change(nullptr); // its thread calls into the context: stop it first
    }
  }

  int port() const override { return m_listener->port(); }
  int mtls_port() const override { return m_mtls_listener ? m_mtls_listener->port() : 0; }
  std::string issuer() const override { return m_context->issuer; }
  void run() override {
    std::thread mtls;
    if (m_mtls_listener) {
      mtls = std::thread([this] { m_mtls_listener->run(); });
    }
    m_listener->run();
    if (mtls.joinable()) {
      mtls.join();
    }
  }
  void stop() override {
    m_listener->stop();
    if (m_mtls_listener) {
      m_mtls_listener->stop();
    }
  }

private:
  std::shared_ptr<state::StateStore> m_store;
  std::unique_ptr<AppContext> m_context;
  std::unique_ptr<FaultInjector> m_faults;                   // serve --simulate; null: none
  std::unique_ptr<KeyRefresher> m_key_refresher;             // used by the maintenance thread
  std::unique_ptr<DirectoryRefresher> m_directory_refresher; // likewise
  // The store's directory_version() as the current maintenance tick read it, and when the
  // read began (for the keys and the clients and users; the maintenance thread only).
  struct {
    util::Result<std::int64_t> version = 0;
    std::chrono::steady_clock::time_point read_at;
  } m_tick_version;
  std::unique_ptr<state::StateMaintenance> m_maintenance; // uses the context: destroyed first
  std::unique_ptr<HttpListener> m_mtls_listener;          // --mtls-port; null: none
  std::unique_ptr<HttpListener> m_listener;               // last: destroyed first, before the context
};

} // namespace

std::string default_data_path() {
  if (const char* data = std::getenv("XDG_DATA_HOME"); data != nullptr && *data == '/') {
    return std::string(data) + "/oauthctl/serve.db";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/.local/share/oauthctl/serve.db";
  }
  return "oauthctl-serve.db";
}

util::Result<std::unique_ptr<Server>> Server::start(const ServerOptions& options) {
  auto server = std::make_unique<ServerImpl>();
  if (auto opened = server->open(options); !opened) {
    return tl::unexpected(opened.error());
  }
  return std::unique_ptr<Server>(std::move(server));
}

} // namespace oauthctl::server
