// SPDX-License-Identifier: MIT
#pragma once
// libcurl's functions, loaded on first use (util::SharedLibrary says why): a command that
// sends no HTTP request, and `serve`, never load libcurl and its dependencies.

#include <oauthctl/util/error.hpp>

#include <curl/curl.h>

namespace oauthctl::http::detail {

// The functions of libcurl this module calls, by their own names.
struct CurlLibrary {
  decltype(&::curl_global_init) curl_global_init = nullptr;
  decltype(&::curl_version) curl_version = nullptr;
  decltype(&::curl_easy_init) curl_easy_init = nullptr;
  decltype(&::curl_easy_cleanup) curl_easy_cleanup = nullptr;
  decltype(&::curl_easy_reset) curl_easy_reset = nullptr;
  decltype(&::curl_easy_setopt) curl_easy_setopt = nullptr;
  decltype(&::curl_easy_perform) curl_easy_perform = nullptr;
  decltype(&::curl_easy_getinfo) curl_easy_getinfo = nullptr;
  decltype(&::curl_easy_strerror) curl_easy_strerror = nullptr;
  decltype(&::curl_slist_append) curl_slist_append = nullptr;
  decltype(&::curl_slist_free_all) curl_slist_free_all = nullptr;
  decltype(&::curl_getdate) curl_getdate = nullptr;
};

// libcurl, loaded and globally initialized (curl_global_init) once per process, thread
// safe; `internal` error when libcurl.so.4 or one of the functions above is missing.
[[nodiscard]] util::Result<const CurlLibrary*> curl_library();

} // namespace oauthctl::http::detail
