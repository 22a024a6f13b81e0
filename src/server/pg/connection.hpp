// SPDX-License-Identifier: MIT
#pragma once

#include "server/pg/param.hpp"
#include "server/pg/rows.hpp"

#include <oauthctl/util/error.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn; // libpq's PGconn, kept out of this header

namespace oauthctl::server::pg {

// How a connection is opened. Timeouts keep a hung database from holding a request
// thread for long: a statement that runs out of time is `network` like a lost one.
struct ConnectOptions {
  std::chrono::seconds connect_timeout{3};
  std::chrono::milliseconds statement_timeout{5000};
  std::string application_name = "oauthctl serve";
};

// A NOTIFY received on a LISTEN channel.
struct Notification {
  std::string channel;
  std::string payload;
};

// One libpq connection (RAII; moves by pointer only). Statements always carry their
// values as parameters, and each distinct SQL text is prepared once per connection, so
// the hot statements are parsed and planned once. Not thread-safe: one user at a time
// (the Pool hands it out).
class Connection {
public:
  // Connects to `url`: a libpq URI (postgres://user@host:port/db) or key=value string;
  // the password comes from the URI, PGPASSWORD or ~/.pgpass as libpq reads them.
  // `config` error for a malformed URL, `network` when the database cannot be reached.
  [[nodiscard]] static util::Result<std::unique_ptr<Connection>> open(const std::string& url,
                                                                      const ConnectOptions& options = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement with $1..$n bound to `params`. Errors: `network` when the
  // database went away, timed out or aborted the transaction for a conflict (see
  // kind_for_sqlstate), `io` for one the database refused, `internal` for a misuse.
  [[nodiscard]] util::Result<Rows> exec(std::string_view sql, const std::vector<Param>& params = {});

  // Runs a constant script of several statements without parameters (schema migrations,
  // LISTEN): never pass it text that contains input.
  [[nodiscard]] util::Result<void> exec_script(std::string_view sql);

  // Runs `work` inside BEGIN ... COMMIT; rolls back when it fails (or COMMIT fails).
  template<typename T>
  [[nodiscard]] util::Result<T> transaction(const std::function<util::Result<T>(Connection&)>& work);

  // True once libpq saw the connection break: the pool closes it instead of reusing it.
  [[nodiscard]] bool broken() const;
  // For an idle connection: false when the server has closed it meanwhile (a restart,
  // pg_terminate_backend: it sends a FATAL message, then closes the socket). Reads what is
  // waiting on the socket and sends nothing, so the pool finds a dead connection before
  // it hands it a statement. Costs one poll() when nothing is waiting.
  [[nodiscard]] bool still_open();

  // Whether a statement sent since begin_unit() may have taken effect in the database: one
  // sent outside a transaction block (it commits by itself), a COMMIT, or a script. Until
  // then, a unit of work that failed because the connection broke changed nothing (the
  // server rolls back the open transaction of a lost connection), so it may run again on
  // another connection.
  [[nodiscard]] bool may_have_committed() const { return m_may_have_committed; }
  void begin_unit() { m_may_have_committed = false; }
  // The socket to poll for notifications.
  [[nodiscard]] int socket() const;
  // Reads what arrived on the socket and returns the notifications among it. `network`
  // when the connection broke.
  [[nodiscard]] util::Result<std::vector<Notification>> notifications();

private:
  explicit Connection(pg_conn* connection) : m_connection(connection) {}
  util::Result<std::string> prepared(std::string_view sql);
  util::Result<Rows> check(void* result, std::string_view what);
  void note_sending(std::string_view sql);

  pg_conn* m_connection;
  std::unordered_map<std::string, std::string> m_statements; // SQL text -> prepared name
  bool m_may_have_committed = false;
};

template<typename T>
util::Result<T> Connection::transaction(const std::function<util::Result<T>(Connection&)>& work) {
  if (auto begun = exec("BEGIN"); !begun) {
    return tl::unexpected(begun.error());
  }
  auto result = work(*this);
  if (!result) {
    (void)exec("ROLLBACK");
    return result;
  }
  if (auto committed = exec("COMMIT"); !committed) {
    (void)exec("ROLLBACK");
    return tl::unexpected(committed.error());
  }
  return result;
}

} // namespace oauthctl::server::pg
