// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace oauthctl::server {

// What is known when an authorization request reaches the consent step.
struct ConsentFacts {
  bool first_party = false;    // the client is trusted like the server itself (Aidbox first_party)
  bool implicit = false;       // response_type=token
  bool prompt_consent = false; // OIDC prompt=consent
  std::vector<std::string> requested;
  // The scopes this user allowed this client before (the store's consent record); nothing
  // when the user never answered this client's consent page.
  std::optional<std::vector<std::string>> consented;
};

// Whether to show the consent page, and what it lists.
struct ConsentQuestion {
  bool ask = false;
  std::vector<std::string> scopes;  // what the page asks for, in the order requested
  std::vector<std::string> already; // requested scopes allowed before (not asked again)
};

// Consent is per scope, per user and client, and lasts: a client gets silently only what
// the user allowed it before; any scope beyond that is asked for, and the page lists just
// the new ones. First-party clients are not asked (Aidbox's first_party). Asked every time,
// for every requested scope: prompt=consent (OIDC Core §3.1.2.1) and the implicit grant
// (RFC 9700 §2.1.2: its token goes to whatever runs at the redirect URI). A client never
// allowed anything is asked even for an empty scope set, since a code still names the user.
ConsentQuestion decide_consent(const ConsentFacts& facts);

// `consented` with the scopes of `added` it lacks appended: what to record after an Allow.
std::vector<std::string> merge_scopes(std::vector<std::string> consented,
                                      const std::vector<std::string>& added);

} // namespace oauthctl::server
