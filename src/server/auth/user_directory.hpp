// SPDX-License-Identifier: MIT
#pragma once

#include "server/auth/credential_cache.hpp"

#include <oauthctl/server/seed.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace oauthctl::server {

// A user as the server holds it: the Aidbox User fields and the password's slow hash.
struct RegisteredUser {
  UserSpec spec;
  std::string password_hash; // empty: the user cannot log in with a password
};

// What checking a password found: the user, or null for a wrong password or unknown
// user; `overloaded` when the hash gate was full and nothing was checked (answer 503).
struct PasswordCheck {
  const RegisteredUser* user = nullptr;
  bool overloaded = false;
};

// The users of one directory snapshot (directory.hpp). Immutable once built; the seed's
// passwords are in the shared CredentialCache. Thread-safe.
class UserDirectory {
public:
  explicit UserDirectory(std::vector<RegisteredUser> users,
                         std::shared_ptr<CredentialCache> cache = std::make_shared<CredentialCache>());

  // The user `id`, or null; valid as long as this directory.
  [[nodiscard]] const RegisteredUser* find(std::string_view id) const;

  // The user `username` when `password` is theirs. Unknown users cost as much as wrong
  // passwords, so timing does not reveal which users exist. A seeded user is checked
  // against the seed's password (CredentialCache).
  [[nodiscard]] PasswordCheck authenticate(std::string_view username, std::string_view password) const;

  // The user's display name: `name` as a string, or "givenName familyName"; may be empty.
  [[nodiscard]] static std::string display_name(const UserSpec& user);

  // The id of the Patient the user is (fhirUser "Patient/<id>" or {resourceType, id}),
  // or empty.
  [[nodiscard]] static std::string patient_id(const UserSpec& user);

  // The fhirUser reference as "Type/id", or empty.
  [[nodiscard]] static std::string fhir_user_reference(const UserSpec& user);

private:
  std::unordered_map<std::string, RegisteredUser> m_users;
  std::shared_ptr<CredentialCache> m_cache; // never null
};

} // namespace oauthctl::server
