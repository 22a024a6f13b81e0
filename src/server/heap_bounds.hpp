// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>

namespace oauthctl::server {

// glibc malloc as a long-running server needs it (the soak of bench/transport.sh grew RSS
// from 19 to 42 MiB in 20 s without these). Call before any thread starts: glibc gives
// every thread that allocates an arena of its own (up to 8 per core), each keeping what
// its thread freed; and after a large block (scrypt's 32 MiB) is freed it raises its mmap
// threshold, so later large blocks come from those arenas and stay there. So: one arena
// per core (at least two), and blocks of 256 KiB and more always mmap'd, returned on free.
// Does nothing on other C libraries.
void bound_heap_arenas();

// Makes the calling thread take its malloc arena now (glibc picks one at a thread's first
// allocation). The transport's event-loop threads (all but loop 0, which runs on the main
// thread and its arena) call it before the worker pool starts, so each gets an arena of its
// own: two loop threads sharing one contend for its lock on nearly every allocation
// (measured: 0.25-0.33 futex calls and about 11 us of CPU per token request).
void claim_heap_arena();

// Hands the free pages of every arena back to the kernel (malloc_trim), at most once per
// `every`; cheap when nothing is free. The maintenance thread calls it; thread-safe.
void release_free_heap(std::chrono::steady_clock::duration every = std::chrono::seconds(5));

} // namespace oauthctl::server
