// SPDX-License-Identifier: MIT
#include <oauthctl/util/shared_library.hpp>

#include <dlfcn.h>

namespace oauthctl::util {

Result<SharedLibrary> SharedLibrary::open(const std::string& soname) {
  // RTLD_LOCAL: its symbols serve only the pointers bound from it; RTLD_NOW: a missing
  // symbol shows here, not as a crash in the middle of a request.
  void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return fail(ErrorKind::internal, "could not load " + soname + ": " +
                                       (why != nullptr ? why : "unknown error") +
                                       " (is its package installed?)");
  }
  return SharedLibrary(handle, soname);
}

void* SharedLibrary::symbol(const char* name) const {
  return dlsym(m_handle, name);
}

} // namespace oauthctl::util
