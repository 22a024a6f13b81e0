// SPDX-License-Identifier: MIT
#include <oauthctl/server/demo.hpp>

#include <fmt/format.h>

namespace oauthctl::server {

std::string demo_banner(std::string_view base_url) {
  return fmt::format(
    "demo client:  {} / {} (confidential, every grant but implicit)\n"
    "public client: {} (authorization_code with PKCE, no secret; shows the consent page)\n"
    "demo user:    {} / {}\n"
    "redirect URIs: http://127.0.0.1/callback, http://localhost/callback (any port)\n"
    "try (the secret from the environment: a command line shows in ps):\n"
    "  export OAUTHCTL_CLIENT_SECRET=<the demo client's secret above>\n"
    "  oauthctl token --grant client_credentials --server {} --client-id {}\n"
    "  oauthctl token --grant authorization_code --server {} --client-id {} --scope 'openid profile "
    "patient/*.rs'\n",
    k_demo_client_id, k_demo_client_secret, k_demo_public_client_id, k_demo_username, k_demo_password,
    base_url, k_demo_client_id, base_url, k_demo_public_client_id);
}

} // namespace oauthctl::server
