#include "http/transport_error.hpp"

namespace eventdest::http {

const char* to_string(TransportError e) noexcept {
  switch (e) {
    case TransportError::none:
      return "none";
    case TransportError::connect_failed:
      return "connect_failed";
    case TransportError::dns:
      return "dns";
    case TransportError::timeout:
      return "timeout";
    case TransportError::connection_lost:
      return "connection_lost";
    case TransportError::tls:
      return "tls";
    case TransportError::malformed:
      return "malformed";
    case TransportError::cancelled:
      return "cancelled";
    case TransportError::other:
      return "other";
  }
  return "other";
}

namespace detail {

Classification classify(CURLcode code) noexcept {
  switch (code) {
    case CURLE_OK:
      return {TransportError::none, true};

    // Nothing was sent: no connection (or no proxy tunnel) was ever established.
    case CURLE_COULDNT_CONNECT:
    case CURLE_PROXY:
      return {TransportError::connect_failed, false};
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return {TransportError::dns, false};

    // A timeout may strike after the request was written: the server may be processing it.
    case CURLE_OPERATION_TIMEDOUT:
      return {TransportError::timeout, true};

    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return {TransportError::connection_lost, true};

    // Handshake and certificate failures happen before any request byte is sent.
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return {TransportError::tls, false};
    // ...except a failed close_notify, which comes after the exchange.
    case CURLE_SSL_SHUTDOWN_FAILED:
      return {TransportError::tls, true};

    // The peer answered with something that is not HTTP. libcurl 7.88 reports an HTTP/0.9-looking
    // reply as UNSUPPORTED_PROTOCOL (the engine rejects non-http(s) URLs itself before sending,
    // so here that code always means a bad reply).
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_CONTENT_ENCODING:
      return {TransportError::malformed, true};

    case CURLE_URL_MALFORMAT:
    case CURLE_FAILED_INIT:
      return {TransportError::other, false};

    default:
      return {TransportError::other, true};
  }
}

}  // namespace detail
}  // namespace eventdest::http
