// Evidence bundles: the proof of one exchange as a gateway logged it, written as a directory of
// plain files that a third party can check with bash, openssl and cmp alone, and that
// VerifyBundle checks in full (docs/auditor-guide.md, "Proving an exchange to a court").
//
// Layout of a bundle directory:
//
//   evidence.pb               the v1::ExchangeEvidence every other file is derived from
//   README.txt                what the exchange was, what the files are, how to check them
//   verify-with-openssl.sh    the checks; run as `bash verify-with-openssl.sh ROOT-CA.pem`
//   configuration.signed      the federation's signed configuration the gateway held
//   federation-cas.pem        the CAs it approves; federation-tsas.pem: the TSAs it approves
//   tree-head/                the sealed tree head the records are proven against:
//     payload.txt             the signed text (docs/evidence.md, "Tree heads")
//     signature.der  signer.pem  chain.pem  token.tst (RFC 3161 TimeStampToken, DER)
//   records/<sequence>-<kind>/   one per record (request, then response or failure):
//     record.pb               the record exactly as logged: its leaf is SHA-256(0x00 || record.pb)
//     tree-path.txt           its inclusion path to the tree head's root, one step per line:
//                             "L <hex>" (the sibling is on the left) or "R <hex>"
//     for a request or response, the message as its sender signed it:
//     evidence.pb             the signed evidence, found verbatim inside record.pb
//     batch-payload.txt  batch-signature.der  signer.pem  chain.pem  batch-path.txt
//     body                    the message body, when the log kept it
#pragma once

#include <string>
#include <string_view>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/crypto/trust_store.h"
#include "truc/v1/gateway_audit.pb.h"

namespace truc::gateway::audit {

// kDataLoss from VerifyBundle: a file is missing or does not parse, or the evidence does not
// hold together; the message names the file or record.
inline constexpr std::string_view kBadBundle = "audit.bad_bundle";

// Writes the bundle of `evidence` into `dir`, which must not exist yet (it is created). Errors:
// kAlreadyExists; kInvalidArgument when the evidence is malformed; I/O errors naming the file.
Status WriteBundle(const v1::ExchangeEvidence& evidence, const std::string& dir);

// What VerifyBundle established.
struct BundleReport {
  std::string server_id;
  uint64_t head_size = 0;
  TimePoint head_timestamp;  // The tree head token's genTime.
  int records = 0;
};

// Verifies the bundle in `dir` from its evidence.pb, against the federation root CA in
// `anchors`: the signed configuration (at `now`, whatever its period), the tree head (signed by
// the gateway's owner, timestamped by an approved TSA), each record's inclusion in it, and each
// record's own evidence (VerifyRecord). The loose files are not read: they are for openssl.
// Errors: the first failure, naming what failed.
StatusOr<BundleReport> VerifyBundle(const std::string& dir, const crypto::TrustStore& anchors,
                                    TimePoint now);

// The directions of an RFC 9162 inclusion path of leaf `index` in a tree of `size` leaves: for
// each step, whether the sibling is on the left. kInvalidArgument when the path has the wrong
// length.
StatusOr<std::vector<bool>> SiblingIsLeft(uint64_t index, uint64_t size, size_t path_length);

}  // namespace truc::gateway::audit
