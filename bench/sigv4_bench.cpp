// SigV4 signing cost per request, excluding and including the payload hash, next to a naive
// baseline that derives the signing key on every call (same run).
#include <chrono>
#include <cstdio>
#include <string>

#include "eventdest/aws/sigv4.hpp"

using namespace eventdest::aws;
using Steady = std::chrono::steady_clock;

int main() {
  SigningRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Host", "kinesis.us-east-1.amazonaws.com"},
               {"Content-Type", "application/x-amz-json-1.1"},
               {"X-Amz-Target", "Kinesis_20131202.PutRecords"}};
  const std::string body(150 * 1024, 'x');  // a PutRecords body of 500 x 300-byte records
  const std::string hash = sha256_hex(body);
  Credentials c{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token", {}};
  SigningOptions o{"us-east-1", "kinesis"};
  const auto now = std::chrono::system_clock::now();
  const int n = 200000;
  auto per_call = [&](auto&& fn, int count) {
    const auto t0 = Steady::now();
    for (int i = 0; i < count; ++i)
      fn(i);
    return std::chrono::duration<double, std::micro>(Steady::now() - t0).count() / count;
  };
  Signer signer;
  r.payload_hash = hash;
  volatile std::size_t sink = 0;
  const double cached =
      per_call([&](int) { sink += signer.sign(r, c, now, o).signature.size(); }, n);
  // Naive: a new Signer (empty key cache) per call derives the key every time.
  const double naive = per_call(
      [&](int) {
        Signer s;
        sink += s.sign(r, c, now, o).signature.size();
      },
      n);
  r.payload_hash.clear();
  r.payload = body;
  const double with_hash =
      per_call([&](int) { sink += signer.sign(r, c, now, o).signature.size(); }, 2000);
  std::printf(
      "sign (payload hash given): %.2f us/request; naive (key derived each call): %.2f us "
      "(%.1fx); with a 150 KiB payload hash: %.1f us\n",
      cached, naive, naive / cached, with_hash);
  return 0;
}
