// SPDX-License-Identifier: MIT
#include "server/state/seed_sync.hpp"

#include <oauthctl/server/demo.hpp>
#include <oauthctl/server/secret_hash.hpp>

#include <fmt/format.h>

#include <array>
#include <optional>
#include <set>

namespace oauthctl::server::state {

namespace {

// Why start-up hashes nothing: scrypt costs ~0.1 s and 32 MiB per secret, and hashing every
// seeded secret again at every start was most of serve's start-up time. The seed holds the
// secrets in plain text anyway (config file, or the published demo ones), so this process
// checks requests against them directly; the store's copy (for other processes and the
// next start) is brought up to date in the background, and hashed at rest as before.
struct Desired {
  std::string id;
  std::string resource_json;
  std::optional<std::string> secret;
  Source source;
};

template<typename Spec>
std::vector<Desired> desired(const std::vector<Spec>& config, const std::vector<Spec>& demo,
                             std::optional<std::string> Spec::*secret) {
  std::vector<Desired> out;
  std::set<std::string> configured;
  for (const auto& spec : config) {
    configured.insert(spec.id);
    out.push_back({spec.id, to_resource(spec).dump(), spec.*secret, Source::config});
  }
  for (const auto& spec : demo) {
    // A config entry with a demo id replaces the demo one (e.g. a demo-client with the
    // implicit grant enabled): the config is its source.
    if (configured.count(spec.id) == 0) {
      out.push_back({spec.id, to_resource(spec).dump(), spec.*secret, Source::demo});
    }
  }
  return out;
}

// The published demo secrets (oauthctl/server/demo.hpp), hashed once with the default scrypt
// cost and a fixed salt (the text "oauthctl demo cl" / "oauthctl demo us"). Why: otherwise
// every start with --demo checks its stored hashes again (one scrypt per secret: ~0.1 s of
// a core and 32 MiB each, competing with start-up) or makes new ones. A fixed, published
// salt loses nothing here: a salt keeps precomputed guesses away from secrets nobody
// knows, and these are printed in the README. So the demo rows always hold these hashes,
// written without hashing when a store has others (a store from an older release).
// test_server_store.cpp checks that each verifies its secret.
struct PublishedHash {
  std::string_view secret;
  std::string_view hash;
};
constexpr std::array k_demo_hashes{
  PublishedHash{k_demo_client_secret,
                "$scrypt$ln=15,r=8,p=1$b2F1dGhjdGwgZGVtbyBjbA$izhC-2S0E3K2VDX_F1Be98OlRaYwPFtUkUtDSu2gr1Q"},
  PublishedHash{k_demo_password,
                "$scrypt$ln=15,r=8,p=1$b2F1dGhjdGwgZGVtbyB1cw$rZmUX6zsprVFQuz45RMHxJ1sHHuUtPC9OCQSnT9ZObg"},
};

// The precomputed hash of a demo entry's secret, when it is a published one.
std::optional<std::string> published_hash(const Desired& entry) {
  if (entry.source != Source::demo || !entry.secret) {
    return std::nullopt;
  }
  for (const auto& known : k_demo_hashes) {
    if (*entry.secret == known.secret) { // published values, not a secret compare
      return std::string(known.hash);
    }
  }
  return std::nullopt;
}

using Getter = util::Result<std::optional<PrincipalRecord>> (StateStore::*)(const std::string&);
using Lister = util::Result<std::vector<PrincipalRecord>> (StateStore::*)();
using Putter = util::Result<void> (StateStore::*)(const PrincipalRecord&);
using Deleter = util::Result<bool> (StateStore::*)(const std::string&);

util::Result<void> sync(StateStore& store, const std::vector<Desired>& wanted, PendingHash::Kind kind,
                        Getter get, Lister list, Putter put, Deleter remove, SeedSync& out) {
  const char* noun = kind == PendingHash::Kind::client ? "client" : "user";
  std::set<std::string> listed;
  for (const auto& entry : wanted) {
    listed.insert(entry.id);
    auto stored = (store.*get)(entry.id);
    if (!stored) {
      return tl::unexpected(stored.error());
    }
    PrincipalRecord row{entry.id, entry.resource_json, {}, entry.source, 0};
    if (auto known = published_hash(entry)) {
      row.secret_hash = std::move(*known); // nothing to check later
    } else if (entry.secret) {
      // Keep the stored hash for now (checked in the background); a new entry gets the
      // placeholder, which no secret verifies against.
      row.secret_hash =
        *stored && !(*stored)->secret_hash.empty() ? (*stored)->secret_hash : std::string(k_unhashed_secret);
      out.pending_hashes.push_back({kind, entry.id, *entry.secret});
    }
    if (entry.secret) {
      (kind == PendingHash::Kind::client ? out.client_secrets : out.user_passwords)
        .emplace_back(entry.id, *entry.secret);
    }
    const bool same = *stored && (*stored)->resource_json == row.resource_json &&
                      (*stored)->secret_hash == row.secret_hash && (*stored)->source == row.source;
    if (!same) {
      if (auto written = (store.*put)(row); !written) {
        return written;
      }
    }
  }
  auto all = (store.*list)();
  if (!all) {
    return tl::unexpected(all.error());
  }
  for (const auto& row : *all) {
    if (row.source == Source::admin || listed.count(row.id) > 0) {
      continue;
    }
    // Seeded once, no longer seeded: the credentials stop working (a published demo
    // secret must not outlive --demo).
    if (auto removed = (store.*remove)(row.id); !removed) {
      return tl::unexpected(removed.error());
    }
    out.dropped.push_back(fmt::format("{} {} (seeded from {}) is no longer in the seed: removed", noun,
                                      row.id, row.source == Source::demo ? "--demo" : "--config"));
  }
  return {};
}

} // namespace

util::Result<SeedSync> sync_seed(StateStore& store, const Seed& config, const Seed& demo) {
  SeedSync out;
  auto clients =
    sync(store, desired(config.clients, demo.clients, &ClientSpec::secret), PendingHash::Kind::client,
         &StateStore::client, &StateStore::clients, &StateStore::put_client, &StateStore::delete_client, out);
  if (!clients) {
    return tl::unexpected(clients.error());
  }
  auto users =
    sync(store, desired(config.users, demo.users, &UserSpec::password), PendingHash::Kind::user,
         &StateStore::user, &StateStore::users, &StateStore::put_user, &StateStore::delete_user, out);
  if (!users) {
    return tl::unexpected(users.error());
  }
  return out;
}

void finish_seed_hashes(StateStore& store, const std::vector<PendingHash>& pending,
                        const std::function<void(std::string_view)>& log,
                        const std::function<bool()>& stopping,
                        const std::function<void(const PendingHash&, const std::string&)>& storing) {
  for (const auto& item : pending) {
    if (stopping && stopping()) {
      return;
    }
    const bool client = item.kind == PendingHash::Kind::client;
    auto stored = client ? store.client(item.id) : store.user(item.id);
    if (!stored || !*stored) {
      continue; // gone meanwhile (or the store is down: the next start checks again)
    }
    if (verify_secret(item.secret, (*stored)->secret_hash)) {
      continue; // the stored hash matches the seed: nothing to write
    }
    if (stopping && stopping()) {
      return;
    }
    auto row = **stored;
    row.secret_hash = hash_secret(item.secret);
    if (storing) {
      storing(item, row.secret_hash);
    }
    auto written = client ? store.put_client(row) : store.put_user(row);
    if (!written && log) {
      log("warning: could not store the hash of " + std::string(client ? "client " : "user ") + item.id +
          ": " + written.error().message);
    }
  }
}

} // namespace oauthctl::server::state
