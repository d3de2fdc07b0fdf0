#include "gateway/errors.h"

#include <fmt/format.h>

namespace truc::gateway {
namespace {

// The status code that best describes a failure of this X-Road code to gRPC callers.
StatusCode CodeFor(std::string_view prefix, std::string_view code) {
  namespace ec = error_code;
  if (prefix == kClientPrefix || code == ec::kInvalidRequest) return StatusCode::kInvalidArgument;
  if (code == ec::kUnknownMember || code == ec::kUnknownService) return StatusCode::kNotFound;
  if (code == ec::kAccessDenied) return StatusCode::kPermissionDenied;
  if (code == ec::kSslAuthenticationFailed || code == ec::kInvalidSignatureValue) {
    return StatusCode::kUnauthenticated;
  }
  if (code == ec::kServiceDisabled || code == ec::kServiceType || code == ec::kOutdatedGlobalConf) {
    return StatusCode::kFailedPrecondition;
  }
  if (code == ec::kDuplicateMessageId) return StatusCode::kAlreadyExists;
  if (code == ec::kTooManyRequests || code == ec::kRequestTooLarge) {
    return StatusCode::kResourceExhausted;
  }
  if (code == ec::kTimeout) return StatusCode::kDeadlineExceeded;
  if (code == ec::kNetworkError || code == ec::kServiceFailed || code == ec::kLoggingFailed) {
    return StatusCode::kUnavailable;
  }
  return StatusCode::kInternal;
}

Status MakeError(std::string_view prefix, std::string_view code, std::string message) {
  return Status(CodeFor(prefix, code), std::move(message), fmt::format("{}{}", prefix, code));
}

}  // namespace

Status ClientError(std::string_view code, std::string message) {
  return MakeError(kClientPrefix, code, std::move(message));
}

Status ClientProxyError(std::string_view code, std::string message) {
  return MakeError(kClientProxyPrefix, code, std::move(message));
}

Status ServerProxyError(std::string_view code, std::string message) {
  return MakeError(kServerProxyPrefix, code, std::move(message));
}

Status ProxyError(std::string_view prefix, std::string_view code, std::string message) {
  return MakeError(prefix, code, std::move(message));
}

bool IsErrorType(std::string_view reason) {
  return reason.starts_with(kClientPrefix) || reason.starts_with("Server.");
}

std::string ErrorTypeOf(const Status& status, std::string_view prefix) {
  if (IsErrorType(status.reason())) return status.reason();
  std::string_view code = error_code::kInternalError;
  if (status.code() == StatusCode::kDeadlineExceeded) code = error_code::kTimeout;
  if (status.code() == StatusCode::kUnavailable) code = error_code::kNetworkError;
  return fmt::format("{}{}", prefix, code);
}

Status AsExchangeError(const Status& status, std::string_view prefix) {
  if (status.ok() || IsErrorType(status.reason())) return status;
  return Status(status.code(), status.message(), ErrorTypeOf(status, prefix));
}

int HttpStatusForErrorType(std::string_view type) {
  return type.starts_with(kClientPrefix) ? 400 : 500;
}

}  // namespace truc::gateway
