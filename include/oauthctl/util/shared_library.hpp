// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

#include <string>

namespace oauthctl::util {

// A shared library opened at run time (dlopen) instead of at exec. Why: libcurl and libpq
// each pull in LDAP, Kerberos, GnuTLS, SASL and a dozen more libraries whose loading,
// relocation and constructors cost every process ~15 ms of CPU before main, although most
// commands (and `serve` on SQLite) never call them. Kept open for the process's lifetime.
class SharedLibrary {
public:
  // Opens `soname` (e.g. "libcurl.so.4"); `internal` error with dlerror's text when it
  // cannot be loaded (the package depends on it: a broken installation).
  [[nodiscard]] static Result<SharedLibrary> open(const std::string& soname);

  // The address of `name` in the library, or nullptr.
  [[nodiscard]] void* symbol(const char* name) const;

  // Sets `target` (a function pointer) to `name`; false when the library lacks it.
  template<typename Function>
  bool bind(Function*& target, const char* name) const {
    // POSIX guarantees that dlsym's object pointer converts to a function pointer.
    target = reinterpret_cast<Function*>(symbol(name));
    return target != nullptr;
  }

  [[nodiscard]] const std::string& soname() const { return m_soname; }

private:
  SharedLibrary(void* handle, std::string soname) : m_handle(handle), m_soname(std::move(soname)) {}
  void* m_handle; // never closed: function pointers into it live as long as the process
  std::string m_soname;
};

} // namespace oauthctl::util
