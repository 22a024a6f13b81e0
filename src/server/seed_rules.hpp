// SPDX-License-Identifier: MIT
// What a seed document may say: the members each resource knows, the grant names, the
// redirect URIs a client may register. Checked when `serve` loads its config, so a typo
// fails the start with the line instead of being silently ignored.
#pragma once

#include "server/seed_place.hpp"

#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <string_view>

namespace oauthctl::server {

// The members a resource of each kind may have: the ones `serve` reads, then Aidbox's
// that it accepts and ignores (`meta`, `description`, ...), so Aidbox resources load as
// they are.
struct KnownMembers {
  std::span<const std::string_view> read;
  std::span<const std::string_view> ignored;
};

KnownMembers client_members();
KnownMembers client_grant_members(); // the members of `auth.<grant>`
KnownMembers user_members();
KnownMembers token_introspector_members();

// A `config` error at the first member of `object` that `known` does not list, with the
// nearest known name when it looks like a typo.
[[nodiscard]] util::Result<void> check_members(const nlohmann::json& object, const KnownMembers& known,
                                               const SeedPlace& place);

// The grant name as the server knows it (`code` → authorization_code, RFC URNs → short
// names), or a `config` error at `place` for a name it does not know ("did you mean
// client_credentials?"). Aidbox's `basic` is kept: it is inert here.
[[nodiscard]] util::Result<std::string> known_grant(const std::string& name, const SeedPlace& place);

// A `config` error unless `uri` may be registered as a redirect URI: absolute, no
// fragment (RFC 6749 §3.1.2), no wildcard (exact matching, RFC 9700 §4.1.3), an http(s)
// URL with a host or a private-use scheme (RFC 8252 §7.1), never javascript:/data:.
[[nodiscard]] util::Result<void> check_redirect_uri(const std::string& uri, const SeedPlace& place);

} // namespace oauthctl::server
