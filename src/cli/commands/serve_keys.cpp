// SPDX-License-Identifier: MIT
#include "cli/commands/serve_keys.hpp"

#include "cli/commands/token_argument.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"

#include <oauthctl/server/signing_key_admin.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <ctime>
#include <ostream>

namespace oauthctl::cli {

namespace {

// RFC 3339 in UTC, to the second.
std::string utc(std::int64_t seconds) {
  const auto time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[32];
  const auto length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return std::string(text, length);
}

int run_list(const StoreOptionsReader& read_store, Io& io) {
  auto options = read_store(io);
  if (!options) {
    return report(io, options.error());
  }
  auto keys = server::list_signing_keys(*options);
  if (!keys) {
    return report(io, keys.error());
  }
  const auto now = now_epoch_seconds();
  io.out << fmt::format("{:<44} {:<6} {:<9} {:<21} {}\n", "KID", "ALG", "STATE", "CREATED", "IN JWKS UNTIL");
  for (const auto& key : *keys) {
    const bool active = key.retired_at == 0;
    const bool published = active || key.publish_until > now;
    io.out << fmt::format("{:<44} {:<6} {:<9} {:<21} {}\n", key.kid, key.alg,
                          active      ? "active"
                          : published ? "retired"
                                      : "expired",
                          utc(key.created_at), active ? "-" : utc(key.publish_until));
  }
  io.out << std::flush;
  return k_exit_ok;
}

int run_rotate(const StoreOptionsReader& read_store, Io& io) {
  auto options = read_store(io);
  if (!options) {
    return report(io, options.error());
  }
  const auto now = now_epoch_seconds();
  auto added = server::rotate_signing_key(*options, now);
  if (!added) {
    return report(io, added.error());
  }
  // stdout: the new kid alone, for scripts; what it means on stderr.
  io.out << added->kid << '\n' << std::flush;
  io.err << fmt::format(
              "oauthctl: signing key {} ({}) is now active; every serve on this store signs with it "
              "within a second and keeps the previous key in its JWKS until its last token expires\n",
              added->kid, added->alg)
         << std::flush;
  return k_exit_ok;
}

} // namespace

ServeKeys setup_serve_keys(CLI::App& serve, StoreOptionsReader read_store) {
  auto* keys = serve.add_subcommand("keys", "the signing keys in serve's store: list, rotate");
  keys->require_subcommand(1);
  keys->fallthrough(); // --store, --data, --config ... belong to serve and may follow
  keys->footer("The store is the one serve would use: --store, OAUTHCTL_STORE, --data, the --config file's\n"
               "store member, else the default file. Example:\n"
               "  oauthctl serve keys rotate --store postgres://oauthctl@db:5432/oauthctl");
  auto* list =
    keys->add_subcommand("list", "list the signing keys: kid, alg, active or retired, in the JWKS until");
  list->fallthrough();
  auto* rotate = keys->add_subcommand(
    "rotate", "make a fresh signing key the active one on every serve of the store; the old one stays "
              "in the JWKS until its tokens have expired");
  rotate->fallthrough();
  auto reader = std::make_shared<StoreOptionsReader>(std::move(read_store));
  return {keys, [list, rotate, reader](Io& io) {
            if (rotate->parsed()) {
              return run_rotate(*reader, io);
            }
            (void)list;
            return run_list(*reader, io);
          }};
}

} // namespace oauthctl::cli
