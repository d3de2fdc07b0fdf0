// Sealing the messages gateways exchange, and checking the seals of those they receive.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/base/status.h"
#include "core/evidence/message_signing.h"
#include "core/evidence/verification_cache.h"
#include "core/globalconf/configuration_view.h"
#include "core/ids/identifiers.h"
#include "truc/v1/gateway_exchange.pb.h"

namespace truc::gateway {

// What identifies a message besides its content.
struct MessageIdentity {
  v1::MessageEvidence::Kind kind = v1::MessageEvidence::KIND_UNSPECIFIED;
  std::string message_id;
  std::string request_id;
  ids::SubsystemId client;
  ids::ServiceId service;
  std::string request_hash;  // Responses only.
};

// Fills in message.evidence: identity, and digests of message.headers and message.body.
void DescribeMessage(const MessageIdentity& identity, v1::ExchangeMessage& message);

// What seals the messages of an exchange (a seam: tests use a fake).
class MessageSealer {
 public:
  virtual ~MessageSealer() = default;
  // Fills in message.evidence (DescribeMessage) and signs it, then calls `done` with OK (the
  // signature set in `message`) or the error, on any thread; `done` must not block. `message`
  // must live until then.
  virtual void Seal(const MessageIdentity& identity, v1::ExchangeMessage& message,
                    std::function<void(Status)> done) = 0;
};

// Seals with a BatchSigner: concurrent messages share one signature. Thread-safe.
class BatchSealer final : public MessageSealer {
 public:
  explicit BatchSealer(evidence::BatchSigner& signer) : signer_(signer) {}
  void Seal(const MessageIdentity& identity, v1::ExchangeMessage& message,
            std::function<void(Status)> done) override;

 private:
  evidence::BatchSigner& signer_;
};

// Fills in message.evidence (identity, and digests of message.headers and message.body) and has
// `signer` sign it; blocks until the batch holding it is signed. Errors: the signer's, typed as
// InternalError of `prefix`'s side.
Status SealMessage(const MessageIdentity& identity, evidence::BatchSigner& signer,
                   std::string_view prefix, v1::ExchangeMessage& message);

// Checks a received message: its evidence describes its headers and body, and member `signer`
// signed that evidence with a certificate valid at the signing time, chaining to an approved CA,
// not revoked (evidence::VerifyMessageSignature), through `cache` (for the configuration of
// `view`). Errors: InvalidSignatureValue of `prefix`'s side, saying what did not hold.
Status VerifySeal(const v1::ExchangeMessage& message, const ids::MemberId& signer,
                  const globalconf::ConfigurationView& view, evidence::VerificationCache& cache,
                  std::string_view prefix);

}  // namespace truc::gateway
