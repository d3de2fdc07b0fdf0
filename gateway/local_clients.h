// Which of the agency's own information systems may act as which client subsystem when calling
// services through this gateway.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/config/config.h"
#include "core/ids/identifiers.h"

namespace truc::gateway {

// Configuration ([[local_clients]] in the gateway's file):
//
//   [[local_clients]]
//   subsystem = "VN/GOV/000200/portal"
//   certificates = ["portal.pem"]     # TLS client certificates that may act as it
//   require_certificate = true        # false: any caller that reaches the consumer interfaces
//                                     # may act as it (plain HTTP, which is only ever served on
//                                     # loopback, or TLS without a client certificate)
class LocalClients {
 public:
  // Reads the entries; certificate files are resolved against `config_file`. Errors name the
  // entry and field: a malformed subsystem id, one listed twice, a certificate that cannot be
  // read, an entry that requires a certificate but lists none.
  static StatusOr<LocalClients> Read(config::ConfigTable root, const std::string& config_file);

  // Whether a caller may act as `client`. `certificate_fingerprint` is the SHA-256 of the TLS
  // client certificate it presented, empty when it presented none or used plain HTTP.
  // ClientProxy SslAuthenticationFailed otherwise, saying what would be needed.
  Status Authorize(const ids::SubsystemId& client, std::string_view certificate_fingerprint) const;

 private:
  struct Entry {
    bool require_certificate = true;
    std::set<std::string> fingerprints;
  };
  std::map<ids::SubsystemId, Entry> entries_;
};

}  // namespace truc::gateway
