// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/server/seed.hpp>

#include <mutex>
#include <semaphore>
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

// The users loaded at start-up. Thread-safe.
class UserDirectory {
public:
  explicit UserDirectory(std::vector<RegisteredUser> users);

  // The user `id`, or null.
  [[nodiscard]] const RegisteredUser* find(std::string_view id) const;

  // The user `username` when `password` is theirs, else null. Unknown users cost as much
  // as wrong passwords, so timing does not reveal which users exist.
  [[nodiscard]] const RegisteredUser* authenticate(std::string_view username,
                                                   std::string_view password) const;

  // The user's display name: `name` as a string, or "givenName familyName"; may be empty.
  [[nodiscard]] static std::string display_name(const UserSpec& user);

  // The id of the Patient the user is (fhirUser "Patient/<id>" or {resourceType, id}),
  // or empty.
  [[nodiscard]] static std::string patient_id(const UserSpec& user);

  // The fhirUser reference as "Type/id", or empty.
  [[nodiscard]] static std::string fhir_user_reference(const UserSpec& user);

private:
  std::unordered_map<std::string, RegisteredUser> m_users;
  std::string m_dummy_hash;
  // Bounds concurrent scrypt runs (32 MiB each) so a login flood cannot exhaust memory.
  mutable std::counting_semaphore<8> m_slow_slots{2};
};

} // namespace oauthctl::server
