// SPDX-License-Identifier: MIT
#include "server/pg/migrations.hpp"

#include <fmt/format.h>

namespace oauthctl::server::pg {

util::Result<int> migrate(Connection& connection, std::span<const Migration> steps, std::int64_t lock_key) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].version != static_cast<int>(i) + 1) {
      return util::fail(util::ErrorKind::internal,
                        fmt::format("migration {} is out of order", steps[i].name));
    }
  }
  const auto latest = static_cast<int>(steps.size());
  return connection.transaction<int>([&](Connection& db) -> util::Result<int> {
    // Held until COMMIT or ROLLBACK, so a crash mid-way cannot leave it taken.
    if (auto locked = db.exec("SELECT pg_advisory_xact_lock($1)", {lock_key}); !locked) {
      return tl::unexpected(locked.error());
    }
    if (auto created = db.exec_script("CREATE TABLE IF NOT EXISTS schema_version ("
                                      " version integer PRIMARY KEY,"
                                      " name text NOT NULL,"
                                      " applied_at timestamptz NOT NULL DEFAULT now())");
        !created) {
      return tl::unexpected(created.error());
    }
    auto current = db.exec("SELECT coalesce(max(version), 0) FROM schema_version");
    if (!current) {
      return tl::unexpected(current.error());
    }
    const auto version = static_cast<int>(current->int64(0, 0));
    if (version > latest) {
      return util::fail(
        util::ErrorKind::config,
        fmt::format("the database schema is at version {}, newer than this oauthctl knows ({}): "
                    "upgrade oauthctl",
                    version, latest));
    }
    for (int next = version + 1; next <= latest; ++next) {
      const auto& step = steps[static_cast<std::size_t>(next - 1)];
      if (auto applied = db.exec_script(step.sql); !applied) {
        auto error = applied.error();
        error.message = fmt::format("migration {} ({}): {}", step.version, step.name, error.message);
        return tl::unexpected(error);
      }
      if (auto recorded =
            db.exec("INSERT INTO schema_version (version, name) VALUES ($1, $2)", {step.version, step.name});
          !recorded) {
        return tl::unexpected(recorded.error());
      }
    }
    return latest;
  });
}

} // namespace oauthctl::server::pg
