#include "registry/configuration_publisher.h"

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>

#include "core/globalconf/signed_configuration.h"

namespace truc::registry {

ConfigurationPublisher::ConfigurationPublisher(std::unique_ptr<crypto::Signer> signer,
                                               std::vector<crypto::Certificate> signer_chain)
    : signer_(std::move(signer)),
      signer_chain_(std::move(signer_chain)),
      current_(std::make_shared<const Snapshot>()) {}

Status ConfigurationPublisher::Publish(const v1::GlobalConfiguration& configuration) {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->version = configuration.version();
  TRUC_ASSIGN_OR_RETURN(snapshot->signed_bytes,
                        globalconf::SignConfiguration(configuration, *signer_, signer_chain_));
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(configuration, &snapshot->json, options).ok()) {
    return InternalError("cannot render the configuration as JSON", "registry.internal");
  }
  snapshot->etag = fmt::format("\"v{}\"", snapshot->version);
  std::lock_guard lock(mu_);
  if (snapshot->version > current_->version) current_ = std::move(snapshot);
  return OkStatus();
}

std::shared_ptr<const ConfigurationPublisher::Snapshot> ConfigurationPublisher::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

std::string ConfigurationPublisher::signed_bytes() const { return Current()->signed_bytes; }

uint64_t ConfigurationPublisher::version() const { return Current()->version; }

net::HttpHandler ConfigurationPublisher::Handler() {
  return [this](net::HttpRequest request, net::HttpResponder respond) {
    const std::shared_ptr<const Snapshot> snapshot = Current();
    const std::string path = request.target.substr(0, request.target.find('?'));
    if (request.method != "GET") {
      net::HttpResponse response = net::MakeResponse(405, "text/plain", "only GET\n");
      response.headers.Set("Allow", "GET");
      return respond(std::move(response));
    }
    if (snapshot->version == 0) {
      return respond(net::MakeResponse(503, "text/plain", "no configuration published yet\n"));
    }
    if (path == "/healthz") return respond(net::MakeResponse(200, "text/plain", "ok\n"));
    net::HttpResponse response;
    if (path == "/globalconf") {
      if (request.headers.Get("If-None-Match") == snapshot->etag) {
        response.status = 304;
      } else {
        response = net::MakeResponse(200, "application/x-protobuf", snapshot->signed_bytes);
      }
    } else if (path == "/globalconf.json") {
      response = net::MakeResponse(200, "application/json", snapshot->json);
    } else {
      return respond(net::MakeResponse(404, "text/plain", "not found\n"));
    }
    response.headers.Set("ETag", snapshot->etag);
    response.headers.Set("Cache-Control", "no-cache");
    respond(std::move(response));
  };
}

}  // namespace truc::registry
