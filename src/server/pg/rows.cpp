// SPDX-License-Identifier: MIT
#include "server/pg/rows.hpp"

#include "server/pg/libpq.hpp"

#include <libpq-fe.h>

#include <charconv>

namespace oauthctl::server::pg {

void Rows::Clear::operator()(pg_result* result) const {
  loaded_libpq().PQclear(result);
}

Rows::Rows(pg_result* result) : m_result(result) {}

int Rows::size() const {
  return loaded_libpq().PQntuples(m_result.get());
}

std::int64_t Rows::affected() const {
  const char* count = loaded_libpq().PQcmdTuples(m_result.get());
  std::int64_t value = 0;
  std::from_chars(count, count + std::char_traits<char>::length(count), value);
  return value;
}

bool Rows::is_null(int row, int column) const {
  return loaded_libpq().PQgetisnull(m_result.get(), row, column) != 0;
}

std::string Rows::text(int row, int column) const {
  return {loaded_libpq().PQgetvalue(m_result.get(), row, column),
          static_cast<std::size_t>(loaded_libpq().PQgetlength(m_result.get(), row, column))};
}

std::int64_t Rows::int64(int row, int column) const {
  const char* value = loaded_libpq().PQgetvalue(m_result.get(), row, column);
  std::int64_t number = 0;
  std::from_chars(value, value + loaded_libpq().PQgetlength(m_result.get(), row, column), number);
  return number;
}

bool Rows::boolean(int row, int column) const {
  return !is_null(row, column) && loaded_libpq().PQgetvalue(m_result.get(), row, column)[0] == 't';
}

} // namespace oauthctl::server::pg
