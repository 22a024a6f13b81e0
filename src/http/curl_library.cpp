// SPDX-License-Identifier: MIT
#include "http/curl_library.hpp"

#include <oauthctl/util/shared_library.hpp>

namespace oauthctl::http::detail {

namespace {

util::Result<CurlLibrary> load_libcurl() {
  auto library = util::SharedLibrary::open("libcurl.so.4");
  if (!library) {
    return tl::unexpected(library.error());
  }
  CurlLibrary out;
  const bool complete = library->bind(out.curl_global_init, "curl_global_init") &&
                        library->bind(out.curl_version, "curl_version") &&
                        library->bind(out.curl_easy_init, "curl_easy_init") &&
                        library->bind(out.curl_easy_cleanup, "curl_easy_cleanup") &&
                        library->bind(out.curl_easy_reset, "curl_easy_reset") &&
                        library->bind(out.curl_easy_setopt, "curl_easy_setopt") &&
                        library->bind(out.curl_easy_perform, "curl_easy_perform") &&
                        library->bind(out.curl_easy_getinfo, "curl_easy_getinfo") &&
                        library->bind(out.curl_easy_strerror, "curl_easy_strerror") &&
                        library->bind(out.curl_slist_append, "curl_slist_append") &&
                        library->bind(out.curl_slist_free_all, "curl_slist_free_all") &&
                        library->bind(out.curl_getdate, "curl_getdate");
  if (!complete) {
    return util::fail(util::ErrorKind::internal, "libcurl.so.4 lacks a function oauthctl needs (too old?)");
  }
  // Not thread-safe, hence here, once, before any handle (the static's initialization is).
  out.curl_global_init(CURL_GLOBAL_DEFAULT);
  return out;
}

} // namespace

util::Result<const CurlLibrary*> curl_library() {
  static const util::Result<CurlLibrary> loaded = load_libcurl();
  if (!loaded) {
    return tl::unexpected(loaded.error());
  }
  return &*loaded;
}

} // namespace oauthctl::http::detail
