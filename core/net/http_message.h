// HTTP messages as plain values, so that code above the network layer never includes Beast.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace truc::crypto {
class Certificate;
}

namespace truc::net {

// An ordered multimap of header fields with case-insensitive names, as on the wire.
class HttpHeaders {
 public:
  // The value of the *last* field named `name`, as X-Road requires for repeated headers.
  std::optional<std::string> Get(std::string_view name) const;
  std::vector<std::string> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // Appends a field, keeping any with the same name.
  void Add(std::string name, std::string value);
  // Replaces every field named `name` with one.
  void Set(std::string_view name, std::string value);
  void Remove(std::string_view name);

  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// True if `a` and `b` are equal ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct HttpRequest {
  std::string method;  // "GET", "POST", ... as received.
  std::string target;  // The request target as received: path and query, not decoded.
  HttpHeaders headers;
  std::string body;
  std::string peer_address;  // "127.0.0.1:54321".
  // On a TLS connection whose client presented a certificate (which the server then verified):
  // SHA-256 over its DER encoding, 32 raw bytes, as crypto::Certificate::Fingerprint(). Empty
  // otherwise.
  std::string peer_certificate_fingerprint;
  // On a pinned TLS connection (TlsServerOptions::pinned): the certificate the client presented
  // and the check accepted, parsed once per connection. Null otherwise.
  std::shared_ptr<const crypto::Certificate> peer_certificate;
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;
};

// A response with a content type and body.
HttpResponse MakeResponse(int status, std::string content_type, std::string body);

}  // namespace truc::net
