// Umbrella header: the whole public API of the core library.
// The native Kafka adapter has its own header, eventdest/kafka.hpp (link eventdest::kafka).
#pragma once

#include "eventdest/destination.hpp"
#include "eventdest/error.hpp"
#include "eventdest/event.hpp"
#include "eventdest/filter.hpp"
#include "eventdest/jmespath.hpp"
#include "eventdest/kafka_config.hpp"
#include "eventdest/kafka_rest.hpp"
#include "eventdest/kinesis.hpp"
#include "eventdest/log.hpp"
#include "eventdest/partition_key.hpp"
#include "eventdest/router.hpp"
#include "eventdest/spec.hpp"
#include "eventdest/spool.hpp"
