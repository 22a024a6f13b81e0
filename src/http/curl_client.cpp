// SPDX-License-Identifier: MIT
// With curl_library.cpp, the only file that sees libcurl: everything else sees http::Client.
#include "http/curl_library.hpp"

#include <oauthctl/http/client.hpp>
#include <oauthctl/http/redacted.hpp>

#include <curl/curl.h>
#include <fmt/format.h>

#include <cstring>

namespace oauthctl::http {

namespace {

using util::ErrorKind;

// The loaded libcurl: called only where curl_library() has succeeded (a handle exists).
const detail::CurlLibrary& curl_lib() {
  return **detail::curl_library();
}

// A hostile or broken server must not make us buffer without limit.
constexpr std::size_t k_max_body_bytes = 32 * 1024 * 1024;

// Owns one easy handle; moves allowed, copies not (cpr's CurlHolder).
class CurlHandle {
public:
  CurlHandle() : m_handle(detail::curl_library() ? curl_lib().curl_easy_init() : nullptr) {}
  CurlHandle(const CurlHandle&) = delete;
  CurlHandle& operator=(const CurlHandle&) = delete;
  CurlHandle(CurlHandle&& other) noexcept : m_handle(std::exchange(other.m_handle, nullptr)) {}
  CurlHandle& operator=(CurlHandle&& other) noexcept {
    std::swap(m_handle, other.m_handle);
    return *this;
  }
  ~CurlHandle() {
    if (m_handle != nullptr) {
      curl_lib().curl_easy_cleanup(m_handle);
    }
  }
  [[nodiscard]] CURL* get() const { return m_handle; }

private:
  CURL* m_handle;
};

// Owns a header list for the duration of one transfer.
class CurlHeaderList {
public:
  CurlHeaderList() = default;
  CurlHeaderList(const CurlHeaderList&) = delete;
  CurlHeaderList& operator=(const CurlHeaderList&) = delete;
  ~CurlHeaderList() {
    if (m_list != nullptr) {
      curl_lib().curl_slist_free_all(m_list);
    }
  }
  // Appends "Name: value"; false when libcurl is out of memory.
  bool append(const std::string& line) {
    auto* next = curl_lib().curl_slist_append(m_list, line.c_str());
    if (next == nullptr) {
      return false;
    }
    m_list = next;
    return true;
  }
  [[nodiscard]] curl_slist* get() const { return m_list; }

private:
  curl_slist* m_list = nullptr;
};

struct Transfer {
  Response response;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const auto bytes = size * count;
  if (transfer->response.body.size() + bytes > k_max_body_bytes) {
    transfer->too_large = true;
    return 0; // makes libcurl fail with CURLE_WRITE_ERROR
  }
  transfer->response.body.append(data, bytes);
  return bytes;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const auto bytes = size * count;
  const auto line = trim(std::string_view(data, bytes));
  if (line.substr(0, 5) == "HTTP/") {
    // A new status line (after "100 Continue", say) starts a new header block.
    transfer->response.headers = Headers{};
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
    transfer->response.headers.add(std::string(trim(line.substr(0, colon))),
                                   std::string(trim(line.substr(colon + 1))));
  }
  return bytes;
}

class CurlClient final : public Client {
public:
  CurlClient(const ClientOptions& options, ExchangeObserver* observer)
      : m_options(options), m_observer(observer) {}

  util::Result<Response> send(const Request& request) override {
    auto result = perform(request);
    if (m_observer != nullptr) {
      m_observer->on_exchange(request, result);
    }
    return result;
  }

private:
  util::Result<Response> perform(const Request& request) {
    if (auto library = detail::curl_library(); !library) {
      return tl::unexpected(library.error());
    }
    CURL* curl = m_handle.get();
    if (curl == nullptr) {
      return util::fail(ErrorKind::internal, "libcurl could not create a handle");
    }
    // Reset keeps the connection cache, so consecutive requests to one server reuse
    // the connection (discovery, then the token request, then FHIR).
    curl_lib().curl_easy_reset(curl);

    CurlHeaderList headers;
    for (const auto& [name, value] : request.headers.fields()) {
      if (!headers.append(fmt::format("{}: {}", name, value))) {
        return util::fail(ErrorKind::internal, "out of memory building request headers");
      }
    }
    // libcurl would otherwise add "Expect: 100-continue" to large bodies, costing a round trip.
    headers.append("Expect:");

    Transfer transfer;
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_lib().curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_lib().curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_lib().curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_lib().curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    // Redirects are never followed: a token request that is redirected would resend the
    // client's credentials to wherever the Location points (RFC 6749 §3.2 requires TLS
    // and a fixed endpoint, and RFC 9700 §4.11 warns about redirects carrying secrets).
    curl_lib().curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_lib().curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(m_options.timeout.count()));
    curl_lib().curl_easy_setopt(curl, CURLOPT_USERAGENT, m_options.user_agent.c_str());
    curl_lib().curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    curl_lib().curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_lib().curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_lib().curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_lib().curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    if (!m_options.cacert.empty()) {
      curl_lib().curl_easy_setopt(curl, CURLOPT_CAINFO, m_options.cacert.c_str());
    }
    if (!m_options.client_cert.empty()) {
      curl_lib().curl_easy_setopt(curl, CURLOPT_SSLCERT, m_options.client_cert.c_str());
      curl_lib().curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
      if (!m_options.client_key.empty()) {
        curl_lib().curl_easy_setopt(curl, CURLOPT_SSLKEY, m_options.client_key.c_str());
        curl_lib().curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
      }
    }
    if (m_options.verify_tls == VerifyTls::no) {
      curl_lib().curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_lib().curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }

    if (request.method == "GET") {
      curl_lib().curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_lib().curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else {
      if (request.method == "POST") {
        curl_lib().curl_easy_setopt(curl, CURLOPT_POST, 1L);
      } else {
        curl_lib().curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      }
      if (request.method == "POST" || !request.body.empty()) {
        curl_lib().curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                                    static_cast<curl_off_t>(request.body.size()));
        curl_lib().curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
      }
    }

    const CURLcode code = curl_lib().curl_easy_perform(curl);
    if (code != CURLE_OK) {
      long os_errno = 0;
      curl_lib().curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
      return tl::unexpected(describe_failure(request, code, error_buffer, transfer.too_large, os_errno));
    }
    long status = 0;
    curl_lib().curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_off_t total_us = 0;
    curl_lib().curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &total_us);
    transfer.response.status = static_cast<int>(status);
    transfer.response.elapsed_ms = static_cast<double>(total_us) / 1000.0;
    return std::move(transfer.response);
  }

  [[nodiscard]] util::Error describe_failure(const Request& request, CURLcode code, const char* buffer,
                                             bool too_large, long os_errno) const {
    // URLs may carry secrets in their query; error lines are printed, so redact first.
    const auto url = redacted(request).url;
    const std::string detail =
      buffer[0] != '\0' ? std::string(buffer) : std::string(curl_lib().curl_easy_strerror(code));
    const auto error = [](ErrorKind kind, std::string message) {
      return util::Error{kind, std::move(message), {}, {}, 0};
    };
    switch (code) {
      case CURLE_COULDNT_CONNECT:
        return error(ErrorKind::network,
                     fmt::format("cannot connect to {} ({})", url,
                                 os_errno != 0 ? std::strerror(static_cast<int>(os_errno)) : detail));
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        return error(ErrorKind::network, fmt::format("cannot resolve host for {} ({})", url, detail));
      case CURLE_OPERATION_TIMEDOUT:
        // A server that does not answer is a network failure (exit 3); ErrorKind::timeout is for
        // waiting on the user or a browser redirect (exit 5, DESIGN.md).
        return error(ErrorKind::network, fmt::format("{} {} timed out after {} ms", request.method, url,
                                                     m_options.timeout.count()));
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
        return error(ErrorKind::usage, fmt::format("invalid URL {} ({})", url, detail));
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CIPHER:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_ISSUER_ERROR:
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      case CURLE_SSL_INVALIDCERTSTATUS:
      case CURLE_SSL_CRL_BADFILE:
      case CURLE_SSL_ENGINE_INITFAILED:
      case CURLE_SSL_ENGINE_NOTFOUND:
      case CURLE_SSL_ENGINE_SETFAILED:
      case CURLE_SSL_SHUTDOWN_FAILED:
        return error(ErrorKind::tls, fmt::format("TLS failure talking to {} ({})", url, detail));
      case CURLE_WRITE_ERROR:
        if (too_large) {
          return error(ErrorKind::bad_response,
                       fmt::format("response from {} is larger than {} MiB", url, k_max_body_bytes >> 20));
        }
        break;
      case CURLE_WEIRD_SERVER_REPLY:
        return error(ErrorKind::bad_response,
                     fmt::format("{} answered with something that is not HTTP ({})", url, detail));
      default:
        break;
    }
    return error(ErrorKind::network, fmt::format("{} {} failed ({})", request.method, url, detail));
  }

  ClientOptions m_options;
  ExchangeObserver* m_observer;
  CurlHandle m_handle;
};

} // namespace

std::unique_ptr<Client> make_curl_client(const ClientOptions& options, ExchangeObserver* observer) {
  return std::make_unique<CurlClient>(options, observer);
}

std::string backend_version() {
  auto library = detail::curl_library();
  return library ? std::string((*library)->curl_version()) : "libcurl: " + library.error().message;
}

} // namespace oauthctl::http
