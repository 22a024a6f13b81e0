// SPDX-License-Identifier: MIT
#pragma once
// libpq's functions, loaded when the first PostgreSQL connection opens (util::SharedLibrary
// says why): `serve` on SQLite and every other command never load libpq and the LDAP,
// Kerberos and GnuTLS libraries it pulls in.

#include <oauthctl/util/error.hpp>

#include <libpq-fe.h>

namespace oauthctl::server::pg {

// The functions of libpq this module calls, by their own names.
struct Libpq {
  decltype(&::PQclear) PQclear = nullptr;
  decltype(&::PQcmdTuples) PQcmdTuples = nullptr;
  decltype(&::PQconnectdbParams) PQconnectdbParams = nullptr;
  decltype(&::PQconninfoFree) PQconninfoFree = nullptr;
  decltype(&::PQconninfoParse) PQconninfoParse = nullptr;
  decltype(&::PQconsumeInput) PQconsumeInput = nullptr;
  decltype(&::PQerrorMessage) PQerrorMessage = nullptr;
  decltype(&::PQexec) PQexec = nullptr;
  decltype(&::PQexecPrepared) PQexecPrepared = nullptr;
  decltype(&::PQfinish) PQfinish = nullptr;
  decltype(&::PQfreemem) PQfreemem = nullptr;
  decltype(&::PQgetisnull) PQgetisnull = nullptr;
  decltype(&::PQgetlength) PQgetlength = nullptr;
  decltype(&::PQgetvalue) PQgetvalue = nullptr;
  decltype(&::PQnotifies) PQnotifies = nullptr;
  decltype(&::PQntuples) PQntuples = nullptr;
  decltype(&::PQprepare) PQprepare = nullptr;
  decltype(&::PQresultErrorField) PQresultErrorField = nullptr;
  decltype(&::PQresultErrorMessage) PQresultErrorMessage = nullptr;
  decltype(&::PQresultStatus) PQresultStatus = nullptr;
  decltype(&::PQsetNoticeProcessor) PQsetNoticeProcessor = nullptr;
  decltype(&::PQsocket) PQsocket = nullptr;
  decltype(&::PQstatus) PQstatus = nullptr;
  decltype(&::PQtransactionStatus) PQtransactionStatus = nullptr;
};

// libpq, loaded once per process (thread safe); `internal` error when libpq.so.5 or one of
// the functions above is missing.
[[nodiscard]] util::Result<const Libpq*> libpq();

// The loaded libpq: only where libpq() has succeeded (a connection or a result exists).
[[nodiscard]] const Libpq& loaded_libpq();

// Short for loaded_libpq() where a connection or a result exists (`pq().PQclear(result)`);
// here, not in each .cpp, so that a unity batch holding two of them sees one definition.
inline const Libpq& pq() {
  return loaded_libpq();
}

} // namespace oauthctl::server::pg
