// EVENTDEST_API marks the public API. The shared library is built with hidden visibility, so only
// what carries this mark is exported: internal symbols stay internal (a smaller dynamic symbol
// table, no clashes with a program's own symbols, and an ABI that is only what the headers say).
#pragma once

#if defined(_WIN32)
#define EVENTDEST_API
#elif defined(__GNUC__) || defined(__clang__)
#define EVENTDEST_API __attribute__((visibility("default")))
#else
#define EVENTDEST_API
#endif
