// Publishes the global configuration: signs each new version with the configuration-signing key
// and serves the signed bytes over HTTP, where gateways and mirrors fetch them.
//
//   GET /globalconf        the signed configuration (application/x-protobuf, a
//                          truc.v1.SignedGlobalConfiguration), with ETag "v<version>";
//                          If-None-Match with the current ETag gives 304 Not Modified
//   GET /globalconf.json   the same configuration as readable JSON (not signed; for people)
//   GET /healthz           200 "ok" once a signed configuration exists
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/net/http_server.h"
#include "truc/v1/global_configuration.pb.h"

namespace truc::registry {

// Thread-safe.
class ConfigurationPublisher {
 public:
  // `signer_chain`: the configuration-signing certificate first, then its issuers.
  ConfigurationPublisher(std::unique_ptr<crypto::Signer> signer,
                         std::vector<crypto::Certificate> signer_chain);

  // Signs `configuration` and makes it the one served. Versions only move forward: an older or
  // equal version than the one served is ignored.
  Status Publish(const v1::GlobalConfiguration& configuration);

  // The signed bytes currently served ("" before the first Publish).
  std::string signed_bytes() const;
  uint64_t version() const;

  // The HTTP handler serving the endpoints above. The publisher must outlive the server.
  net::HttpHandler Handler();

 private:
  struct Snapshot {
    uint64_t version = 0;
    std::string signed_bytes;
    std::string json;
    std::string etag;
  };
  std::shared_ptr<const Snapshot> Current() const;

  const std::unique_ptr<crypto::Signer> signer_;
  const std::vector<crypto::Certificate> signer_chain_;
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;  // Guarded by mu_.
};

}  // namespace truc::registry
