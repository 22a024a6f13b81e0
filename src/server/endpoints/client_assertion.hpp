// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/endpoints/client_authentication.hpp"

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace oauthctl::server {

// The furthest in the future an assertion's `exp` may be: SMART Backend Services asks
// for at most five minutes; twice that leaves room for clocks that disagree.
inline constexpr std::int64_t k_max_assertion_lifetime = 600;
// Clock skew tolerated on exp, nbf and iat.
inline constexpr std::int64_t k_assertion_leeway = 30;

// What a signed JWT assertion stands for (RFC 7523 §2.1 and §2.2).
enum class AssertionPurpose { client_authentication, authorization_grant };

// Checks `assertion` as RFC 7523 §3 asks, for `client`: signed with one of the client's
// registered keys (asymmetric algs only: "none" and HS* are refused), iss = client id (and
// sub too for client authentication), aud naming this server (its token, introspection or
// revocation endpoint URL, or its issuer),
// exp present and at most k_max_assertion_lifetime ahead, nbf/iat not in the future, jti
// present and never seen before (it is recorded). The claims on success; on failure a short
// reason fit for an error_description (never the token).
[[nodiscard]] tl::expected<nlohmann::json, std::string> verify_assertion(const AppContext& context,
                                                                         const RegisteredClient& client,
                                                                         std::string_view assertion,
                                                                         AssertionPurpose purpose);

// The client a private_key_jwt request (`presented.method` private_key_jwt) proves to be, or
// the 401 invalid_client response (RFC 6749 §5.2) naming why not.
[[nodiscard]] tl::expected<const RegisteredClient*, ServerResponse>
authenticate_with_assertion(const AppContext& context, const Directory& directory,
                            const PresentedClient& presented);

// The `iss` of the (unverified) JWT `assertion`; empty when there is none. For telling
// which client sent a jwt_bearer grant without a client_id (RFC 7523 §3.1 makes it optional).
std::string assertion_issuer(std::string_view assertion);

} // namespace oauthctl::server
