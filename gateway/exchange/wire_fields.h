// The names of the pseudo-fields and X-Road fields that head a message between gateways (see
// proto/truc/v1/gateway_exchange.proto). Header-only, so that the audit log reads them without
// linking the exchange library.
#pragma once

#include <string_view>

namespace truc::gateway::wire_field {

inline constexpr std::string_view kMethod = ":method";
inline constexpr std::string_view kPath = ":path";
inline constexpr std::string_view kStatus = ":status";
inline constexpr std::string_view kMessageId = "x-road-id";
inline constexpr std::string_view kUserId = "x-road-userid";
inline constexpr std::string_view kIssue = "x-road-issue";
inline constexpr std::string_view kRepresentedParty = "x-road-represented-party";

}  // namespace truc::gateway::wire_field
