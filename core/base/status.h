// Error handling for expected failures: Status and StatusOr<T>, used everywhere in Trục.
//
// Modelled on absl::Status/StatusOr, with codes that map 1:1 onto gRPC's. We keep our own small
// type because Debian's abseil is built with its own absl::string_view rather than
// std::string_view, which makes absl's string-taking APIs fight C++20 code at every call.
//
// Besides its code and human-readable message, a Status may carry a machine-readable *reason*: a
// short dotted string such as "crypto.signature_mismatch" that lets callers (and tests) tell
// failures apart without parsing messages, and lets the gateway map them onto X-Road error types.
//
// No exception crosses a module boundary. Calling value() on a StatusOr that holds an error is a
// programming error and aborts the process.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace truc {

// The gRPC status codes, with the same numeric values.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// "INVALID_ARGUMENT", "NOT_FOUND", ... as gRPC spells them.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // OK.
  Status() = default;
  // `code` must not be kOk; an OK code yields an internal error that says so.
  Status(StatusCode code, std::string message, std::string reason = {});

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The machine-readable reason, or "" when none was given.
  const std::string& reason() const { return reason_; }

  // "INVALID_ARGUMENT: message" (and " [reason]" when there is one); "OK" for OK.
  std::string ToString() const;

  // A copy whose message is prefixed with `context` ("context: message"); code and reason are
  // kept. OK stays OK.
  Status Annotate(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string reason_;
};

inline Status OkStatus() { return Status(); }

// Shorthands for the codes Trục uses most.
Status InvalidArgumentError(std::string message, std::string reason = {});
Status NotFoundError(std::string message, std::string reason = {});
Status AlreadyExistsError(std::string message, std::string reason = {});
Status PermissionDeniedError(std::string message, std::string reason = {});
Status FailedPreconditionError(std::string message, std::string reason = {});
Status UnauthenticatedError(std::string message, std::string reason = {});
Status UnavailableError(std::string message, std::string reason = {});
Status DataLossError(std::string message, std::string reason = {});
Status InternalError(std::string message, std::string reason = {});

namespace internal {
[[noreturn]] void DieOnBadStatusOrAccess(const Status& status);
}  // namespace internal

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  // Holds `status`, which must not be OK (an OK status becomes an internal error).
  StatusOr(Status status)  // NOLINT(google-explicit-constructor): as absl::StatusOr.
      : state_(status.ok() ? Status(StatusCode::kInternal, "OK status given to StatusOr")
                           : std::move(status)) {}

  // Holds a value built from `value`.
  template <typename U = T>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Status> &&
           !std::is_same_v<std::decay_t<U>, StatusOr>)
      StatusOr(U&& value)  // NOLINT(google-explicit-constructor): as absl::StatusOr.
      : state_(std::in_place_index<1>, std::forward<U>(value)) {}

  bool ok() const { return state_.index() == 1; }

  // OK when a value is held.
  Status status() const& { return ok() ? Status() : std::get<0>(state_); }
  Status status() && { return ok() ? Status() : std::get<0>(std::move(state_)); }

  const T& value() const& {
    CheckOk();
    return std::get<1>(state_);
  }
  T& value() & {
    CheckOk();
    return std::get<1>(state_);
  }
  T&& value() && {
    CheckOk();
    return std::get<1>(std::move(state_));
  }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? std::get<1>(state_) : static_cast<T>(std::forward<U>(fallback));
  }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  void CheckOk() const {
    if (!ok()) internal::DieOnBadStatusOrAccess(std::get<0>(state_));
  }

  std::variant<Status, T> state_;
};

}  // namespace truc

#define TRUC_STATUS_CONCAT_INNER_(a, b) a##b
#define TRUC_STATUS_CONCAT_(a, b) TRUC_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (a Status) and returns it from the enclosing function if it is not OK.
#define TRUC_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::truc::Status truc_status_ = (expr);        \
    if (!truc_status_.ok()) return truc_status_; \
  } while (false)

// Evaluates `rexpr` (a StatusOr<T>); on error returns its status, otherwise moves the value into
// `lhs`, which may be a declaration: TRUC_ASSIGN_OR_RETURN(auto key, PrivateKey::FromPem(pem));
#define TRUC_ASSIGN_OR_RETURN(lhs, rexpr) \
  TRUC_ASSIGN_OR_RETURN_IMPL_(TRUC_STATUS_CONCAT_(truc_statusor_, __LINE__), lhs, rexpr)

#define TRUC_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)  \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()
