// SPDX-License-Identifier: MIT
#include "server/pg/libpq.hpp"

#include <oauthctl/util/shared_library.hpp>

namespace oauthctl::server::pg {

namespace {

util::Result<Libpq> load_libpq() {
  auto library = util::SharedLibrary::open("libpq.so.5");
  if (!library) {
    return tl::unexpected(library.error());
  }
  Libpq out;
  const bool complete =
    library->bind(out.PQclear, "PQclear") && library->bind(out.PQcmdTuples, "PQcmdTuples") &&
    library->bind(out.PQconnectdbParams, "PQconnectdbParams") &&
    library->bind(out.PQconninfoFree, "PQconninfoFree") &&
    library->bind(out.PQconninfoParse, "PQconninfoParse") &&
    library->bind(out.PQconsumeInput, "PQconsumeInput") &&
    library->bind(out.PQerrorMessage, "PQerrorMessage") && library->bind(out.PQexec, "PQexec") &&
    library->bind(out.PQexecPrepared, "PQexecPrepared") && library->bind(out.PQfinish, "PQfinish") &&
    library->bind(out.PQfreemem, "PQfreemem") && library->bind(out.PQgetisnull, "PQgetisnull") &&
    library->bind(out.PQgetlength, "PQgetlength") && library->bind(out.PQgetvalue, "PQgetvalue") &&
    library->bind(out.PQnotifies, "PQnotifies") && library->bind(out.PQntuples, "PQntuples") &&
    library->bind(out.PQprepare, "PQprepare") &&
    library->bind(out.PQresultErrorField, "PQresultErrorField") &&
    library->bind(out.PQresultErrorMessage, "PQresultErrorMessage") &&
    library->bind(out.PQresultStatus, "PQresultStatus") &&
    library->bind(out.PQsetNoticeProcessor, "PQsetNoticeProcessor") &&
    library->bind(out.PQsocket, "PQsocket") && library->bind(out.PQstatus, "PQstatus") &&
    library->bind(out.PQtransactionStatus, "PQtransactionStatus");
  if (!complete) {
    return util::fail(util::ErrorKind::internal, "libpq.so.5 lacks a function oauthctl needs (too old?)");
  }
  return out;
}

const util::Result<Libpq>& libpq_once() {
  static const util::Result<Libpq> library = load_libpq();
  return library;
}

} // namespace

util::Result<const Libpq*> libpq() {
  if (!libpq_once()) {
    return tl::unexpected(libpq_once().error());
  }
  return &*libpq_once();
}

const Libpq& loaded_libpq() {
  return *libpq_once();
}

} // namespace oauthctl::server::pg
