// SPDX-License-Identifier: MIT
// `oauthctl keygen`: a key pair for private_key_jwt (RFC 7523, SMART Backend Services):
// the private key to a 0600 file, the public JWK Set to stdout, and how to register it.
#include "cli/commands/command.hpp"
#include "cli/output.hpp"
#include "cli/settings.hpp"

#include <oauthctl/oauth/assertion.hpp>
#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/atomic_file.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <ostream>

namespace oauthctl::cli {

namespace {

using util::ErrorKind;

struct KeygenOptions {
  std::string alg = "ES384";
  std::string kid;
  std::string out;
  std::string jwks_out;
  std::string client_id = "backend-service";
  bool force = false;
  EnvBindings env;
};

bool exists(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

// Writes `content` to a new file `path` with `mode`; without `force`, an existing file is
// an error (O_EXCL, so no race replaces one either).
util::Result<void> write_new_file(const std::string& path, const std::string& content, unsigned mode,
                                  bool force, std::string_view what) {
  if (force) {
    return util::write_file_atomic(path, content, mode);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) {
      return util::fail(ErrorKind::usage,
                        fmt::format("{} exists; not overwriting the {} (use --force)", path, what));
    }
    return util::fail(ErrorKind::io, fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  }
  ::fchmod(fd, mode); // the umask must not widen or narrow it
  std::size_t written = 0;
  while (written < content.size()) {
    const auto n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      const auto error = std::string(std::strerror(errno));
      ::close(fd);
      ::unlink(path.c_str());
      return util::fail(ErrorKind::io, fmt::format("cannot write {}: {}", path, error));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(path.c_str());
    return util::fail(ErrorKind::io, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  return {};
}

// `word` as a shell word: as it is when that is safe, else single-quoted.
std::string shell_word(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("_./:@=+-").find(c) != std::string_view::npos;
  });
  return plain ? word : shell_quote(word);
}

// The Client resource that registers `jwks` for SMART Backend Services, in Aidbox's shape
// (which `oauthctl serve --config` reads as it is).
nlohmann::json client_resource(const std::string& client_id, const nlohmann::json& jwks) {
  return {{"resourceType", "Client"},
          {"id", client_id},
          {"type", "bulk-api-client"},
          {"active", true},
          {"grant_types", nlohmann::json::array({"client_credentials"})},
          {"scope", nlohmann::json::array({"system/*.read"})},
          {"auth",
           {{"client_credentials",
             {{"client_assertion_types", nlohmann::json::array({oauth::k_jwt_client_assertion_type})},
              {"access_token_expiration", 300},
              {"token_format", "jwt"}}}}},
          {"jwks", jwks}};
}

int run_keygen(KeygenOptions& options, Io& io) {
  options.env.apply(io);
  const auto alg = oauth::parse_jws_alg(options.alg);
  // SMART Backend Services: RS384 or ES384 (the default); RS256/ES256 for other servers.
  if (!alg || *alg == oauth::JwsAlg::rs512) {
    return report_usage(io, fmt::format("invalid --alg {} (valid: ES384, RS384, ES256, RS256)", options.alg));
  }
  if (options.out.empty()) {
    return report_usage(io, "missing --out FILE for the private key (it is never printed)");
  }
  if (!options.force) {
    // Check both before writing either, so a refusal leaves nothing half done.
    for (const auto* path : {&options.out, &options.jwks_out}) {
      if (!path->empty() && exists(*path)) {
        return report_usage(io, fmt::format("{} exists; not overwriting it (use --force)", *path));
      }
    }
  }
  auto key = oauth::SigningKey::generate(*alg);
  if (!key) {
    return report(io, key.error());
  }
  if (!options.kid.empty()) {
    key->set_kid(options.kid);
  }
  const nlohmann::json jwks{{"keys", nlohmann::json::array({key->public_jwk()})}};
  if (auto written = write_new_file(options.out, key->to_pem(), 0600, options.force, "private key");
      !written) {
    return report(io, written.error());
  }
  if (!options.jwks_out.empty()) {
    if (auto written = write_new_file(options.jwks_out, jwks.dump(2) + "\n", 0644, options.force, "JWK Set");
        !written) {
      return report(io, written.error());
    }
  } else {
    io.out << jwks.dump(2) << '\n' << std::flush;
  }
  // What to do next, on stderr: stdout carries the JWK Set only.
  std::string flags;
  const bool natural_alg = is_ec_alg(*alg) || *alg == oauth::JwsAlg::rs384;
  if (!natural_alg) {
    flags += " --alg " + key->alg();
  }
  if (!options.kid.empty()) {
    flags += " --kid " + shell_word(options.kid);
  }
  const auto server = io.getenv("OAUTHCTL_SERVER").empty() ? std::string("http://127.0.0.1:8080")
                                                           : io.getenv("OAUTHCTL_SERVER");
  io.err
    << fmt::format("oauthctl: wrote the {} private key to {} (mode 0600), kid {}\n", key->alg(), options.out,
                   key->kid())
    << (options.jwks_out.empty()
          ? ""
          : fmt::format("oauthctl: wrote the public JWK Set to {}\n", options.jwks_out))
    << "\nRegister the public key as a Client (a file for `oauthctl serve --config`, or an Aidbox Client):\n"
    << client_resource(options.client_id, jwks).dump(2) << "\n\nThen get a token with:\n"
    << fmt::format("  oauthctl token --grant client_credentials --server {} --client-id {} "
                   "--auth-method private_key_jwt --private-key {}{}\n",
                   shell_word(server), shell_word(options.client_id), shell_word(options.out), flags)
    << std::flush;
  return 0;
}

} // namespace

Runner setup_keygen(CLI::App& app) {
  auto options = std::make_shared<KeygenOptions>();
  options->env.add(app, "--alg", options->alg, "",
                   "ES384 (default), RS384, ES256 or RS256; SMART Backend Services prefer ES384/RS384");
  options->env.add(app, "--kid", options->kid, "", "key id (default: the RFC 7638 JWK thumbprint)");
  options->env.add(app, "--out", options->out, "", "file for the private key PEM (written 0600; required)");
  options->env.add(app, "--jwks-out", options->jwks_out, "",
                   "file for the public JWK Set (default: standard output)");
  options->env.add(app, "--client-id", options->client_id, "OAUTHCTL_CLIENT_ID",
                   "client id for the Client snippet and token command printed (default backend-service)");
  app.add_flag("--force", options->force, "overwrite existing --out and --jwks-out files");
  return [options](Io& io) { return run_keygen(*options, io); };
}

} // namespace oauthctl::cli
