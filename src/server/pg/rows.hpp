// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <string>

struct pg_result; // libpq's PGresult, kept out of this header

namespace oauthctl::server::pg {

// The result of one successful statement: its rows (text format) and how many rows an
// INSERT, UPDATE or DELETE touched. Owns the libpq result; moves, never copies.
class Rows {
public:
  explicit Rows(pg_result* result);

  [[nodiscard]] int size() const;
  [[nodiscard]] bool empty() const { return size() == 0; }
  // Rows changed by INSERT/UPDATE/DELETE (with or without RETURNING); 0 for others.
  [[nodiscard]] std::int64_t affected() const;

  [[nodiscard]] bool is_null(int row, int column) const;
  // The value as text ("" for NULL).
  [[nodiscard]] std::string text(int row, int column) const;
  // An integer or bigint column (0 for NULL).
  [[nodiscard]] std::int64_t int64(int row, int column) const;
  // A boolean column (false for NULL).
  [[nodiscard]] bool boolean(int row, int column) const;

private:
  struct Clear {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Clear> m_result;
};

} // namespace oauthctl::server::pg
