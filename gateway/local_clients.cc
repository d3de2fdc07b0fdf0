#include "gateway/local_clients.h"

#include <fmt/format.h>

#include "core/crypto/certificate.h"
#include "core/daemon/daemon.h"
#include "gateway/errors.h"

namespace truc::gateway {

StatusOr<LocalClients> LocalClients::Read(config::ConfigTable root,
                                          const std::string& config_file) {
  LocalClients clients;
  TRUC_ASSIGN_OR_RETURN(std::vector<config::ConfigTable> tables,
                        root.GetOptionalTableArray("local_clients"));
  for (config::ConfigTable& table : tables) {
    TRUC_ASSIGN_OR_RETURN(const std::string text, table.GetString("subsystem"));
    StatusOr<ids::SubsystemId> subsystem = ids::SubsystemId::Parse(text);
    if (!subsystem.ok()) return table.FieldError("subsystem", subsystem.status().message());
    Entry entry;
    TRUC_ASSIGN_OR_RETURN(entry.require_certificate, table.GetBool("require_certificate", true));
    TRUC_ASSIGN_OR_RETURN(const std::vector<std::string> files,
                          table.GetStringArray("certificates", {}));
    for (const std::string& file : files) {
      StatusOr<std::vector<crypto::Certificate>> chain =
          crypto::Certificate::LoadPemFile(daemon::ResolvePath(config_file, file));
      if (!chain.ok()) return table.FieldError("certificates", chain.status().message());
      entry.fingerprints.insert(chain->front().Fingerprint());
    }
    if (entry.require_certificate && entry.fingerprints.empty()) {
      return table.FieldError("certificates",
                              "list the client certificates, or set require_certificate = false");
    }
    if (!clients.entries_.emplace(*subsystem, std::move(entry)).second) {
      return table.FieldError("subsystem", fmt::format("{} is listed twice", text));
    }
  }
  return clients;
}

Status LocalClients::Authorize(const ids::SubsystemId& client,
                               std::string_view certificate_fingerprint) const {
  const auto it = entries_.find(client);
  if (it == entries_.end()) {
    return ClientProxyError(
        error_code::kSslAuthenticationFailed,
        fmt::format("{} is not a local client of this gateway", client.ToString()));
  }
  const Entry& entry = it->second;
  if (certificate_fingerprint.empty()) {
    if (!entry.require_certificate) return OkStatus();
    return ClientProxyError(error_code::kSslAuthenticationFailed,
                            fmt::format("{} must call over TLS with one of its client certificates",
                                        client.ToString()));
  }
  if (entry.fingerprints.contains(std::string(certificate_fingerprint))) return OkStatus();
  return ClientProxyError(
      error_code::kSslAuthenticationFailed,
      fmt::format("the client certificate presented may not act as {}", client.ToString()));
}

}  // namespace truc::gateway
