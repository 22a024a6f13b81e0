// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace oauthctl::server {

// What `scope` lets an application do, in words a patient understands, for the consent and
// device pages: "patient/*.rs" → "Read and search every part of your health record",
// "user/Observation.r" → "Read the observations (test results, vital signs) of the
// records you may see". Unknown scopes are shown as they are.
std::string describe_scope(const std::string& scope);

} // namespace oauthctl::server
