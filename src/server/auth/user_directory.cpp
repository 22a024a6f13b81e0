// SPDX-License-Identifier: MIT
#include "server/auth/user_directory.hpp"

#include <oauthctl/server/secret_hash.hpp>
#include <oauthctl/util/crypto.hpp>

#include <optional>

namespace oauthctl::server {

namespace {

// verify_secret(password, hash) in a slot of `gate`, or against the cache's dummy hash
// when `hash` is null; nullopt when the gate is full (see client_registry.cpp).
std::optional<bool> verify_password_in_gate(const CredentialCache& cache, std::string_view password,
                                            const std::string* hash) {
  return cache.gate().run(
    [&] { return verify_secret(password, hash != nullptr ? *hash : cache.dummy_hash()); });
}

} // namespace

UserDirectory::UserDirectory(std::vector<RegisteredUser> users, std::shared_ptr<CredentialCache> cache)
    : m_cache(std::move(cache)) {
  for (auto& user : users) {
    m_cache->offer_dummy_hash(user.password_hash);
    auto id = user.spec.id;
    m_users.insert_or_assign(std::move(id), std::move(user));
  }
}

const RegisteredUser* UserDirectory::find(std::string_view id) const {
  const auto it = m_users.find(std::string(id));
  return it == m_users.end() ? nullptr : &it->second;
}

PasswordCheck UserDirectory::authenticate(std::string_view username, std::string_view password) const {
  const auto* user = find(username);
  if (user != nullptr) {
    if (const auto seeded = m_cache->seeded_tag(CredentialKind::user, user->spec.id, user->password_hash)) {
      // A seeded user whose stored password is still the seed's: the seed's password,
      // compared as an HMAC tag in constant time; a wrong one costs what any wrong
      // password costs (one scrypt run through the gate).
      if (util::constant_time_equal(*seeded, m_cache->tag(username, password))) {
        return {user, false};
      }
      const auto ran = verify_password_in_gate(*m_cache, password, nullptr);
      return {nullptr, !ran.has_value()};
    }
  }
  const bool usable = user != nullptr && is_slow_hash(user->password_hash);
  const auto valid = verify_password_in_gate(*m_cache, password, usable ? &user->password_hash : nullptr);
  if (!valid) {
    return {nullptr, true};
  }
  return {*valid && usable ? user : nullptr, false};
}

std::string UserDirectory::display_name(const UserSpec& user) {
  if (user.name.is_string()) {
    return user.name.get<std::string>();
  }
  if (!user.name.is_object()) {
    return {};
  }
  std::string out;
  for (const char* part : {"givenName", "familyName"}) {
    const auto it = user.name.find(part);
    if (it != user.name.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      out += out.empty() ? "" : " ";
      out += it->get<std::string>();
    }
  }
  return out;
}

std::string UserDirectory::fhir_user_reference(const UserSpec& user) {
  if (user.fhir_user.is_string()) {
    return user.fhir_user.get<std::string>();
  }
  if (user.fhir_user.is_object()) {
    const auto type = user.fhir_user.value("resourceType", std::string());
    const auto id = user.fhir_user.value("id", std::string());
    if (!type.empty() && !id.empty()) {
      return type + "/" + id;
    }
  }
  return {};
}

std::string UserDirectory::patient_id(const UserSpec& user) {
  const auto reference = fhir_user_reference(user);
  // Relative ("Patient/pt-1") or absolute ("<base>/Patient/pt-1") references.
  const auto at = reference.rfind("Patient/");
  if (at == std::string::npos || (at != 0 && reference[at - 1] != '/')) {
    return {};
  }
  auto id = reference.substr(at + 8);
  return id.find('/') == std::string::npos ? id : std::string();
}

} // namespace oauthctl::server
