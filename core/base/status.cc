#include "core/base/status.h"

#include <cstdio>
#include <cstdlib>

namespace truc {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kCancelled:
      return "CANCELLED";
    case StatusCode::kUnknown:
      return "UNKNOWN";
    case StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case StatusCode::kAborted:
      return "ABORTED";
    case StatusCode::kOutOfRange:
      return "OUT_OF_RANGE";
    case StatusCode::kUnimplemented:
      return "UNIMPLEMENTED";
    case StatusCode::kInternal:
      return "INTERNAL";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kDataLoss:
      return "DATA_LOSS";
    case StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
  }
  return "UNKNOWN";
}

Status::Status(StatusCode code, std::string message, std::string reason)
    : code_(code), message_(std::move(message)), reason_(std::move(reason)) {
  if (code_ == StatusCode::kOk) {
    code_ = StatusCode::kInternal;
    message_ = "error status built with code OK: " + message_;
  }
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out = std::string(StatusCodeName(code_)) + ": " + message_;
  if (!reason_.empty()) out += " [" + reason_ + "]";
  return out;
}

Status Status::Annotate(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, std::string(context) + ": " + message_, reason_);
}

Status InvalidArgumentError(std::string message, std::string reason) {
  return Status(StatusCode::kInvalidArgument, std::move(message), std::move(reason));
}
Status NotFoundError(std::string message, std::string reason) {
  return Status(StatusCode::kNotFound, std::move(message), std::move(reason));
}
Status AlreadyExistsError(std::string message, std::string reason) {
  return Status(StatusCode::kAlreadyExists, std::move(message), std::move(reason));
}
Status PermissionDeniedError(std::string message, std::string reason) {
  return Status(StatusCode::kPermissionDenied, std::move(message), std::move(reason));
}
Status FailedPreconditionError(std::string message, std::string reason) {
  return Status(StatusCode::kFailedPrecondition, std::move(message), std::move(reason));
}
Status UnauthenticatedError(std::string message, std::string reason) {
  return Status(StatusCode::kUnauthenticated, std::move(message), std::move(reason));
}
Status UnavailableError(std::string message, std::string reason) {
  return Status(StatusCode::kUnavailable, std::move(message), std::move(reason));
}
Status DataLossError(std::string message, std::string reason) {
  return Status(StatusCode::kDataLoss, std::move(message), std::move(reason));
}
Status InternalError(std::string message, std::string reason) {
  return Status(StatusCode::kInternal, std::move(message), std::move(reason));
}

namespace internal {

void DieOnBadStatusOrAccess(const Status& status) {
  std::fprintf(stderr, "value() called on a StatusOr holding an error: %s\n",
               status.ToString().c_str());
  std::abort();
}

}  // namespace internal
}  // namespace truc
