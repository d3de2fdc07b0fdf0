#include "cli/verify_checkpoint.h"

#include <filesystem>

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>
#include <nlohmann/json.hpp>

#include "core/base/encoding.h"
#include "core/base/file.h"
#include "core/base/strings.h"
#include "proto/timestamp_conversion.h"

namespace truc::cli {
namespace {

constexpr std::string_view kBadCheckpoint = "cli.bad_checkpoint";

}  // namespace

StatusOr<std::optional<VerifyCheckpoint>> ReadVerifyCheckpoint(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::optional<VerifyCheckpoint>();
  TRUC_ASSIGN_OR_RETURN(const std::string text, ReadFile(path));
  const auto bad = [&](std::string_view what) {
    return InvalidArgumentError(
        fmt::format("the checkpoint {} is not one `truc audit verify` wrote: {}", path, what),
        std::string(kBadCheckpoint));
  };
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return bad("not a JSON object");
  VerifyCheckpoint checkpoint;
  const auto field = [&](const char* name) -> const nlohmann::json* {
    const auto found = json.find(name);
    return found == json.end() ? nullptr : &*found;
  };
  const nlohmann::json* server_id = field("server_id");
  if (server_id == nullptr || !server_id->is_string() || server_id->get<std::string>().empty()) {
    return bad("server_id: missing or not a string");
  }
  checkpoint.server_id = server_id->get<std::string>();
  const nlohmann::json* size = field("size");
  if (size == nullptr || !size->is_number_unsigned()) return bad("size: missing or not a count");
  checkpoint.size = size->get<uint64_t>();
  const nlohmann::json* root = field("root");
  if (root == nullptr || !root->is_string()) return bad("root: missing or not a string");
  const StatusOr<std::string> root_bytes = HexDecode(root->get<std::string>());
  if (!root_bytes.ok() || root_bytes->size() != 32) return bad("root: not 64 hex digits");
  checkpoint.root = *root_bytes;
  const nlohmann::json* verified_at = field("verified_at");
  google::protobuf::Timestamp timestamp;
  if (verified_at == nullptr || !verified_at->is_string() ||
      !google::protobuf::util::TimeUtil::FromString(verified_at->get<std::string>(), &timestamp)) {
    return bad("verified_at: missing or not an RFC 3339 time");
  }
  checkpoint.verified_at = proto::FromProtoTimestamp(timestamp);
  const nlohmann::json* version = field("configuration_version");
  if (version != nullptr) {
    if (!version->is_number_unsigned()) return bad("configuration_version: not a count");
    checkpoint.configuration_version = version->get<uint64_t>();
  }
  return std::optional(std::move(checkpoint));
}

Status WriteVerifyCheckpoint(const std::string& path, const VerifyCheckpoint& checkpoint) {
  const nlohmann::json json = {{"server_id", checkpoint.server_id},
                               {"size", checkpoint.size},
                               {"root", HexEncode(checkpoint.root)},
                               {"verified_at", FormatRfc3339(checkpoint.verified_at)},
                               {"configuration_version", checkpoint.configuration_version}};
  return WriteFileAtomically(path, json.dump(2) + "\n", 0644);
}

}  // namespace truc::cli
