// What the clients of Trục's admin APIs (`truc registry`, `truc gateway`) share: the options that
// say where and how to connect, a mutual-TLS gRPC channel, unary calls with a deadline whose
// failures are worded for people, and the registration of commands that use them.
#pragma once

#include <chrono>
#include <memory>
#include <ostream>
#include <string>

#include "cli/command.h"
#include <grpcpp/grpcpp.h>

#include "core/base/status.h"

namespace truc::cli {

// The deadline of every call to an admin API, connecting included.
inline constexpr std::chrono::seconds kAdminCallDeadline{10};

// The options of an admin API's parent command (`truc registry`, `truc gateway`).
struct ConnectionOptions {
  std::string peer;     // What is administered, "registry" or "gateway": the option naming its
                        // address and the word used in messages.
  std::string address;  // HOST:PORT
  std::string cert;     // Our certificate chain (PEM, leaf first).
  std::string key;      // Its private key (PEM, mode 0600).
  std::string ca;       // The CAs trusted to have issued the peer's server certificate.
};

// A unary method of an admin API, as the generated stub declares it.
template <typename Stub, typename Request, typename Response>
using AdminMethod = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Response*);

// A mutual-TLS channel to an admin API: the part of AdminClient that does not depend on the
// service. Movable; not thread-safe (the CLI makes one call at a time).
class AdminChannel {
 public:
  // Loads the TLS files named by `options` (a key readable by others is refused) and makes a
  // channel to options.address, which connects on the first call. Errors: kInvalidArgument for a
  // missing option or an address that is not HOST:PORT; those of reading the TLS files.
  static StatusOr<AdminChannel> Open(const ConnectionOptions& options);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // The error a failed call reports: kUnavailable "cannot reach the PEER at HOST:PORT: ..." when
  // no connection could be made (refused, TLS handshake failed, timed out); otherwise the
  // server's status as rpc::FromGrpcStatus gives it, message unchanged (or, when it has none,
  // naming its code).
  Status CallFailure(const grpc::Status& status) const;

 private:
  AdminChannel(std::string peer, std::string address, std::shared_ptr<grpc::Channel> channel)
      : peer_(std::move(peer)), address_(std::move(address)), channel_(std::move(channel)) {}

  std::string peer_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A client of the admin API whose generated stub is `Stub` (v1::RegistryAdmin::Stub, ...).
template <typename Stub>
class AdminClient {
 public:
  // As AdminChannel::Open.
  static StatusOr<AdminClient> Open(const ConnectionOptions& options) {
    TRUC_ASSIGN_OR_RETURN(AdminChannel channel, AdminChannel::Open(options));
    return AdminClient(std::move(channel));
  }

  // Calls `method` with `request`, with a deadline of kAdminCallDeadline. Errors as
  // AdminChannel::CallFailure.
  template <typename Request, typename Response>
  StatusOr<Response> Call(AdminMethod<Stub, Request, Response> method,
                          const Request& request) const {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kAdminCallDeadline);
    Response response;
    const grpc::Status status = (stub_.get()->*method)(&context, request, &response);
    if (status.ok()) return response;
    return channel_.CallFailure(status);
  }

  // For the calls Call does not make (streaming ones).
  const AdminChannel& channel() const { return channel_; }
  Stub& stub() const { return *stub_; }

 private:
  explicit AdminClient(AdminChannel channel)
      : channel_(std::move(channel)), stub_(std::make_unique<Stub>(channel_.channel())) {}

  AdminChannel channel_;
  std::unique_ptr<Stub> stub_;
};

// Prints `describe(*response)` and a newline when `response` holds a value; otherwise returns its
// error unchanged.
template <typename Response, typename Describe>
Status Report(const StatusOr<Response>& response, const Describe& describe, std::ostream& out) {
  if (!response.ok()) return response.status();
  out << describe(*response) << "\n";
  return OkStatus();
}

// Opens the admin API, makes one call and reports it as Report does.
template <typename Stub, typename Request, typename Response, typename Describe>
Status CallAndReport(const ConnectionOptions& connection,
                     AdminMethod<Stub, Request, Response> method, const Request& request,
                     const Describe& describe, std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(AdminClient<Stub> client, AdminClient<Stub>::Open(connection));
  return Report(client.Call(method, request), describe, out);
}

// What every command of one admin API is registered with.
struct AdminCommandContext {
  CLI::App* api;  // The parent command, `truc registry` or `truc gateway`.
  std::shared_ptr<const ConnectionOptions> connection;
  const Output& output;
  Status* result;
};

// Adds `truc <peer>`, the parent of the commands of `peer`'s admin API, with the options every
// one of them takes, which may come before or after the subcommand:
//   --<peer> HOST:PORT  where the admin API listens (required; the channel targets exactly this,
//                       so the server certificate must name HOST)
//   --cert FILE, --key FILE, --ca FILE  as in ConnectionOptions.
// `output` must outlive `app`.
AdminCommandContext AddAdminApi(CLI::App& app, const std::string& peer,
                                const std::string& description, const Output& output,
                                Status* result);

// Registers `<parent> <name>`, which runs `run` on `options` and the connection options; the
// callback keeps both alive.
template <typename Options>
CLI::App* AddAdminCommand(CLI::App& parent, const std::string& name, const std::string& description,
                          Status (*run)(const Options&, const ConnectionOptions&, std::ostream&),
                          const std::shared_ptr<Options>& options,
                          const AdminCommandContext& context) {
  return AddCommand(
      parent, name, description,
      [run, options, connection = context.connection, &out = context.output.out] {
        return run(*options, *connection, out);
      },
      context.result);
}

}  // namespace truc::cli
