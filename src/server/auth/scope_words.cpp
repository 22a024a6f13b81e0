// SPDX-License-Identifier: MIT
#include "server/auth/scope_words.hpp"

#include <oauthctl/oauth/smart_scope.hpp>

#include <fmt/format.h>

#include <vector>

namespace oauthctl::server {

namespace {

// "Read and search", "Create, read, change, delete and search": the SMART v2 letters (or
// v1 read/write) as verbs, in cruds order.
std::string verbs(const oauth::SmartScope& scope) {
  std::vector<const char*> words;
  if (scope.create) {
    words.push_back("create");
  }
  if (scope.read) {
    words.push_back("read");
  }
  if (scope.update) {
    words.push_back("change");
  }
  if (scope.remove) {
    words.push_back("delete");
  }
  if (scope.search) {
    words.push_back("search");
  }
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) {
      out += i + 1 == words.size() ? " and " : ", ";
    }
    out += words[i];
  }
  if (!out.empty()) {
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  }
  return out;
}

// The resources of a type, as a patient would name them.
std::string what(const std::string& type) {
  if (type == "Patient") {
    return "the personal details (name, birth date, gender)";
  }
  if (type == "Observation") {
    return "the observations (test results, vital signs)";
  }
  return fmt::format("the {} resources", type);
}

// Whose records: the context of the scope.
std::string whose(const std::string& context, bool everything) {
  if (context == "patient") {
    return everything ? "every part of your health record" : "of your health record";
  }
  if (context == "user") {
    return everything ? "every health record you are allowed to see"
                      : "of the health records you are allowed to see";
  }
  return everything ? "every health record on this server" : "of every health record on this server";
}

} // namespace

std::string describe_scope(const std::string& scope) {
  if (scope == "openid") {
    return "Confirm your identity";
  }
  if (scope == "profile") {
    return "See your name";
  }
  if (scope == "email") {
    return "See your email address";
  }
  if (scope == "fhirUser") {
    return "Know which FHIR record is yours";
  }
  if (scope == "offline_access") {
    return "Keep access while you are away (a refresh token)";
  }
  if (scope == "online_access") {
    return "Keep access while you are signed in";
  }
  if (scope == "launch/patient") {
    return "Know which patient's record to open";
  }
  const auto parsed = oauth::parse_smart_scope(scope);
  if (!parsed) {
    return scope;
  }
  const auto action = verbs(*parsed);
  if (action.empty()) {
    return scope;
  }
  std::string text =
    parsed->resource_type == "*"
      ? fmt::format("{} {}", action, whose(parsed->context, true))
      : fmt::format("{} {} {}", action, what(parsed->resource_type), whose(parsed->context, false));
  if (!parsed->query.empty()) {
    text += fmt::format(", limited to {}", parsed->query);
  }
  return text;
}

} // namespace oauthctl::server
