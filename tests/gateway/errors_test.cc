#include "gateway/errors.h"

#include <catch2/catch.hpp>

namespace truc::gateway {
namespace {

TEST_CASE("Exchange errors carry their X-Road type as the reason") {
  Status denied = ServerProxyError(error_code::kAccessDenied, "no grant");
  CHECK(denied.reason() == "Server.ServerProxy.AccessDenied");
  CHECK(denied.code() == StatusCode::kPermissionDenied);
  CHECK(ClientError(error_code::kBadRequest, "x").code() == StatusCode::kInvalidArgument);
  CHECK(ClientProxyError(error_code::kNetworkError, "x").code() == StatusCode::kUnavailable);
}

TEST_CASE("Untyped failures are typed by the side that saw them") {
  CHECK(ErrorTypeOf(Status(StatusCode::kDeadlineExceeded, "slow"), kClientProxyPrefix) ==
        "Server.ClientProxy.Timeout");
  CHECK(ErrorTypeOf(Status(StatusCode::kUnavailable, "down"), kServerProxyPrefix) ==
        "Server.ServerProxy.NetworkError");
  CHECK(ErrorTypeOf(InvalidArgumentError("bad", "crypto.x"), kServerProxyPrefix) ==
        "Server.ServerProxy.InternalError");
  Status typed = ClientError(error_code::kInvalidClientIdentifier, "missing");
  CHECK(AsExchangeError(typed, kServerProxyPrefix).reason() == "Client.InvalidClientIdentifier");
}

TEST_CASE("Client types answer 400 and server types 500") {
  CHECK(HttpStatusForErrorType("Client.BadRequest") == 400);
  CHECK(HttpStatusForErrorType("Server.ServerProxy.AccessDenied") == 500);
}

}  // namespace
}  // namespace truc::gateway
