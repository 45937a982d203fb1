#if EVENTDEST_CATCH_MAJOR == 2
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#endif
