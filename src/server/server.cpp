// SPDX-License-Identifier: MIT
#include <oauthctl/server/server.hpp>

namespace oauthctl::server {

util::Result<std::unique_ptr<Server>> Server::start(const ServerOptions&) {
  return util::fail(util::ErrorKind::internal, "serve is not built yet");
}

} // namespace oauthctl::server
