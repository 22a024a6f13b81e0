// SPDX-License-Identifier: MIT
// `serve --tls-self-signed`: a localhost certificate made with OpenSSL, kept beside the
// store so that a client's --cacert keeps working across restarts.
#include "server/tls/x509_free.hpp"

#include <oauthctl/server/tls_options.hpp>
#include <oauthctl/util/atomic_file.hpp>
#include <oauthctl/util/crypto.hpp>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>

namespace oauthctl::server {

namespace {

using util::ErrorKind;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct ExtensionFree {
  void operator()(X509_EXTENSION* ext) const { X509_EXTENSION_free(ext); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

constexpr long k_validity_days = 90;
constexpr long k_day = 86'400;

bool is_ip_literal(const std::string& name) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, name.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

Cert read_certificate(const std::string& pem) {
  const Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

Key read_key(const std::string& pem) {
  const Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

// True when the pair in `cert_file`/`key_file` belongs together, covers every name and
// is valid for at least another day.
bool still_good(const std::string& cert_file, const std::string& key_file,
                const std::vector<std::string>& names) {
  const auto cert_pem = util::read_file(cert_file);
  const auto key_pem = util::read_file(key_file);
  if (!cert_pem || !key_pem) {
    return false;
  }
  const auto cert = read_certificate(*cert_pem);
  const auto key = read_key(*key_pem);
  if (!cert || !key || X509_check_private_key(cert.get(), key.get()) != 1) {
    return false;
  }
  std::time_t tomorrow = std::time(nullptr) + k_day;
  if (X509_cmp_time(X509_get0_notAfter(cert.get()), &tomorrow) <= 0) {
    return false;
  }
  return std::all_of(names.begin(), names.end(), [&](const std::string& name) {
    return is_ip_literal(name) ? X509_check_ip_asc(cert.get(), name.c_str(), 0) == 1
                               : X509_check_host(cert.get(), name.data(), name.size(), 0, nullptr) == 1;
  });
}

bool add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  const std::unique_ptr<X509_EXTENSION, ExtensionFree> extension(
    X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
  return extension && X509_add_ext(cert, extension.get(), -1) == 1;
}

std::string to_pem(const std::function<int(BIO*)>& write) {
  const Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) {
    return {};
  }
  char* data = nullptr;
  const auto size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

// A self-signed end-entity certificate: ECDSA P-256 (cheap handshakes), CN=localhost,
// every name as a subject alternative name (what clients check, RFC 6125), serverAuth.
util::Result<std::pair<std::string, std::string>> make_certificate(const std::vector<std::string>& names) {
  const Key key(EVP_EC_gen("P-256"));
  const Cert cert(X509_new());
  if (!key || !cert) {
    return util::fail(ErrorKind::tls, "cannot make a self-signed certificate: OpenSSL failed to make a key");
  }
  std::string alt_names;
  for (const auto& name : names) {
    alt_names +=
      fmt::format("{}{}:{}", alt_names.empty() ? "" : ",", is_ip_literal(name) ? "IP" : "DNS", name);
  }
  // A random positive 128-bit serial (RFC 5280 §4.1.2.2).
  auto serial_bytes = util::random_bytes(16);
  serial_bytes[0] = static_cast<char>(serial_bytes[0] & 0x7f);
  BIGNUM* serial = BN_bin2bn(reinterpret_cast<const unsigned char*>(serial_bytes.data()), 16, nullptr);
  const bool serial_set =
    serial != nullptr && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(serial);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  const bool made =
    serial_set && X509_set_version(cert.get(), 2) == 1 &&
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), k_validity_days * k_day) != nullptr &&
    X509_set_pubkey(cert.get(), key.get()) == 1 &&
    X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("oauthctl serve"), -1, -1, 0) == 1 &&
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0) == 1 &&
    X509_set_issuer_name(cert.get(), subject) == 1 &&
    add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") &&
    add_extension(cert.get(), NID_key_usage, "critical,digitalSignature") &&
    add_extension(cert.get(), NID_ext_key_usage, "serverAuth") &&
    add_extension(cert.get(), NID_subject_key_identifier, "hash") &&
    add_extension(cert.get(), NID_subject_alt_name, alt_names) &&
    X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!made) {
    return util::fail(ErrorKind::tls, "cannot make a self-signed certificate: OpenSSL refused it");
  }
  auto cert_pem = to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); });
  auto key_pem = to_pem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  if (cert_pem.empty() || key_pem.empty()) {
    return util::fail(ErrorKind::tls, "cannot make a self-signed certificate: OpenSSL cannot write it");
  }
  return std::pair{std::move(cert_pem), std::move(key_pem)};
}

} // namespace

std::vector<std::string> self_signed_names(const std::string& host) {
  std::vector<std::string> names{"localhost", "127.0.0.1", "::1"};
  auto bare = host;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') {
    bare = bare.substr(1, bare.size() - 2);
  }
  if (!bare.empty() && bare != "0.0.0.0" && bare != "::" &&
      std::find(names.begin(), names.end(), bare) == names.end()) {
    names.push_back(bare);
  }
  return names;
}

util::Result<SelfSignedCertificate> ensure_self_signed_certificate(const std::string& directory,
                                                                   const std::vector<std::string>& names) {
  SelfSignedCertificate files;
  files.cert_file = (std::filesystem::path(directory) / "localhost.crt").string();
  files.key_file = (std::filesystem::path(directory) / "localhost.key").string();
  if (still_good(files.cert_file, files.key_file, names)) {
    return files;
  }
  if (auto made_directory = util::ensure_private_directory(directory, 0700); !made_directory) {
    return tl::unexpected(made_directory.error());
  }
  // Replicas on one machine share the directory (--tls-dir, or the XDG state one with
  // PostgreSQL): one makes the pair, the others wait and then reuse it.
  auto lock = util::FileLock::acquire((std::filesystem::path(directory) / "localhost.lock").string());
  if (!lock) {
    return tl::unexpected(lock.error());
  }
  if (still_good(files.cert_file, files.key_file, names)) {
    return files;
  }
  auto made = make_certificate(names);
  if (!made) {
    return tl::unexpected(made.error());
  }
  // The key first: a certificate never sits beside a key it does not belong to.
  if (auto written = util::write_file_atomic(files.key_file, made->second, 0600); !written) {
    return tl::unexpected(written.error());
  }
  if (auto written = util::write_file_atomic(files.cert_file, made->first, 0644); !written) {
    return tl::unexpected(written.error());
  }
  files.created = true;
  return files;
}

util::Result<std::string> certificate_fingerprint(const std::string& cert_file) {
  const auto pem = util::read_file(cert_file);
  if (!pem) {
    return util::fail(ErrorKind::config, fmt::format("cannot read the TLS certificate {}", cert_file));
  }
  const auto cert = read_certificate(*pem);
  unsigned char* der = nullptr;
  const int length = cert ? i2d_X509(cert.get(), &der) : -1;
  if (length <= 0) {
    return util::fail(ErrorKind::config, fmt::format("{} holds no PEM certificate", cert_file));
  }
  const auto digest =
    util::sha256(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)));
  OPENSSL_free(der);
  std::string out;
  for (const unsigned char byte : digest) {
    out += fmt::format("{}{:02X}", out.empty() ? "" : ":", byte);
  }
  return out;
}

} // namespace oauthctl::server
