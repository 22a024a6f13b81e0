// SPDX-License-Identifier: MIT
#include "server/app.hpp"
#include "server/routes.hpp"
#include "server/simulate.hpp"
#include "server/store/auth_journal.hpp"

#include <oauthctl/server/secret_hash.hpp>
#include <oauthctl/server/seed.hpp>
#include <oauthctl/server/server.hpp>
#include <oauthctl/server/store.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

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

// Writes the seed into the store, hashing secrets (the slow part of start-up).
util::Result<void> apply_seed(Store& store, const Seed& seed) {
  for (const auto& client : seed.clients) {
    const StoredResource stored{client.id, to_resource(client).dump(),
                                client.secret ? hash_secret(*client.secret) : std::string()};
    if (auto put = store.put_client(stored); !put) {
      return put;
    }
  }
  for (const auto& user : seed.users) {
    const StoredResource stored{user.id, to_resource(user).dump(),
                                user.password ? hash_secret(*user.password) : std::string()};
    if (auto put = store.put_user(stored); !put) {
      return put;
    }
  }
  return {};
}

// The signing key: the oldest stored one, or a fresh one stored first. Reading back after
// the insert makes two servers starting on one new file agree on the same key.
util::Result<oauth::SigningKey> load_or_create_key(Store& store, const ServerOptions& options) {
  auto keys = store.keys();
  if (!keys) {
    return tl::unexpected(keys.error());
  }
  if (keys->empty()) {
    auto fresh = oauth::SigningKey::generate_rsa(2048);
    if (!fresh) {
      return tl::unexpected(fresh.error());
    }
    if (auto added = store.add_key({fresh->kid(), fresh->alg(), fresh->to_pem(), system_now()}); !added) {
      return tl::unexpected(added.error());
    }
    keys = store.keys();
    if (!keys || keys->empty()) {
      return util::fail(ErrorKind::io, "store: the new signing key was not saved");
    }
    if (options.log && options.persistence == Persistence::sqlite_file) {
      options.log(fmt::format("generated signing key {}", keys->front().kid));
    }
  }
  const auto& stored = keys->front();
  const auto alg = oauth::parse_jws_alg(stored.alg);
  auto key = oauth::SigningKey::from_pem(stored.pem, alg.value_or(oauth::JwsAlg::rs256));
  if (!key) {
    return util::fail(ErrorKind::io, "store: the stored signing key is unreadable: " + key.error().message);
  }
  return key;
}

util::Result<std::vector<RegisteredClient>> load_clients(Store& store) {
  auto rows = store.clients();
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  std::vector<RegisteredClient> clients;
  for (const auto& row : *rows) {
    const auto resource = nlohmann::json::parse(row.resource_json, nullptr, false);
    auto spec = parse_client(resource, "store");
    if (!spec) {
      return util::fail(ErrorKind::io,
                        fmt::format("store: client {} is unreadable: {}", row.id, spec.error().message));
    }
    spec->secret.reset();
    clients.push_back({std::move(*spec), row.secret_hash});
  }
  return clients;
}

util::Result<std::vector<RegisteredUser>> load_users(Store& store) {
  auto rows = store.users();
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  std::vector<RegisteredUser> users;
  for (const auto& row : *rows) {
    const auto resource = nlohmann::json::parse(row.resource_json, nullptr, false);
    auto spec = parse_user(resource, "store");
    if (!spec) {
      return util::fail(ErrorKind::io,
                        fmt::format("store: user {} is unreadable: {}", row.id, spec.error().message));
    }
    spec->password.reset();
    users.push_back({std::move(*spec), row.secret_hash});
  }
  return users;
}

class ServerImpl final : public Server {
public:
  util::Result<void> open(const ServerOptions& options) {
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
      // A Client or User of the config file with a demo id replaces the demo one (e.g. a
      // demo-client with the implicit grant enabled).
      auto demo = demo_seed();
      for (auto& client : demo.clients) {
        if (std::none_of(seed.clients.begin(), seed.clients.end(),
                         [&](const ClientSpec& given) { return given.id == client.id; })) {
          seed.clients.push_back(std::move(client));
        }
      }
      for (auto& user : demo.users) {
        if (std::none_of(seed.users.begin(), seed.users.end(),
                         [&](const UserSpec& given) { return given.id == user.id; })) {
          seed.users.push_back(std::move(user));
        }
      }
      if (!is_loopback_host(options.host) && options.log) {
        options.log(fmt::format(
          "warning: --demo on {} exposes well-known demo credentials beyond this machine", options.host));
      }
    }
    const auto path = options.persistence == Persistence::ephemeral
                        ? std::string(k_memory_store)
                        : (options.data_path.empty() ? default_data_path() : options.data_path);
    auto store = open_sqlite_store(path);
    if (!store) {
      return tl::unexpected(store.error());
    }
    m_store = std::move(*store);
    if (auto seeded = apply_seed(*m_store, seed); !seeded) {
      return seeded;
    }
    auto key = load_or_create_key(*m_store, options);
    if (!key) {
      return tl::unexpected(key.error());
    }
    auto clients = load_clients(*m_store);
    if (!clients) {
      return tl::unexpected(clients.error());
    }
    auto users = load_users(*m_store);
    if (!users) {
      return tl::unexpected(users.error());
    }
    // Bind before building the context: the default issuer needs the actual port.
    auto listener = HttpListener::bind(
      [this](const ServerRequest& request) {
        auto response = handle_request(*m_context, request);
        apply_faults(m_faults, *m_context, request, response);
        return response;
      },
      ListenerOptions{options.host, options.port, options.threads, options.log, options.limits, options.tls});
    if (!listener) {
      return tl::unexpected(listener.error());
    }
    m_listener = std::move(*listener);
    auto issuer = options.issuer.empty()
                    ? default_issuer(options.host, m_listener->port(), options.tls.enabled())
                    : options.issuer;
    while (issuer.size() > 1 && issuer.back() == '/') {
      issuer.pop_back();
    }
    auto context = make_app_context(std::move(issuer), std::move(*key), std::move(*clients),
                                    std::move(*users), system_now);
    if (!context) {
      return tl::unexpected(context.error());
    }
    (*context)->device =
      std::make_unique<DeviceGrants>(k_device_capacity, options.device_interval, options.device_lifetime);
    m_context = std::move(*context);
    m_faults = options.simulate;
    BackoffPolicy backoff;
    backoff.free_failures = options.login_backoff_failures;
    backoff.first_wait = options.login_backoff_seconds;
    m_context->auth->set_login_backoff(backoff);
    if (!trusted.empty()) {
      auto issuers = TrustedIssuers::create(std::move(trusted), http_jwks_fetch());
      if (!issuers) {
        return tl::unexpected(issuers.error());
      }
      m_context->trusted_issuers = std::move(*issuers);
    }
    // Refresh tokens and revocations survive a restart (DESIGN.md); codes and login
    // sessions are short-lived and stay in memory.
    if (auto restored = restore_auth_state(*m_store, *m_context->auth, system_now()); !restored) {
      return restored;
    }
    m_context->auth->set_journal(make_store_journal(*m_store, options.log));
    // Used client assertion ids survive a restart too: replaying one must keep failing.
    auto used = m_store->assertion_ids(system_now());
    if (!used) {
      return tl::unexpected(used.error());
    }
    for (const auto& id : *used) {
      m_context->assertions->restore_jti(id.client_id, id.jti, id.expires_at);
    }
    m_context->assertions->set_journal(
      [store = m_store.get(), log = options.log](const std::string& client_id, const std::string& jti,
                                                 std::int64_t expires_at) {
        if (auto added = store->add_assertion_id({client_id, jti, expires_at}); !added && log) {
          log("warning: " + added.error().message);
        }
      });
    m_context->assertions->set_fetcher(options.fetch_url);
    return {};
  }

  int port() const override { return m_listener->port(); }
  std::string issuer() const override { return m_context->issuer; }
  void run() override { m_listener->run(); }
  void stop() override { m_listener->stop(); }

private:
  std::unique_ptr<Store> m_store;
  std::unique_ptr<AppContext> m_context;
  std::vector<std::string> m_faults;        // serve --simulate
  std::unique_ptr<HttpListener> m_listener; // last: destroyed first, before the context
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
