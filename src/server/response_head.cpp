// SPDX-License-Identifier: MIT
#include "server/response_head.hpp"

#include <oauthctl/http/message.hpp>

#include <fmt/format.h>

namespace oauthctl::server {

namespace {

void append_value(std::string& out, std::string_view value) {
  for (const char c : value) {
    out += c == '\r' || c == '\n' || c == '\0' ? ' ' : c;
  }
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  append_value(out, value);
  out += "\r\n";
}

bool is_computed_here(std::string_view name) {
  return http::iequals(name, "Content-Type") || http::iequals(name, "Content-Length") ||
         http::iequals(name, "Connection");
}

} // namespace

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

bool has_no_content(int status) {
  return (status >= 100 && status < 200) || status == 204;
}

std::string response_head(const ServerResponse& response, int version, bool keep_alive) {
  std::string out;
  out.reserve(256);
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  const fmt::format_int status(response.status);
  out.append(status.data(), status.size());
  out += ' ';
  out += reason_phrase(response.status);
  out += "\r\n";
  for (const auto& [name, value] : response.headers.fields()) {
    if (!is_computed_here(name)) {
      append_field(out, name, value);
    }
  }
  if (!has_no_content(response.status)) {
    if (!response.content_type.empty()) {
      append_field(out, "Content-Type", response.content_type);
    }
    const fmt::format_int length(response.body.size());
    append_field(out, "Content-Length", std::string_view(length.data(), length.size()));
  }
  if (version == 10 && keep_alive) {
    out += "Connection: keep-alive\r\n";
  } else if (version != 10 && !keep_alive) {
    out += "Connection: close\r\n";
  }
  out += "\r\n";
  return out;
}

} // namespace oauthctl::server
