#include "kafka/certificate_refusal.hpp"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace eventdest::detail {
namespace {

struct X509Deleter {
  void operator()(X509* x) const noexcept { X509_free(x); }
  void operator()(GENERAL_NAMES* n) const noexcept { GENERAL_NAMES_free(n); }
};

std::string name_text(X509_NAME* name) {
  char buffer[256] = "";
  if (name) X509_NAME_oneline(name, buffer, sizeof buffer);
  return buffer;
}

// The DNS names and IP addresses the certificate is valid for.
std::string subject_alt_names(X509* cert) {
  std::unique_ptr<GENERAL_NAMES, X509Deleter> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  std::string out;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
    std::string one;
    if (n->type == GEN_DNS) {
      const auto* s = n->d.dNSName;
      one = "DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                 static_cast<std::size_t>(ASN1_STRING_length(s)));
    } else if (n->type == GEN_IPADD && ASN1_STRING_length(n->d.iPAddress) == 4) {
      const unsigned char* a = ASN1_STRING_get0_data(n->d.iPAddress);
      one = "IP:" + std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) +
            "." + std::to_string(a[3]);
    } else if (n->type == GEN_IPADD) {
      one = "IP:(IPv6)";
    }
    if (!one.empty()) out += (out.empty() ? "" : ", ") + one;
  }
  return out;
}

}  // namespace

std::string describe_refused_certificate(int x509_error, const std::string& broker, const char* der,
                                         std::size_t size) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der);
  std::unique_ptr<X509, X509Deleter> cert(der ? d2i_X509(nullptr, &bytes, static_cast<long>(size))
                                              : nullptr);
  const std::string subject = cert ? name_text(X509_get_subject_name(cert.get())) : "";
  const std::string issuer = cert ? name_text(X509_get_issuer_name(cert.get())) : "";
  const std::string who = "the certificate of broker " + broker + " (subject " + subject + ")";
  switch (x509_error) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: {
      const std::string names = cert ? subject_alt_names(cert.get()) : "";
      // broker is "host:port" (librdkafka's node name); the host is what was checked.
      const std::string host = broker.substr(0, broker.rfind(':'));
      return who + " is for another host: it names " +
             (names.empty() ? "no alternative names" : names) + ", not " + host;
    }
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:  // reported for the chain's root itself
      return "the certificate chain of broker " + broker + " ends at a CA that is not trusted (" +
             subject + "): give the broker's CA in config.ca_location or config.ca_pem";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      return who + " is issued by a CA that is not trusted (" + issuer +
             "): give the broker's CA in config.ca_location or config.ca_pem";
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return who + " has expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return who + " is not valid yet";
    default:
      return who + " was refused: " + X509_verify_cert_error_string(x509_error);
  }
}

}  // namespace eventdest::detail
