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
//   plain_http = true                 # may call without TLS (only ever on loopback)
//   certificates = ["portal.pem"]     # TLS client certificates that may act as it
class LocalClients {
 public:
  // Reads the entries; certificate files are resolved against `config_file`. Errors name the
  // entry and field.
  static StatusOr<LocalClients> Read(config::ConfigTable root, const std::string& config_file);

  // Whether a caller may act as `client`. `certificate_fingerprint` is the SHA-256 of the TLS
  // client certificate it presented, empty when it presented none or used plain HTTP.
  // ClientProxy SslAuthenticationFailed otherwise, saying what would be needed.
  Status Authorize(const ids::SubsystemId& client, std::string_view certificate_fingerprint) const;

  // The subsystems configured, in order.
  std::vector<ids::SubsystemId> subsystems() const;

 private:
  struct Entry {
    bool plain_http = false;
    std::set<std::string> fingerprints;
  };
  std::map<ids::SubsystemId, Entry> entries_;
};

}  // namespace truc::gateway
