// SPDX-License-Identifier: MIT
// `oauthctl cache clear|list|path`: the token cache, without contacting any server.
#include "cli/commands/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/token_cache_use.hpp"

#include <oauthctl/oauth/token_cache.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <ostream>

namespace oauthctl::cli {

namespace {

enum class Action { clear, list, path };

struct CacheOptions {
  Action action = Action::list;
};

int run_cache(const CacheOptions& options, Io& io) {
  const auto path = token_cache_file(io);
  if (path.empty()) {
    return report_usage(io, "no token cache location: set HOME or XDG_CACHE_HOME");
  }
  switch (options.action) {
    case Action::path:
      io.out << path << '\n' << std::flush;
      return k_exit_ok;
    case Action::list: {
      // Never the tokens themselves: only what they are for and when they expire.
      // Tab-separated for `cut`, with a header naming the columns, and every column filled
      // ("-" when empty) so no line ends in a tab.
      const auto cache = oauth::load_token_cache(path);
      io.out << "SERVER\tCLIENT\tGRANT\tSCOPE\tEXPIRES\tREFRESH\n";
      for (const auto& entry : cache.entries()) {
        const auto& key = entry.key;
        io.out << fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", key.server.empty() ? key.token_url : key.server,
                              key.client_id, key.grant, key.scope.empty() ? "-" : key.scope,
                              entry.expires_at ? format_utc(*entry.expires_at) : std::string("-"),
                              entry.token.refresh_token.empty() ? "no" : "yes");
      }
      io.out << std::flush;
      return k_exit_ok;
    }
    case Action::clear: {
      std::size_t removed = 0;
      const auto done = oauth::update_token_cache(path, [&](oauth::TokenCache& cache) {
        removed = cache.remove_if([](const oauth::CachedToken&) { return true; }).size();
      });
      if (!done) {
        return report(io, done.error());
      }
      io.err << fmt::format("oauthctl: removed {} cached token{} (not revoked; `oauthctl logout` revokes)\n",
                            removed, removed == 1 ? "" : "s")
             << std::flush;
      return k_exit_ok;
    }
  }
  return k_exit_internal;
}

} // namespace

Runner setup_cache(CLI::App& app) {
  auto options = std::make_shared<CacheOptions>();
  app.require_subcommand(1);
  const auto add = [&](const char* name, const char* description, Action action) {
    app.add_subcommand(name, description)->parse_complete_callback([options, action] {
      options->action = action;
    });
  };
  add("clear", "remove every cached token (locally; nothing is revoked)", Action::clear);
  add("list", "list cached tokens: server, client, grant, scope, expiry (never the tokens)", Action::list);
  add("path", "print the cache file's path", Action::path);
  return [options](Io& io) { return run_cache(*options, io); };
}

} // namespace oauthctl::cli
