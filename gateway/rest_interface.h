// The HTTP interface through which the agency's information systems call services, compatible
// with the X-Road message protocol for REST (r1) and its metaservices, so that a system written
// for X-Road works unchanged (../shared/reference/xroad-rest-profile.md is the contract).
#pragma once

#include "core/base/worker_pool.h"
#include "core/globalconf/configuration_client.h"
#include "core/net/http_server.h"
#include "gateway/exchange/consumer_proxy.h"
#include "gateway/limits/concurrency_limit.h"
#include "gateway/local_clients.h"
#include "gateway/rest/rest_request.h"

namespace truc::gateway {

// Thread-safe. References must outlive it; the worker pool must be shut down before it goes.
class RestInterface {
 public:
  RestInterface(ConsumerProxy& consumer, const LocalClients& clients,
                globalconf::ConfigurationClient& configuration, WorkerPool& workers,
                limits::ConcurrencyLimit& concurrency);

  // The net::HttpHandler: parses and authenticates on the I/O thread, then queues the call on the
  // worker pool, which responds. Every failure is answered in the r1 error format.
  void Handle(net::HttpRequest request, net::HttpResponder respond);

  // The service request a parsed REST request (not listClients) stands for; metaservice calls
  // go to the provider like any other. Its fields are checked later, by ConsumerProxy::Call.
  static ServiceRequest ToServiceRequest(rest::RestRequest parsed, const net::HttpRequest& request);

 private:
  net::HttpResponse ListClients(const rest::ListClients& list,
                                const net::HttpHeaders& request_headers) const;

  ConsumerProxy& consumer_;
  const LocalClients& clients_;
  globalconf::ConfigurationClient& configuration_;
  WorkerPool& workers_;
  limits::ConcurrencyLimit& concurrency_;
};

}  // namespace truc::gateway
