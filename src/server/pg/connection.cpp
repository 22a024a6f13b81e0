// SPDX-License-Identifier: MIT
#include "server/pg/connection.hpp"

#include "server/pg/libpq.hpp"

#include <fmt/format.h>

#include <libpq-fe.h>
#include <poll.h>

#include <array>

namespace oauthctl::server::pg {

namespace {

using util::ErrorKind;

// libpq's messages end with a newline and may run over several lines (DETAIL, HINT):
// the first line says what happened.
std::string first_line(const char* message) {
  std::string text = message != nullptr ? message : "";
  if (const auto end = text.find('\n'); end != std::string::npos) {
    text.resize(end);
  }
  return text.empty() ? "unknown error" : text;
}

} // namespace

util::Result<std::unique_ptr<Connection>> Connection::open(const std::string& url,
                                                           const ConnectOptions& options) {
  if (auto library = libpq(); !library) {
    return tl::unexpected(library.error());
  }
  // Check the URL's shape first, so a typo is a configuration error, not an outage.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = pq().PQconninfoParse(url.c_str(), &parse_error);
  if (parsed == nullptr) {
    auto message = first_line(parse_error);
    pq().PQfreemem(parse_error);
    return util::fail(ErrorKind::config, "--store: not a PostgreSQL URL: " + message);
  }
  pq().PQconninfoFree(parsed);

  // Our defaults come before `dbname`, so settings in the URL itself override them.
  const auto timeout = std::to_string(options.connect_timeout.count());
  const auto session = fmt::format("-c statement_timeout={}", options.statement_timeout.count());
  const std::array<const char*, 5> keywords{"connect_timeout", "application_name", "options", "dbname",
                                            nullptr};
  const std::array<const char*, 5> values{timeout.c_str(), options.application_name.c_str(), session.c_str(),
                                          url.c_str(), nullptr};
  PGconn* connection = pq().PQconnectdbParams(keywords.data(), values.data(), 1);
  if (connection == nullptr) {
    return util::fail(ErrorKind::internal, "libpq could not allocate a connection");
  }
  if (pq().PQstatus(connection) != CONNECTION_OK) {
    auto message = first_line(pq().PQerrorMessage(connection));
    pq().PQfinish(connection);
    return util::fail(ErrorKind::network, "database unavailable: " + message);
  }
  // NOTICEs (an IF NOT EXISTS that found the table, ...) are not errors: libpq would print
  // them to stderr.
  pq().PQsetNoticeProcessor(
    connection, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Connection>(new Connection(connection));
}

Connection::~Connection() {
  pq().PQfinish(m_connection);
}

bool Connection::broken() const {
  return pq().PQstatus(m_connection) != CONNECTION_OK;
}

bool Connection::still_open() {
  // An idle connection hears from the server only when it says goodbye (a FATAL message,
  // then the end of the stream) or sends a notice. libpq reads the FATAL as a notice and
  // returns; the next read meets the end and marks the connection bad. So read until
  // nothing more is waiting (a few rounds at most).
  for (int round = 0; round < 4; ++round) {
    if (broken()) {
      return false;
    }
    pollfd waiting{pq().PQsocket(m_connection), POLLIN, 0};
    if (::poll(&waiting, 1, 0) <= 0) {
      return true; // nothing arrived (or poll was interrupted: the pool's retry covers that)
    }
    if (pq().PQconsumeInput(m_connection) == 0) {
      return false;
    }
  }
  return !broken();
}

void Connection::note_sending(std::string_view sql) {
  switch (pq().PQtransactionStatus(m_connection)) {
    case PQTRANS_IDLE: // autocommit: the statement commits by itself, unless it opens a block
      m_may_have_committed = m_may_have_committed || sql != "BEGIN";
      break;
    case PQTRANS_INTRANS:
    case PQTRANS_INERROR: // nothing is committed before COMMIT
      m_may_have_committed = m_may_have_committed || sql == "COMMIT";
      break;
    case PQTRANS_UNKNOWN: // broken: libpq sends nothing
      break;
    case PQTRANS_ACTIVE:
      m_may_have_committed = true;
      break;
  }
}

int Connection::socket() const {
  return pq().PQsocket(m_connection);
}

util::Result<Rows> Connection::check(void* raw, std::string_view what) {
  auto* result = static_cast<PGresult*>(raw);
  const auto status = result != nullptr ? pq().PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    return Rows(result);
  }
  const bool has_sqlstate = result != nullptr && pq().PQresultErrorField(result, PG_DIAG_SQLSTATE) != nullptr;
  const auto message =
    first_line(result != nullptr ? pq().PQresultErrorMessage(result) : pq().PQerrorMessage(m_connection));
  pq().PQclear(result);
  // A broken connection or a refused statement are both the database's trouble, not the
  // request's (StateStore's contract: `network`, answered 503 and retried). Only libpq
  // refusing the call itself, on a healthy connection and without a SQLSTATE, is our bug.
  if (!broken() && !has_sqlstate && result != nullptr) {
    return util::fail(ErrorKind::internal, fmt::format("database: {}: {}", what, message));
  }
  return util::fail(ErrorKind::network, fmt::format("database unavailable: {}: {}", what, message));
}

util::Result<std::string> Connection::prepared(std::string_view sql) {
  const std::string text(sql);
  if (const auto found = m_statements.find(text); found != m_statements.end()) {
    return found->second;
  }
  auto name = fmt::format("oauthctl_{}", m_statements.size() + 1);
  auto done = check(pq().PQprepare(m_connection, name.c_str(), text.c_str(), 0, nullptr), "prepare");
  if (!done) {
    return tl::unexpected(done.error());
  }
  m_statements.emplace(text, name);
  return name;
}

util::Result<Rows> Connection::exec(std::string_view sql, const std::vector<Param>& params) {
  auto name = prepared(sql);
  if (!name) {
    return tl::unexpected(name.error());
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) {
    values.push_back(param.c_str());
  }
  note_sending(sql);
  return check(pq().PQexecPrepared(m_connection, name->c_str(), static_cast<int>(values.size()),
                                   values.data(), nullptr, nullptr, 0),
               "statement");
}

util::Result<void> Connection::exec_script(std::string_view sql) {
  const std::string text(sql);
  m_may_have_committed = true; // a script may hold its own COMMIT
  auto done = check(pq().PQexec(m_connection, text.c_str()), "script");
  if (!done) {
    return tl::unexpected(done.error());
  }
  return {};
}

util::Result<std::vector<Notification>> Connection::notifications() {
  if (pq().PQconsumeInput(m_connection) == 0 || broken()) {
    return util::fail(ErrorKind::network,
                      "database unavailable: " + first_line(pq().PQerrorMessage(m_connection)));
  }
  std::vector<Notification> received;
  while (PGnotify* notify = pq().PQnotifies(m_connection)) {
    received.push_back({notify->relname, notify->extra});
    pq().PQfreemem(notify);
  }
  return received;
}

} // namespace oauthctl::server::pg
