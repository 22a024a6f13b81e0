// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::oauth {

// A FHIR interaction a scope may allow; SMART v2 letters c, r, u, d, s.
enum class Interaction { create, read, update, remove, search };

// One SMART on FHIR resource scope, v1 (`system/Patient.read`) or v2 (`system/Patient.rs`).
struct SmartScope {
  std::string context;       // "system", "user" or "patient"
  std::string resource_type; // a FHIR type or "*"
  bool create = false, read = false, update = false, remove = false, search = false;
  std::string query; // v2 granular constraint after '?', if any
  int version = 2;   // 1 for read/write/* names, 2 for cruds letters

  // True when this scope lets a client perform `interaction` on resources of `type`.
  // The context (system/user/patient) is the caller's to judge; a scope with a `query`
  // constraint allows nothing here, since the constraint is not enforced yet.
  [[nodiscard]] bool allows(std::string_view type, Interaction interaction) const;

  // True when everything `other` allows, this scope allows too (same context, same or
  // wildcard type, a superset of interactions); used to check a requested scope against
  // a client's allowed list.
  [[nodiscard]] bool covers(const SmartScope& other) const;
};

// Parses one scope token; nullopt when it is not a SMART resource scope (openid,
// profile, launch, offline_access...) or is malformed.
std::optional<SmartScope> parse_smart_scope(std::string_view scope);

// Splits a space-delimited scope string (RFC 6749 §3.3), dropping empty tokens.
std::vector<std::string> split_scopes(std::string_view scopes);

// Joins scope tokens with single spaces.
std::string join_scopes(const std::vector<std::string>& scopes);

} // namespace oauthctl::oauth
