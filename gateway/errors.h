// The failures of an exchange, typed as X-Road types them.
//
// Every failure the gateways raise is a truc::Status whose reason is its X-Road type:
// "Client.*" when the caller broke the protocol, "Server.ClientProxy.*" when the consumer's gateway
// failed, "Server.ServerProxy.*" when the provider's gateway did. The REST interface renders the
// type in the r1 error format (X-Road-Error header, JSON or XML body); the gRPC API sends it as the
// status reason in the details. Errors of a provider's backend are not failures: they pass through
// unchanged as responses.
#pragma once

#include <string>
#include <string_view>

#include "core/base/status.h"

namespace truc::gateway {

// Where a type's prefix says the failure happened.
inline constexpr std::string_view kClientPrefix = "Client.";
inline constexpr std::string_view kClientProxyPrefix = "Server.ClientProxy.";
inline constexpr std::string_view kServerProxyPrefix = "Server.ServerProxy.";

// The codes after the prefix (X-Road's spelling).
namespace error_code {
inline constexpr std::string_view kBadRequest = "BadRequest";
inline constexpr std::string_view kInvalidClientIdentifier = "InvalidClientIdentifier";
inline constexpr std::string_view kInvalidServiceIdentifier = "InvalidServiceIdentifier";
inline constexpr std::string_view kInvalidRequest = "InvalidRequest";
inline constexpr std::string_view kUnknownMember = "UnknownMember";
inline constexpr std::string_view kUnknownService = "UnknownService";
inline constexpr std::string_view kAccessDenied = "AccessDenied";
inline constexpr std::string_view kServiceDisabled = "ServiceDisabled";
inline constexpr std::string_view kServiceType = "ServiceType";
inline constexpr std::string_view kNetworkError = "NetworkError";
inline constexpr std::string_view kServiceFailed = "ServiceFailed";
inline constexpr std::string_view kTimeout = "Timeout";
inline constexpr std::string_view kOutdatedGlobalConf = "OutdatedGlobalConf";
inline constexpr std::string_view kSslAuthenticationFailed = "SslAuthenticationFailed";
inline constexpr std::string_view kInvalidSignatureValue = "InvalidSignatureValue";
inline constexpr std::string_view kDuplicateMessageId = "DuplicateMessageId";
inline constexpr std::string_view kTooManyRequests = "TooManyRequests";
inline constexpr std::string_view kRequestTooLarge = "RequestTooLarge";
inline constexpr std::string_view kLoggingFailed = "LoggingFailed";
inline constexpr std::string_view kInternalError = "InternalError";
}  // namespace error_code

// "Client." + code.
Status ClientError(std::string_view code, std::string message);
// "Server.ClientProxy." + code: raised by the consumer's gateway.
Status ClientProxyError(std::string_view code, std::string message);
// "Server.ServerProxy." + code: raised by the provider's gateway.
Status ServerProxyError(std::string_view code, std::string message);
// `prefix` (kClientProxyPrefix or kServerProxyPrefix) + code: for code shared by both sides.
Status ProxyError(std::string_view prefix, std::string_view code, std::string message);

// True if `reason` is an X-Road error type (starts with "Client." or "Server.").
bool IsErrorType(std::string_view reason);

// The X-Road type of `status` (not OK): its reason when that is already a type; otherwise the
// failure is re-typed under `prefix` (kClientProxyPrefix or kServerProxyPrefix) by its code:
// deadline -> Timeout, unavailable -> NetworkError, anything else -> InternalError.
std::string ErrorTypeOf(const Status& status, std::string_view prefix);

// `status` as an exchange failure raised under `prefix`: unchanged when its reason is already a
// type, otherwise with the type ErrorTypeOf gives it.
Status AsExchangeError(const Status& status, std::string_view prefix);

// 400 for "Client.*" types, 500 for every other, as the r1 protocol answers them.
int HttpStatusForErrorType(std::string_view type);

}  // namespace truc::gateway
