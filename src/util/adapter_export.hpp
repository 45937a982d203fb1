// EVENTDEST_ADAPTER_API marks the few internal functions the eventdest::kafka adapter (a library
// of its own) calls in a shared libeventdest: exported like the public API, but not part of it.
#pragma once

#include "eventdest/export.hpp"

#define EVENTDEST_ADAPTER_API EVENTDEST_API
