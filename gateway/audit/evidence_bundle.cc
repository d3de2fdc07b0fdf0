#include "gateway/audit/evidence_bundle.h"

#include <bit>
#include <filesystem>

#include <fmt/format.h>

#include "core/base/encoding.h"
#include "core/base/file.h"
#include "core/crypto/certificate.h"
#include "core/evidence/message_signing.h"
#include "core/ids/identifiers.h"
#include "core/merkle/hash.h"
#include "core/merkle/verify.h"
#include "gateway/audit/evidence_verifier.h"
#include "gateway/audit/tree_head.h"
#include "proto/timestamp_conversion.h"
#include "truc/v1/global_configuration.pb.h"

namespace truc::gateway::audit {
namespace {

namespace fs = std::filesystem;

Status BadBundle(std::string message) {
  return DataLossError(std::move(message), std::string(kBadBundle));
}

std::string KindName(const v1::AuditRecord& record) {
  switch (record.kind()) {
    case v1::AuditRecord::KIND_REQUEST:
      return "request";
    case v1::AuditRecord::KIND_RESPONSE:
      return "response";
    default:
      return "failure";
  }
}

// The PEM of DER certificates, in order.
StatusOr<std::string> PemOf(const google::protobuf::RepeatedPtrField<std::string>& ders,
                            int skip = 0) {
  std::string pem;
  for (int i = skip; i < ders.size(); ++i) {
    TRUC_ASSIGN_OR_RETURN(const crypto::Certificate cert, crypto::Certificate::FromDer(ders[i]));
    pem += cert.ToPem();
  }
  return pem;
}

// "L <hex>" / "R <hex>" lines of an inclusion path.
StatusOr<std::string> PathFile(uint64_t index, uint64_t size,
                               const google::protobuf::RepeatedPtrField<std::string>& path) {
  TRUC_ASSIGN_OR_RETURN(const std::vector<bool> left, SiblingIsLeft(index, size, path.size()));
  std::string lines;
  for (int i = 0; i < path.size(); ++i) {
    lines += fmt::format("{} {}\n", left[i] ? 'L' : 'R', HexEncode(path[i]));
  }
  return lines;
}

// Writes files into one directory, remembering the first error.
class DirectoryWriter {
 public:
  explicit DirectoryWriter(fs::path dir) : dir_(std::move(dir)) {}
  Status Write(const std::string& name, std::string_view data) {
    return WriteFileAtomically((dir_ / name).string(), data, 0644);
  }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

// The files of one record; adds its checks to `script`.
Status WriteRecord(const v1::ProvenRecord& proven, uint64_t head_size, const fs::path& bundle,
                   std::string& script, std::string& readme) {
  v1::AuditRecord record;
  if (!record.ParseFromString(proven.record().record())) {
    return InvalidArgumentError(
        fmt::format("record {} does not parse", proven.record().sequence()));
  }
  const std::string name = fmt::format("{:06d}-{}", record.sequence(), KindName(record));
  const fs::path dir = bundle / "records" / name;
  fs::create_directories(dir);
  DirectoryWriter files(dir);
  const std::string rel = "records/" + name;
  TRUC_RETURN_IF_ERROR(files.Write("record.pb", proven.record().record()));
  TRUC_ASSIGN_OR_RETURN(const std::string tree_path,
                        PathFile(record.sequence(), head_size, proven.audit_path()));
  TRUC_RETURN_IF_ERROR(files.Write("tree-path.txt", tree_path));
  readme += fmt::format("  {}: record {}, {} {}{}\n", rel, record.sequence(),
                        v1::AuditRecord::Side_Name(record.side()), KindName(record),
                        record.error_type().empty() ? "" : " (" + record.error_type() + ")");
  script += fmt::format(
      "\necho \"== {0}\"\n"
      "[ \"$(fold {0}/record.pb {0}/tree-path.txt)\" = \"$tree_root\" ] "
      "|| fail \"{0}/record.pb is not in the tree head\"\n"
      "echo \"ok: record.pb is record {1} of the log sealed by the tree head\"\n",
      rel, record.sequence());
  if (record.kind() == v1::AuditRecord::KIND_FAILURE) return OkStatus();

  const v1::BatchSignature& signature = record.signature();
  const std::string evidence = evidence::SerializeEvidence(record.evidence());
  const size_t evidence_at = proven.record().record().find(evidence);
  if (evidence_at == std::string::npos) {
    return InvalidArgumentError(
        fmt::format("record {}: its evidence is not stored verbatim", record.sequence()));
  }
  TRUC_RETURN_IF_ERROR(files.Write("evidence.pb", evidence));
  TRUC_RETURN_IF_ERROR(
      files.Write("batch-payload.txt",
                  evidence::BatchRootPayload(signature.merkle_root(),
                                             proto::FromProtoTimestamp(signature.signed_at()))));
  TRUC_RETURN_IF_ERROR(files.Write("batch-signature.der", signature.signature().value()));
  TRUC_ASSIGN_OR_RETURN(const std::string signer, PemOf(signature.certificate_chain()));
  TRUC_ASSIGN_OR_RETURN(const std::string issuers, PemOf(signature.certificate_chain(), 1));
  TRUC_ASSIGN_OR_RETURN(const crypto::Certificate leaf,
                        crypto::Certificate::FromDer(signature.certificate_chain(0)));
  TRUC_RETURN_IF_ERROR(files.Write("signer.pem", leaf.ToPem()));
  TRUC_RETURN_IF_ERROR(files.Write("chain.pem", signer));
  TRUC_ASSIGN_OR_RETURN(const std::string batch_path,
                        PathFile(signature.proof().leaf_index(), signature.proof().tree_size(),
                                 signature.proof().audit_path()));
  TRUC_RETURN_IF_ERROR(files.Write("batch-path.txt", batch_path));
  script += fmt::format(
      "cat {0}/chain.pem federation-cas.pem > {0}/untrusted.pem\n"
      "check \"{0}/signer.pem does not chain to the root CA\" openssl verify -CAfile \"$root\" "
      "-untrusted {0}/untrusted.pem {0}/signer.pem\n"
      "echo \"ok: signed by $(openssl x509 -in {0}/signer.pem -noout -subject -nameopt "
      "oneline,-esc_msb)\"\n"
      "openssl x509 -in {0}/signer.pem -pubkey -noout > {0}/signer.pub\n"
      "check \"{0}: the batch signature does not verify\" openssl dgst -sha256 -verify "
      "{0}/signer.pub -signature {0}/batch-signature.der {0}/batch-payload.txt\n"
      "echo \"ok: the signature over the batch root verifies\"\n"
      "[ \"$(fold {0}/evidence.pb {0}/batch-path.txt)\" = \"$(sed -n 2p {0}/batch-payload.txt)\" ] "
      "|| fail \"{0}/evidence.pb is not in the signed batch\"\n"
      "echo \"ok: evidence.pb is in the signed batch\"\n"
      "cmp -s -n {1} -i 0:{2} {0}/evidence.pb {0}/record.pb "
      "|| fail \"{0}/record.pb does not hold evidence.pb\"\n"
      "echo \"ok: the logged record holds the signed evidence (bytes {2}-{3})\"\n",
      rel, evidence.size(), evidence_at, evidence_at + evidence.size());
  if (record.stored_body_case() == v1::AuditRecord::kBody) {
    const size_t digest_at = evidence.find(record.evidence().digests().body_sha256());
    TRUC_RETURN_IF_ERROR(files.Write("body", record.body()));
    script += fmt::format(
        "openssl dgst -sha256 -binary {0}/body | cmp -s -n 32 -i 0:{1} - {0}/evidence.pb "
        "|| fail \"{0}/body is not the signed body\"\n"
        "echo \"ok: body is the body its sender signed\"\n",
        rel, digest_at);
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::vector<bool>> SiblingIsLeft(uint64_t index, uint64_t size, size_t path_length) {
  if (index >= size) {
    return InvalidArgumentError(fmt::format("leaf {} is not in a tree of {}", index, size));
  }
  std::vector<bool> left;
  uint64_t fn = index;
  uint64_t sn = size - 1;
  for (size_t i = 0; i < path_length; ++i) {
    if (sn == 0) break;
    if ((fn & 1) != 0 || fn == sn) {
      left.push_back(true);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      left.push_back(false);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (left.size() != path_length || sn != 0) {
    return InvalidArgumentError(fmt::format(
        "a path of {} steps does not fit leaf {} of a tree of {}", path_length, index, size));
  }
  return left;
}

Status WriteBundle(const v1::ExchangeEvidence& evidence, const std::string& dir) {
  const fs::path bundle(dir);
  std::error_code error;
  if (!fs::create_directories(bundle, error)) {
    if (error)
      return InvalidArgumentError(fmt::format("cannot create {}: {}", dir, error.message()));
    return AlreadyExistsError(fmt::format("{} exists already; give a new directory", dir));
  }
  fs::create_directories(bundle / "tree-head");
  DirectoryWriter files(bundle);
  TRUC_RETURN_IF_ERROR(files.Write("evidence.pb", evidence.SerializeAsString()));
  TRUC_RETURN_IF_ERROR(files.Write("configuration.signed", evidence.signed_configuration()));

  v1::SignedGlobalConfiguration envelope;
  v1::GlobalConfiguration configuration;
  if (!envelope.ParseFromString(evidence.signed_configuration()) ||
      !configuration.ParseFromString(envelope.configuration())) {
    return InvalidArgumentError("the evidence's signed configuration does not parse");
  }
  TRUC_ASSIGN_OR_RETURN(const std::string cas, PemOf(configuration.approved_cas()));
  TRUC_ASSIGN_OR_RETURN(const std::string tsas, PemOf(configuration.approved_tsas()));
  TRUC_RETURN_IF_ERROR(files.Write("federation-cas.pem", cas));
  TRUC_RETURN_IF_ERROR(files.Write("federation-tsas.pem", tsas));

  const v1::SignedTreeHead& head = evidence.head();
  if (head.certificate_chain().empty()) {
    return InvalidArgumentError("the tree head has no certificate chain");
  }
  DirectoryWriter head_files(bundle / "tree-head");
  TRUC_RETURN_IF_ERROR(head_files.Write(
      "payload.txt", TreeHeadPayload(head.head(), proto::FromProtoTimestamp(head.signed_at()))));
  TRUC_RETURN_IF_ERROR(head_files.Write("signature.der", head.signature().value()));
  TRUC_ASSIGN_OR_RETURN(const crypto::Certificate signer,
                        crypto::Certificate::FromDer(head.certificate_chain(0)));
  TRUC_RETURN_IF_ERROR(head_files.Write("signer.pem", signer.ToPem()));
  TRUC_ASSIGN_OR_RETURN(const std::string chain, PemOf(head.certificate_chain()));
  TRUC_RETURN_IF_ERROR(head_files.Write("chain.pem", chain));
  TRUC_RETURN_IF_ERROR(head_files.Write("token.tst", head.timestamp_token()));

  std::string message_id;
  if (v1::AuditRecord first;
      !evidence.records().empty() && first.ParseFromString(evidence.records(0).record().record())) {
    message_id = first.message_id();
  }
  std::string readme = fmt::format(
      "Evidence of exchange {} as gateway {} logged it.\n\n"
      "The records below are in the gateway's audit log, whose tree head at size {} was signed\n"
      "by the gateway's owner and timestamped by an approved timestamp authority.\n\n"
      "Records:\n",
      message_id, evidence.server_id(), head.head().size());
  std::string script = fmt::format(
      "#!/usr/bin/env bash\n"
      "# Checks this evidence bundle with bash, openssl and cmp only.\n"
      "# Usage: bash verify-with-openssl.sh ROOT-CA.pem [TSA-ROOT-CA.pem]\n"
      "#   ROOT-CA.pem: your own copy of the federation's root CA; TSA-ROOT-CA.pem: the root of\n"
      "#   its timestamp authority, when that is another (an external TSA).\n"
      "set -euo pipefail\n"
      "absolute() {{ echo \"$(cd \"$(dirname \"$1\")\" && pwd)/$(basename \"$1\")\"; }}\n"
      "root=$(absolute \"$1\")\n"
      "tsa_root=$(absolute \"${{2:-$1}}\")\n"
      "cd \"$(dirname \"$0\")\"\n"
      "fail() {{ echo \"FAILED: $*\" >&2; exit 1; }}\n"
      "# check WHAT COMMAND...: runs the command, failing with WHAT and its output.\n"
      "check() {{ local what=$1 out; shift; out=$(\"$@\" 2>&1) || fail \"$what: $out\"; }}\n"
      "hex() {{ printf \"$(printf '%s' \"$1\" | sed 's/../\\\\x&/g')\"; }}\n"
      "sha256() {{ openssl dgst -sha256 -r | cut -c1-64; }}\n"
      "# fold DATA PATH: the root reached from SHA-256(0x00 || DATA) along PATH.\n"
      "fold() {{\n"
      "  local h side sibling\n"
      "  h=$( (printf '\\000'; cat \"$1\") | sha256)\n"
      "  while read -r side sibling; do\n"
      "    if [ \"$side\" = L ]; then h=$( (printf '\\001'; hex \"$sibling\"; hex \"$h\") | "
      "sha256)\n"
      "    else h=$( (printf '\\001'; hex \"$h\"; hex \"$sibling\") | sha256); fi\n"
      "  done < \"$2\"\n"
      "  echo \"$h\"\n"
      "}}\n\n"
      "echo \"== The tree head of gateway {0} at size {1}\"\n"
      "cat tree-head/chain.pem federation-cas.pem > tree-head/untrusted.pem\n"
      "check \"tree-head/signer.pem does not chain to the root CA\" openssl verify -CAfile "
      "\"$root\" "
      "-untrusted tree-head/untrusted.pem tree-head/signer.pem\n"
      "echo \"ok: signed by $(openssl x509 -in tree-head/signer.pem -noout -subject -nameopt "
      "oneline,-esc_msb)\"\n"
      "openssl x509 -in tree-head/signer.pem -pubkey -noout > tree-head/signer.pub\n"
      "check \"the tree head signature does not verify\" openssl dgst -sha256 -verify "
      "tree-head/signer.pub -signature tree-head/signature.der tree-head/payload.txt\n"
      "echo \"ok: the tree head signature verifies\"\n"
      "cat federation-tsas.pem federation-cas.pem > tree-head/tsa-untrusted.pem\n"
      "check \"the timestamp token does not verify\" openssl ts -verify -token_in -in "
      "tree-head/token.tst -data tree-head/payload.txt -CAfile \"$tsa_root\" -untrusted "
      "tree-head/tsa-untrusted.pem\n"
      "echo \"ok: timestamped by an approved TSA at $(openssl ts -reply -token_in -in "
      "tree-head/token.tst -text 2>/dev/null | sed -n 's/^Time stamp: //p')\"\n"
      "tree_root=$(sed -n 3p tree-head/payload.txt)\n",
      evidence.server_id(), head.head().size());
  for (const v1::ProvenRecord& proven : evidence.records()) {
    TRUC_RETURN_IF_ERROR(WriteRecord(proven, head.head().size(), bundle, script, readme));
  }
  script += "\necho \"All checks passed.\"\n";
  readme += fmt::format(
      "\nTo check it without Trục: bash verify-with-openssl.sh ROOT-CA.pem [TSA-ROOT-CA.pem]\n"
      "With Trục: truc audit verify-bundle --bundle {} --anchor ROOT-CA.pem\n"
      "The layout and the meaning of each check: docs/auditor-guide.md.\n",
      dir);
  TRUC_RETURN_IF_ERROR(files.Write("verify-with-openssl.sh", script));
  return files.Write("README.txt", readme);
}

StatusOr<BundleReport> VerifyBundle(const std::string& dir, const crypto::TrustStore& anchors,
                                    TimePoint now) {
  const std::string file = (fs::path(dir) / "evidence.pb").string();
  TRUC_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(file));
  v1::ExchangeEvidence evidence;
  if (!evidence.ParseFromString(bytes)) return BadBundle(file + " does not parse");
  TRUC_ASSIGN_OR_RETURN(const AuditTrust trust,
                        TrustFromConfiguration(evidence.signed_configuration(), anchors, now));
  StatusOr<ids::ServerId> server = ids::ServerId::Parse(evidence.server_id());
  if (!server.ok()) return BadBundle("the bundle's server id: " + server.status().message());
  StatusOr<TimePoint> timestamped =
      VerifySignedTreeHead(evidence.head(), server->owner(), trust.cas, trust.tsas);
  if (!timestamped.ok()) return timestamped.status().Annotate("the tree head");
  if (evidence.records().empty()) return BadBundle("the bundle holds no record");
  for (const v1::ProvenRecord& proven : evidence.records()) {
    const uint64_t sequence = proven.record().sequence();
    const std::vector<std::string> path(proven.audit_path().begin(), proven.audit_path().end());
    const Status included = merkle::VerifyInclusion(merkle::HashLeaf(proven.record().record()),
                                                    sequence, evidence.head().head().size(), path,
                                                    evidence.head().head().root_hash());
    if (!included.ok()) {
      return included.Annotate(fmt::format("record {} is not in the tree head", sequence));
    }
    v1::AuditRecord record;
    if (!record.ParseFromString(proven.record().record()) || record.sequence() != sequence) {
      return BadBundle(fmt::format("record {} does not parse or holds another position", sequence));
    }
    TRUC_RETURN_IF_ERROR(
        VerifyRecord(record, trust.cas).Annotate(fmt::format("record {}", sequence)));
  }
  return BundleReport{.server_id = evidence.server_id(),
                      .head_size = evidence.head().head().size(),
                      .head_timestamp = *timestamped,
                      .records = evidence.records_size()};
}

}  // namespace truc::gateway::audit
