// SPDX-License-Identifier: MIT
// The authorization server's redirect URI matching (exact, or loopback with any port,
// RFC 8252 §7.3 / RFC 9700 §4.1.3) and the URIs it builds from a registered one.
//
// Input: `<registered redirect_uri>\n<presented redirect_uri>`.

#include "server/auth/redirect_uri.hpp"

#include "fuzz_support.hpp"

#include <oauthctl/http/url.hpp>

using namespace oauthctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [registered, presented] = fuzz::split_line(fuzz::as_text(data, size));
  const bool matches = server::redirect_uri_matches(registered, presented);
  FUZZ_CHECK(server::redirect_uri_matches(registered, registered));
  FUZZ_CHECK(server::redirect_uri_matches(presented, registered) == matches);
  FUZZ_CHECK(server::redirect_uri_allowed({std::string(registered)}, presented) == matches);
  FUZZ_CHECK(!server::redirect_uri_allowed({}, presented));
  if (matches && registered != presented) {
    // Only the port of a loopback http URI may differ: the rest is compared exactly, so
    // no other host, userinfo, path or query can slip through.
    const auto want = http::parse_url(registered);
    const auto got = http::parse_url(presented);
    FUZZ_CHECK(registered.substr(0, 7) == "http://" && presented.substr(0, 7) == "http://");
    FUZZ_CHECK(registered.find('@') == std::string_view::npos &&
               presented.find('@') == std::string_view::npos);
    if (want && got) {
      FUZZ_CHECK(want->is_loopback() && got->is_loopback() && want->host == got->host);
      FUZZ_CHECK(want->path == got->path && want->query == got->query && want->fragment == got->fragment);
    }
  }
  // A CSP origin never carries characters that could break out of the header.
  for (const auto uri : {registered, presented}) {
    const auto origin = server::uri_origin(uri);
    FUZZ_CHECK(origin.find_first_of(" ;,'\r\n\t") == std::string::npos);
    const auto query = server::append_to_uri(uri, "code=abc&state=x%20y", false);
    const auto fragment = server::append_to_uri(uri, "access_token=t", true);
    FUZZ_CHECK(query.find("code=abc&state=x%20y") != std::string::npos);
    FUZZ_CHECK(fragment.find("access_token=t") != std::string::npos);
  }
  return 0;
}
