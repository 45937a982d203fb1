// Why a broker's certificate was refused, in words a user can act on. OpenSSL's own text for a
// certificate issued for another host and for one from an unknown CA ends up in librdkafka's
// message as the same "broker certificate could not be verified"; the certificate verification
// callback knows which it was.
#pragma once

#include <cstddef>
#include <string>

namespace eventdest::detail {

/// `x509_error` is OpenSSL's X509_V_ERR_* for the certificate (DER bytes) presented by `broker`.
std::string describe_refused_certificate(int x509_error, const std::string& broker, const char* der,
                                         std::size_t size);

}  // namespace eventdest::detail
