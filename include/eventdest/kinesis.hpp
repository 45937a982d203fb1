// The aws_kinesis destination (Kinesis Data Streams PutRecords over our SigV4 signer).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "eventdest/aws/credentials.hpp"
#include "eventdest/destination.hpp"
#include "eventdest/export.hpp"
#include "eventdest/spec.hpp"

namespace eventdest {

/// The Kinesis API records are sent with (`config.api`).
enum class KinesisApi {
  put_records,  ///< batches of up to 500 records per request (needs kinesis:PutRecords)
  put_record    ///< one record per request (kinesis:PutRecord only), max_in_flight_requests at once
};

struct EVENTDEST_API KinesisConfig {
  std::string stream_name;  ///< `stream_name` (or derived from `stream_arn`)
  std::string stream_arn;   ///< `stream_arn`
  std::string region;       ///< `region` (or taken from `stream_arn`)
  std::string
      endpoint;  ///< `endpoint`: custom base URL; default https://kinesis.{region}.amazonaws.com
  std::string partition_key_template;  ///< JMESPath; empty: the event id
  /// `api`. With put_records, a PutRecords denied by an IAM policy that allows only
  /// kinesis:PutRecord switches the destination to put_record (one warning, no attempt lost).
  KinesisApi api = KinesisApi::put_records;
  bool metadata_in_payload = true;  ///< default from DESTINATIONS_AWS_KINESIS_METADATA_IN_PAYLOAD
  std::size_t max_batch_records = 500;      ///< `max_batch_records` 1..500
  std::size_t max_batch_bytes = 5u << 20;   ///< `max_batch_bytes` up to 10 MiB
  std::size_t max_record_bytes = 1u << 20;  ///< `max_record_bytes` up to 10 MiB
  /// `aggregation`: pack user records whose keys map to the same shard into KPL aggregated
  /// records (the format the KCL, Lambda's deaggregation modules and aws-kinesis-agg unpack).
  bool aggregation = false;
  /// `aggregation_max_bytes`: an aggregated record's size limit (data + partition key), at most
  /// max_record_bytes; 0 (and the spec's default): max_record_bytes.
  std::size_t aggregation_max_bytes = 0;
  /// `aggregation_max_records`: user records per aggregated record.
  std::size_t aggregation_max_records = 100000;
  /// `explicit_hash_key_template`: JMESPath giving the record's ExplicitHashKey (a decimal
  /// 0..2^128-1); empty, or a null/empty result: none (the partition key's MD5 places it).
  std::string explicit_hash_key_template;
  /// `shard_rate_limit`: hold records for a shard at Kinesis' per-shard limits (1,000 records/s,
  /// 1 MiB/s) before it throttles, without holding back the other shards (needs the shard map).
  bool shard_rate_limit = false;
  // credentials: `key`, `secret`, `session`. Empty key: `credentials_provider`, else the AWS
  // credential chain (environment, profile files, web identity, container and instance roles).
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  /// The program's own credentials source (typed configs only; not with access_key_id).
  std::shared_ptr<aws::CredentialsProvider> credentials_provider;
  DeliveryOptions delivery;
  HttpTlsOptions tls;

  /// Reads and checks every field; throws ConfigError listing every problem.
  static KinesisConfig from_spec(const DestinationSpec& spec);
  /// Every problem with this config, checked by the rules of the spec fields it mirrors and named
  /// after them (`config.stream_name`, `credentials.secret`, ...). Empty: valid.
  /// make_kinesis_destination() runs it too.
  std::vector<FieldProblem> validate() const;
};

/// Creates an aws_kinesis destination. Throws ConfigError listing every problem validate() finds.
EVENTDEST_API std::unique_ptr<Destination> make_kinesis_destination(
    const KinesisConfig& config, std::vector<std::string> topics = {},
    std::optional<Filter> filter = std::nullopt);

}  // namespace eventdest
