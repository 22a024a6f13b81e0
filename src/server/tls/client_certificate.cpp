// SPDX-License-Identifier: MIT
#include "server/tls/client_certificate.hpp"

#include "server/tls/x509_free.hpp"

#include <oauthctl/http/message.hpp>
#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/crypto.hpp>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <memory>
#include <optional>
#include <vector>

namespace oauthctl::server {

namespace {

struct NamesFree {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};
using Cert = std::unique_ptr<X509, X509Free>;

Cert parse_der(std::string_view der) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  return Cert(d2i_X509(nullptr, &bytes, static_cast<long>(der.size())));
}

std::string trim_unescaped_spaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') {
    text.remove_prefix(1);
  }
  while (!text.empty() && text.back() == ' ' && (text.size() < 2 || text[text.size() - 2] != '\\')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

// An RFC 4514 DN in one spelling: each "type=value" of each RDN with the type upper-case
// and the spaces around ',', '+' and '=' removed; escaped separators ("\,") stay as they are.
std::string normalise_dn(std::string_view dn) {
  std::string out;
  std::string part;
  auto flush = [&](char separator) {
    const auto equals = part.find('=');
    if (equals != std::string::npos) {
      auto type = trim_unescaped_spaces(std::string_view(part).substr(0, equals));
      for (auto& c : type) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      out += type + "=" + trim_unescaped_spaces(std::string_view(part).substr(equals + 1));
    } else {
      out += trim_unescaped_spaces(part);
    }
    if (separator != '\0') {
      out += separator;
    }
    part.clear();
  };
  for (std::size_t i = 0; i < dn.size(); ++i) {
    const char c = dn[i];
    if (c == '\\' && i + 1 < dn.size()) {
      part += c;
      part += dn[++i];
    } else if (c == ',' || c == '+' || c == ';') {
      flush(c == ';' ? ',' : c);
    } else {
      part += c;
    }
  }
  flush('\0');
  return out;
}

std::optional<std::vector<unsigned char>> parse_ip(const std::string& text) {
  std::array<unsigned char, 16> buffer{};
  if (::inet_pton(AF_INET, text.c_str(), buffer.data()) == 1) {
    return std::vector<unsigned char>(buffer.begin(), buffer.begin() + 4);
  }
  if (::inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1) {
    return std::vector<unsigned char>(buffer.begin(), buffer.end());
  }
  return std::nullopt;
}

std::string asn1_text(const ASN1_STRING* value) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<std::size_t>(ASN1_STRING_length(value)));
}

bool san_matches(X509* cert, const RegisteredCertificateName& name) {
  const std::unique_ptr<GENERAL_NAMES, NamesFree> names(
    static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) {
    return false;
  }
  const auto wanted_ip = name.san_ip.empty() ? std::nullopt : parse_ip(name.san_ip);
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* entry = sk_GENERAL_NAME_value(names.get(), i);
    if (entry->type == GEN_DNS && !name.san_dns.empty()) {
      if (http::iequals(asn1_text(entry->d.dNSName), name.san_dns)) {
        return true;
      }
    } else if (entry->type == GEN_URI && !name.san_uri.empty()) {
      if (asn1_text(entry->d.uniformResourceIdentifier) == name.san_uri) {
        return true;
      }
    } else if (entry->type == GEN_EMAIL && !name.san_email.empty()) {
      if (asn1_text(entry->d.rfc822Name) == name.san_email) {
        return true;
      }
    } else if (entry->type == GEN_IPADD && wanted_ip) {
      const auto* bytes = ASN1_STRING_get0_data(entry->d.iPAddress);
      const auto length = static_cast<std::size_t>(ASN1_STRING_length(entry->d.iPAddress));
      if (length == wanted_ip->size() && std::equal(wanted_ip->begin(), wanted_ip->end(), bytes)) {
        return true;
      }
    }
  }
  return false;
}

// Big-endian unsigned integer bytes without leading zeros (JWK members may carry them).
std::string strip_zeros(std::string bytes) {
  const auto first = bytes.find_first_not_of('\0');
  return first == std::string::npos ? std::string() : bytes.substr(first);
}

std::string bn_param(const EVP_PKEY* key, const char* name) {
  BIGNUM* value = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &value) != 1) {
    return {};
  }
  std::string out(static_cast<std::size_t>(BN_num_bytes(value)), '\0');
  BN_bn2bin(value, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(value);
  return out;
}

std::string member_bytes(const nlohmann::json& jwk, const char* name) {
  const auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    return {};
  }
  return strip_zeros(util::base64url_decode(it->get<std::string>()).value_or(""));
}

std::string jwk_string(const nlohmann::json& jwk, const char* name) {
  const auto it = jwk.find(name);
  return it != jwk.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The JWK curve name of an OpenSSL EC group name.
std::string curve_of(const EVP_PKEY* key) {
  std::array<char, 64> group{};
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(), nullptr) !=
      1) {
    return {};
  }
  const std::string_view name(group.data());
  if (name == "prime256v1" || name == "P-256") {
    return "P-256";
  }
  if (name == "secp384r1" || name == "P-384") {
    return "P-384";
  }
  if (name == "secp521r1" || name == "P-521") {
    return "P-521";
  }
  return {};
}

bool same_public_key(const EVP_PKEY* key, const nlohmann::json& jwk) {
  const auto kty = jwk_string(jwk, "kty");
  if (kty == "RSA" && EVP_PKEY_is_a(key, "RSA") == 1) {
    const auto n = member_bytes(jwk, "n");
    return !n.empty() && n == strip_zeros(bn_param(key, OSSL_PKEY_PARAM_RSA_N)) &&
           member_bytes(jwk, "e") == strip_zeros(bn_param(key, OSSL_PKEY_PARAM_RSA_E));
  }
  if (kty == "EC" && EVP_PKEY_is_a(key, "EC") == 1) {
    const auto x = member_bytes(jwk, "x");
    return !x.empty() && jwk_string(jwk, "crv") == curve_of(key) &&
           x == strip_zeros(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X)) &&
           member_bytes(jwk, "y") == strip_zeros(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y));
  }
  return false;
}

} // namespace

int RegisteredCertificateName::count() const {
  int n = 0;
  for (const auto* value : {&subject_dn, &san_dns, &san_uri, &san_ip, &san_email}) {
    n += value->empty() ? 0 : 1;
  }
  return n;
}

std::string certificate_thumbprint(std::string_view der) {
  return util::base64url_encode(util::sha256(der));
}

std::string certificate_subject(std::string_view der) {
  const auto cert = parse_der(der);
  if (!cert) {
    return {};
  }
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert.get()), 0, XN_FLAG_RFC2253) < 0) {
    return {};
  }
  char* data = nullptr;
  const auto size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

bool certificate_has_name(std::string_view der, const RegisteredCertificateName& name) {
  if (!name.subject_dn.empty()) {
    const auto subject = certificate_subject(der);
    return !subject.empty() && normalise_dn(subject) == normalise_dn(name.subject_dn);
  }
  const auto cert = parse_der(der);
  return cert && san_matches(cert.get(), name);
}

bool certificate_in_jwks(std::string_view der, const nlohmann::json& jwks) {
  const auto cert = parse_der(der);
  if (!cert || !jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array()) {
    return false;
  }
  const EVP_PKEY* key = X509_get0_pubkey(cert.get());
  for (const auto& jwk : jwks["keys"]) {
    if (!jwk.is_object()) {
      continue;
    }
    // RFC 7517 §4.7: x5c holds standard base64 DER, the key's own certificate first.
    if (const auto x5c = jwk.find("x5c");
        x5c != jwk.end() && x5c->is_array() && !x5c->empty() && x5c->front().is_string()) {
      const auto first = util::base64_decode(x5c->front().get<std::string>());
      if (first && util::constant_time_equal(*first, der)) {
        return true;
      }
    }
    if (key != nullptr && same_public_key(key, jwk)) {
      return true;
    }
  }
  return false;
}

} // namespace oauthctl::server
