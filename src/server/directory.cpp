// SPDX-License-Identifier: MIT
#include "server/directory.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace oauthctl::server {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Each row's resource parsed by `parse` (parse_client or parse_user), its secret left out
// (the stored hash stands for it).
template<typename Registered, typename Parse>
util::Result<std::vector<Registered>> load_rows(const std::vector<state::PrincipalRecord>& rows, Parse parse,
                                                const char* noun, std::vector<std::string>* skipped) {
  std::vector<Registered> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    const auto resource = nlohmann::json::parse(row.resource_json, nullptr, false);
    auto spec = parse(resource);
    if (!spec) {
      auto message = fmt::format("store: {} {} is unreadable: {}", noun, row.id, spec.error().message);
      if (skipped == nullptr) {
        return util::fail(util::ErrorKind::io, std::move(message));
      }
      skipped->push_back(std::move(message));
      continue;
    }
    out.push_back({std::move(*spec), row.secret_hash});
  }
  return out;
}

} // namespace

std::shared_ptr<const Directory> make_directory(std::vector<RegisteredClient> clients,
                                                std::vector<RegisteredUser> users,
                                                std::shared_ptr<CredentialCache> cache) {
  return std::make_shared<const Directory>(
    Directory{ClientRegistry(std::move(clients), cache), UserDirectory(std::move(users), cache)});
}

LiveDirectory::LiveDirectory(std::shared_ptr<const Directory> initial)
    : m_current(initial), m_cache(initial->clients.cache()),
      m_freshness("client and user directory", {.bound = std::chrono::milliseconds(0)}) {}

std::shared_ptr<const Directory> LiveDirectory::current() const {
  m_freshness.require(m_refresh);
  return m_current.load(std::memory_order_acquire);
}

void LiveDirectory::replace(std::shared_ptr<const Directory> next) {
  m_current.store(std::move(next), std::memory_order_release);
}

void LiveDirectory::confirm(SteadyClock::time_point as_of) {
  m_freshness.confirm(as_of);
}

void LiveDirectory::follow(std::function<util::Result<void>()> refresh, std::chrono::milliseconds bound) {
  m_refresh = std::move(refresh);
  m_freshness.set_bound(bound);
}

util::Result<void> DirectoryRefresher::refresh() {
  // Current as of when the read started: whatever committed before then is in it.
  const auto started = SteadyClock::now();
  auto version = m_store.directory_version();
  if (!version) {
    return tl::unexpected(version.error());
  }
  return refresh(*version, started);
}

util::Result<void> DirectoryRefresher::refresh(std::int64_t version, SteadyClock::time_point read_at) {
  const std::lock_guard lock(m_mutex);
  if (version < m_version) {
    return {}; // an older read finishing after a newer one: nothing to learn from it
  }
  if (version != m_version) {
    std::vector<std::string> skipped;
    auto clients = load_clients(m_store, &skipped);
    if (!clients) {
      return tl::unexpected(clients.error());
    }
    auto users = load_users(m_store, &skipped);
    if (!users) {
      return tl::unexpected(users.error());
    }
    if (m_log) {
      for (const auto& line : skipped) {
        m_log("warning: " + line + " (left out)");
      }
    }
    m_directory.replace(make_directory(std::move(*clients), std::move(*users), m_directory.cache()));
    m_version = version;
  }
  m_directory.confirm(read_at);
  return {};
}

util::Result<std::vector<RegisteredClient>> load_clients(state::StateStore& store,
                                                         std::vector<std::string>* skipped) {
  auto rows = store.clients();
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  return load_rows<RegisteredClient>(
    *rows,
    [](const nlohmann::json& resource) {
      auto spec = parse_client(resource, "store");
      if (spec) {
        spec->secret.reset();
      }
      return spec;
    },
    "client", skipped);
}

util::Result<std::vector<RegisteredUser>> load_users(state::StateStore& store,
                                                     std::vector<std::string>* skipped) {
  auto rows = store.users();
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  return load_rows<RegisteredUser>(
    *rows,
    [](const nlohmann::json& resource) {
      auto spec = parse_user(resource, "store");
      if (spec) {
        spec->password.reset();
      }
      return spec;
    },
    "user", skipped);
}

} // namespace oauthctl::server
