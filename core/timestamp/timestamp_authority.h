// An RFC 3161 timestamp authority on OpenSSL's TS API: turns DER TimeStampReq into DER
// TimeStampResp.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/timestamp/serial_counter.h"

namespace truc::timestamp {

struct TsaOptions {
  // The TSA policy under which tokens are issued (RFC 3161 section 2.4.2), e.g. "1.2.3.4.1".
  // Required: it names the practice statement auditors rely on.
  std::string policy_oid;
  // Accuracy of genTime claimed in every token.
  int accuracy_seconds = 1;
  int accuracy_millis = 0;
  int accuracy_micros = 0;
  // Digits of fractional seconds in genTime (0 to 6).
  int clock_precision_digits = 3;
};

// Thread-safe: requests are answered concurrently; each builds its own OpenSSL context.
class TimestampAuthority {
 public:
  // `chain` is the TSA's certificate first, then its issuers (sent to clients that ask for
  // certificates). The TSA certificate must carry a critical timeStamping extendedKeyUsage and
  // match `key`. `clock` must outlive the authority.
  static StatusOr<std::unique_ptr<TimestampAuthority>> Create(
      TsaOptions options, crypto::PrivateKey key, std::vector<crypto::Certificate> chain,
      std::unique_ptr<SerialCounter> serials, const Clock& clock);

  ~TimestampAuthority();

  // Answers one DER-encoded TimeStampReq with a DER TimeStampResp: a granted token, or a
  // rejection whose status says why (malformed request, unsupported digest algorithm, unknown
  // policy, no serial number available). An error Status only if no response can be built at
  // all.
  StatusOr<std::string> Respond(std::string_view query_der) const;

  const crypto::Certificate& certificate() const { return chain_.front(); }

 private:
  struct Native;
  TimestampAuthority(TsaOptions options, crypto::PrivateKey key,
                     std::vector<crypto::Certificate> chain, std::unique_ptr<SerialCounter> serials,
                     const Clock& clock, std::unique_ptr<Native> native);

  const TsaOptions options_;
  const crypto::PrivateKey key_;
  const std::vector<crypto::Certificate> chain_;
  const std::unique_ptr<SerialCounter> serials_;
  const Clock& clock_;
  const std::unique_ptr<Native> native_;
};

}  // namespace truc::timestamp
