// SPDX-License-Identifier: MIT
#include "server/auth/user_directory.hpp"

#include <oauthctl/server/secret_hash.hpp>
#include <oauthctl/util/crypto.hpp>

#include <optional>

namespace oauthctl::server {

namespace {

// verify_secret(secret, *hash) in a slot of `gate`, or against dummy() when `hash` is null;
// nullopt when the gate is full. The dummy hash is made on first use (scrypt): inside the
// slot, so making it is bounded by the gate like any slow hash and never holds every
// worker at once.
template<class Dummy>
std::optional<bool> verify_password_in_gate(const HashGate& gate, std::string_view secret,
                                            const std::string* hash, const Dummy& dummy) {
  return gate.run([&] { return verify_secret(secret, hash != nullptr ? *hash : dummy()); });
}

} // namespace

UserDirectory::UserDirectory(std::vector<RegisteredUser> users, std::shared_ptr<const HashGate> gate)
    : m_tag_key(util::random_bytes(32)), m_gate(std::move(gate)) {
  for (auto& user : users) {
    auto id = user.spec.id;
    m_users.insert_or_assign(std::move(id), std::move(user));
  }
  for (const auto& [id, user] : m_users) {
    if (is_slow_hash(user.password_hash)) {
      m_dummy_hash = user.password_hash;
      break;
    }
  }
}

const RegisteredUser* UserDirectory::find(std::string_view id) const {
  const auto it = m_users.find(std::string(id));
  return it == m_users.end() ? nullptr : &it->second;
}

void UserDirectory::trust_seed_password(const std::string& id, std::string_view password) {
  m_seeded.insert_or_assign(id, tag(id, password));
}

std::string UserDirectory::tag(std::string_view id, std::string_view password) const {
  std::string input(id);
  input += '\0';
  input += password;
  return util::hmac_sha256(m_tag_key, input);
}

const std::string& UserDirectory::dummy_hash() const {
  std::call_once(m_dummy_once, [this] {
    if (m_dummy_hash.empty()) {
      m_dummy_hash = hash_secret(util::random_token(16));
    }
  });
  return m_dummy_hash;
}

PasswordCheck UserDirectory::authenticate(std::string_view username, std::string_view password) const {
  const auto* user = find(username);
  if (const auto seeded = m_seeded.find(std::string(username)); seeded != m_seeded.end() && user != nullptr) {
    // A seeded user: the seed's password, compared as an HMAC tag in constant time; a
    // wrong one costs what any wrong password costs (one scrypt run through the gate).
    if (util::constant_time_equal(seeded->second, tag(username, password))) {
      return {user, false};
    }
    const auto ran = verify_password_in_gate(*m_gate, password, nullptr,
                                             [this]() -> const std::string& { return dummy_hash(); });
    return {nullptr, !ran.has_value()};
  }
  const bool usable = user != nullptr && is_slow_hash(user->password_hash);
  const auto valid = verify_password_in_gate(*m_gate, password, usable ? &user->password_hash : nullptr,
                                             [this]() -> const std::string& { return dummy_hash(); });
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
