// SPDX-License-Identifier: MIT
#include "server/auth/consent_rules.hpp"

#include <algorithm>

namespace oauthctl::server {

namespace {

bool contains(const std::vector<std::string>& scopes, const std::string& scope) {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

} // namespace

ConsentQuestion decide_consent(const ConsentFacts& facts) {
  ConsentQuestion question;
  if (facts.implicit || facts.prompt_consent) {
    question.ask = true;
    question.scopes = facts.requested;
    return question;
  }
  if (facts.first_party) {
    return question;
  }
  for (const auto& scope : facts.requested) {
    if (facts.consented && contains(*facts.consented, scope)) {
      question.already.push_back(scope);
    } else {
      question.scopes.push_back(scope);
    }
  }
  question.ask = !facts.consented || !question.scopes.empty();
  return question;
}

std::vector<std::string> merge_scopes(std::vector<std::string> consented,
                                      const std::vector<std::string>& added) {
  for (const auto& scope : added) {
    if (!contains(consented, scope)) {
      consented.push_back(scope);
    }
  }
  return consented;
}

} // namespace oauthctl::server
