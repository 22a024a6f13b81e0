// SPDX-License-Identifier: MIT
#pragma once

#include <openssl/x509.h>

namespace oauthctl::server {

// The deleter of a std::unique_ptr<X509>, shared by the two certificate files so that a
// unity batch holding both sees one definition.
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};

} // namespace oauthctl::server
