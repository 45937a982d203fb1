// Kinesis PutRecord (one record per request): the request body, the answer, and recognising the
// PutRecords denial that makes a destination fall back to it (an IAM policy that allows
// kinesis:PutRecord only, as the policies many guides give).
#pragma once

#include <string>
#include <string_view>

#include "pipeline/record.hpp"

namespace eventdest::detail {

/// The PutRecord body for a record whose PutRecords entry is `entry`
/// (`{"Data":"...","PartitionKey":"..."}`): `stream_field` (`"StreamName":"orders"` or
/// `"StreamARN":"arn:..."`) followed by the entry's fields.
std::string put_record_body(std::string_view stream_field, std::string_view entry);

/// The outcome of a 200 PutRecord answer: delivered with its shard id and sequence number, or a
/// retryable server_error when the body is not such an answer (never a silent success).
Outcome parse_put_record_response(std::string_view body);

/// True for an AccessDeniedException whose message names the kinesis:PutRecords action (and not,
/// say, a KMS key or kinesis:PutRecord itself).
bool denies_put_records(std::string_view error_type, std::string_view message);

}  // namespace eventdest::detail
