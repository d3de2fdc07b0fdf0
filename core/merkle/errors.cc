#include "core/merkle/errors.h"

#include <utility>

namespace truc::merkle {

Status BadHashError(std::string message) {
  return InvalidArgumentError(std::move(message), std::string(kBadHash));
}

Status OutOfRangeError(std::string message) {
  return {StatusCode::kOutOfRange, std::move(message), std::string(kOutOfRange)};
}

Status BadProofError(std::string message) {
  return InvalidArgumentError(std::move(message), std::string(kBadProof));
}

Status RootMismatchError(std::string message) {
  return UnauthenticatedError(std::move(message), std::string(kRootMismatch));
}

Status BadLeafRangeError(std::string message) {
  return DataLossError(std::move(message), std::string(kBadLeafRange));
}

}  // namespace truc::merkle
