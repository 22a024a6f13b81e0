// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace oauthctl::http {

// RFC 9110 §10.2.3: Retry-After is either delta-seconds ("120") or an HTTP-date
// ("Wed, 21 Oct 2026 07:28:00 GMT"). Returns the wait it asks for in whole seconds from
// `now` (0 for a date already past; a delta too large for 64 bits saturates), or nullopt
// for a value that is neither (signs, fractions, garbage, an over-long string). Callers
// decide how long a wait they honour.
[[nodiscard]] std::optional<std::int64_t> parse_retry_after(std::string_view value,
                                                            std::chrono::system_clock::time_point now);

} // namespace oauthctl::http
