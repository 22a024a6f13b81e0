// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/smart_scope.hpp>
#include <oauthctl/util/form.hpp>

namespace oauthctl::oauth {

namespace {

bool is_resource_type(std::string_view type) {
  if (type == "*") {
    return true;
  }
  // FHIR resource type names: an uppercase letter, then letters (R4 §2.1.27.0).
  if (type.empty() || type.size() > 64 || type.front() < 'A' || type.front() > 'Z') {
    return false;
  }
  for (const char c : type) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
      return false;
    }
  }
  return true;
}

// SMART v2 §3.0.2.3: a non-empty subset of "cruds", letters in that order, none repeated.
bool parse_v2_permissions(std::string_view letters, SmartScope& scope) {
  constexpr std::string_view k_order = "cruds";
  std::size_t next = 0;
  if (letters.empty()) {
    return false;
  }
  for (const char c : letters) {
    const auto at = k_order.find(c, next);
    if (at == std::string_view::npos) {
      return false;
    }
    next = at + 1;
    switch (c) {
      case 'c':
        scope.create = true;
        break;
      case 'r':
        scope.read = true;
        break;
      case 'u':
        scope.update = true;
        break;
      case 'd':
        scope.remove = true;
        break;
      default:
        scope.search = true;
        break;
    }
  }
  return true;
}

} // namespace

bool SmartScope::allows(std::string_view type, Interaction interaction) const {
  if (resource_type != "*" && resource_type != type) {
    return false;
  }
  // A granular v2 scope (`?category=...`) allows only the matching subset of resources.
  // This server does not filter by such queries yet, so a constrained scope grants nothing
  // rather than everything (fail closed).
  if (!query.empty()) {
    return false;
  }
  switch (interaction) {
    case Interaction::create:
      return create;
    case Interaction::read:
      return read;
    case Interaction::update:
      return update;
    case Interaction::remove:
      return remove;
    case Interaction::search:
      return search;
  }
  return false;
}

bool SmartScope::covers(const SmartScope& other) const {
  if (context != other.context || (resource_type != "*" && resource_type != other.resource_type)) {
    return false;
  }
  if (!query.empty() && query != other.query) {
    return false;
  }
  return (create || !other.create) && (read || !other.read) && (update || !other.update) &&
         (remove || !other.remove) && (search || !other.search);
}

std::optional<SmartScope> parse_smart_scope(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return std::nullopt;
  }
  SmartScope scope;
  scope.context = std::string(text.substr(0, slash));
  if (scope.context != "system" && scope.context != "user" && scope.context != "patient") {
    return std::nullopt;
  }
  auto rest = text.substr(slash + 1);
  const auto question = rest.find('?');
  if (question != std::string_view::npos) {
    scope.query = std::string(rest.substr(question + 1));
    rest = rest.substr(0, question);
    // The constraint is a FHIR search query string: it must be non-empty and well formed.
    const auto fields = util::form_decode(scope.query);
    if (scope.query.empty() || !fields || fields->empty()) {
      return std::nullopt;
    }
  }
  const auto dot = rest.rfind('.');
  if (dot == std::string_view::npos) {
    return std::nullopt;
  }
  scope.resource_type = std::string(rest.substr(0, dot));
  if (!is_resource_type(scope.resource_type)) {
    return std::nullopt;
  }
  const auto permissions = rest.substr(dot + 1);
  // SMART v1 names: read (read + search), write (create, update, delete), * (all).
  if (permissions == "read" || permissions == "write" || permissions == "*") {
    if (!scope.query.empty()) {
      return std::nullopt; // granular constraints exist only with v2 permissions
    }
    const bool read = permissions != "write";
    const bool write = permissions != "read";
    scope.read = scope.search = read;
    scope.create = scope.update = scope.remove = write;
    scope.version = 1;
    return scope;
  }
  if (!parse_v2_permissions(permissions, scope)) {
    return std::nullopt;
  }
  scope.version = 2;
  return scope;
}

std::vector<std::string> split_scopes(std::string_view scopes) {
  std::vector<std::string> out;
  while (!scopes.empty()) {
    const auto space = scopes.find(' ');
    const auto token = scopes.substr(0, space);
    if (!token.empty()) {
      out.emplace_back(token);
    }
    scopes = space == std::string_view::npos ? std::string_view{} : scopes.substr(space + 1);
  }
  return out;
}

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& scope : scopes) {
    if (!out.empty()) {
      out += ' ';
    }
    out += scope;
  }
  return out;
}

} // namespace oauthctl::oauth
