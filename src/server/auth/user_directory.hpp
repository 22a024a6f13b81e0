// SPDX-License-Identifier: MIT
#pragma once

#include "server/auth/hash_gate.hpp"

#include <oauthctl/server/seed.hpp>

#include <memory>
#include <mutex>
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

// The users loaded at start-up. Thread-safe.
class UserDirectory {
public:
  // `gate` bounds the slow verifications (shared with the client registry).
  explicit UserDirectory(std::vector<RegisteredUser> users,
                         std::shared_ptr<const HashGate> gate = std::make_shared<HashGate>());

  // The user `id`, or null.
  [[nodiscard]] const RegisteredUser* find(std::string_view id) const;

  // The user `username` when `password` is theirs. Unknown users cost as much as wrong
  // passwords, so timing does not reveal which users exist.
  [[nodiscard]] PasswordCheck authenticate(std::string_view username, std::string_view password) const;

  // Makes `password` the one password of seeded user `id` in this process (see
  // ClientRegistry::trust_seed_secret: the seed is the truth for what it lists). Call
  // before serving.
  void trust_seed_password(const std::string& id, std::string_view password);

  // The user's display name: `name` as a string, or "givenName familyName"; may be empty.
  [[nodiscard]] static std::string display_name(const UserSpec& user);

  // The id of the Patient the user is (fhirUser "Patient/<id>" or {resourceType, id}),
  // or empty.
  [[nodiscard]] static std::string patient_id(const UserSpec& user);

  // The fhirUser reference as "Type/id", or empty.
  [[nodiscard]] static std::string fhir_user_reference(const UserSpec& user);

private:
  [[nodiscard]] const std::string& dummy_hash() const;
  [[nodiscard]] std::string tag(std::string_view id, std::string_view password) const;

  std::unordered_map<std::string, RegisteredUser> m_users;
  std::string m_tag_key;                                 // process-random HMAC key, never stored
  std::unordered_map<std::string, std::string> m_seeded; // id -> HMAC tag of the seed's password
  mutable std::once_flag m_dummy_once;
  mutable std::string m_dummy_hash;
  // Bounds concurrent scrypt runs (32 MiB each) and the requests waiting for one.
  std::shared_ptr<const HashGate> m_gate;
};

} // namespace oauthctl::server
