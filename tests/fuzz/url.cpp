// SPDX-License-Identifier: MIT
// Absolute http(s) URLs: issuers, endpoints from discovery documents, redirect URIs.
//
// Input: the URL text.

#include "fuzz_support.hpp"

#include <oauthctl/http/url.hpp>

using namespace oauthctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  const auto url = http::parse_url(text);
  (void)http::join_url(text, text);
  if (!url) {
    return 0;
  }
  FUZZ_CHECK(url->scheme == "http" || url->scheme == "https");
  FUZZ_CHECK(!url->host.empty());
  FUZZ_CHECK(url->port >= 1 && url->port <= 65535);
  FUZZ_CHECK(!url->path.empty());
  FUZZ_CHECK(url->host.find_first_of("/?#@ ") == std::string::npos);
  (void)url->is_loopback();
  // The origin is itself a URL naming the same scheme, host and port.
  const auto origin = http::parse_url(url->origin());
  FUZZ_CHECK(origin.has_value());
  FUZZ_CHECK(origin->scheme == url->scheme && origin->host == url->host && origin->port == url->port);
  FUZZ_CHECK(origin->path == "/" && origin->query.empty() && origin->fragment.empty());
  FUZZ_CHECK(origin->is_loopback() == url->is_loopback());
  return 0;
}
