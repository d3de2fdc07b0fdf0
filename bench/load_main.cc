// A load generator for the gateway's native gRPC service API (ServiceGateway.Call), for the
// benchmark suite (bench/run.sh), where wrk drives the HTTP scenarios.
//
// Closed loop (the default): --connections callers, each on its own HTTP/2 connection, each
// making its next call as soon as the last one answers, for --duration seconds.
// Open loop (--rate R): calls start on a fixed schedule of R per second, spread over the
// connections, whether or not earlier ones have answered; a call's latency counts from when the
// schedule said it should start, so that a stalled server cannot hide its backlog (coordinated
// omission). Calls still outstanding at the end count as errors ("unanswered").
//
// Prints one line for people on stderr and one JSON object on stdout:
//   {"label":..,"connections":..,"rate":..,"seconds":..,"requests":..,"errors":..,
//    "error_kinds":{..},"rps":..,"latency_ms":{"p50":..,"p90":..,"p99":..,"max":..}}
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "core/ids/id_proto.h"
#include "core/ids/identifiers.h"
#include "truc/v1/service_api.grpc.pb.h"

namespace truc::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct LoadOptions {
  std::string target;
  std::string label = "gRPC API";
  v1::CallRequest request;
  int connections = 1;
  double seconds = 5;
  double rate = 0;  // Calls per second; 0 for a closed loop.
  double deadline_seconds = 30;
};

// What the calls measured: latencies of the successful ones, and failures by kind.
class Results {
 public:
  void Record(Clock::duration latency, const grpc::Status& status, const v1::CallResponse& answer) {
    std::lock_guard lock(mu_);
    if (status.ok() && answer.status() == 200) {
      latencies_ms_.push_back(std::chrono::duration<double, std::milli>(latency).count());
      return;
    }
    ++errors_[status.ok() ? fmt::format("http {}", answer.status())
              : !status.error_details().empty()
                  ? status.error_details()
                  : fmt::format("grpc {}", static_cast<int>(status.error_code()))];
  }

  void RecordUnanswered(int count) {
    std::lock_guard lock(mu_);
    if (count > 0) errors_["unanswered"] += count;
  }

  nlohmann::json Summary(const LoadOptions& options, double seconds) {
    std::lock_guard lock(mu_);
    std::sort(latencies_ms_.begin(), latencies_ms_.end());
    const auto percentile = [&](double p) {
      if (latencies_ms_.empty()) return 0.0;
      return latencies_ms_[static_cast<size_t>(p * static_cast<double>(latencies_ms_.size() - 1))];
    };
    int errors = 0;
    for (const auto& [kind, count] : errors_) errors += count;
    return {{"label", options.label},
            {"connections", options.connections},
            {"rate", options.rate},
            {"seconds", seconds},
            {"requests", latencies_ms_.size() + static_cast<size_t>(errors)},
            {"errors", errors},
            {"error_kinds", errors_},
            {"rps", static_cast<double>(latencies_ms_.size()) / seconds},
            {"latency_ms",
             {{"p50", percentile(0.5)},
              {"p90", percentile(0.9)},
              {"p99", percentile(0.99)},
              {"max", latencies_ms_.empty() ? 0.0 : latencies_ms_.back()}}}};
  }

 private:
  std::mutex mu_;
  std::vector<double> latencies_ms_;
  std::map<std::string, int> errors_;
};

// One call in flight: its context and messages live until its callback has run.
struct Call {
  grpc::ClientContext context;
  v1::CallResponse response;
  Clock::time_point scheduled;
};

class Load {
 public:
  explicit Load(const LoadOptions& options) : options_(options) {
    for (int i = 0; i < options.connections; ++i) {
      // A distinct channel argument gives each channel its own subchannel, so its own connection.
      grpc::ChannelArguments arguments;
      arguments.SetInt("truc.bench.connection", i);
      arguments.SetMaxReceiveMessageSize(-1);
      stubs_.push_back(v1::ServiceGateway::NewStub(grpc::CreateCustomChannel(
          options.target, grpc::InsecureChannelCredentials(), arguments)));
    }
  }

  // Runs the load; what it measured.
  nlohmann::json Run() {
    const Clock::time_point start = Clock::now();
    end_ = start + std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(options_.seconds));
    if (options_.rate > 0) {
      RunOpenLoop(start);
    } else {
      for (int i = 0; i < options_.connections; ++i) Start(i, Clock::now());
    }
    std::unique_lock lock(mu_);
    // Calls still out a deadline after the end are reported, not waited for.
    done_.wait_until(lock, end_ + std::chrono::seconds(static_cast<int>(options_.deadline_seconds)),
                     [&] { return in_flight_ == 0; });
    results_.RecordUnanswered(in_flight_);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return results_.Summary(options_, std::min(seconds, options_.seconds));
  }

  ~Load() {
    // Outstanding calls hold pointers to this: cancel them and wait for their callbacks. gRPC may
    // run a callback inside TryCancel, so it is called without holding mu_.
    std::vector<std::shared_ptr<Call>> outstanding;
    {
      std::lock_guard lock(mu_);
      outstanding = calls_;
    }
    for (const auto& call : outstanding) call->context.TryCancel();
    std::unique_lock lock(mu_);
    done_.wait(lock, [&] { return in_flight_ == 0; });
  }

 private:
  void RunOpenLoop(Clock::time_point start) {
    const auto interval = std::chrono::duration<double>(1.0 / options_.rate);
    for (uint64_t i = 0;; ++i) {
      const Clock::time_point scheduled =
          start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i));
      if (scheduled >= end_) break;
      std::this_thread::sleep_until(scheduled);
      Start(static_cast<int>(i % stubs_.size()), scheduled);
    }
  }

  void Start(int connection, Clock::time_point scheduled) {
    auto call = std::make_shared<Call>();
    call->scheduled = scheduled;
    call->context.set_deadline(std::chrono::system_clock::now() +
                               std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::duration<double>(options_.deadline_seconds)));
    {
      std::lock_guard lock(mu_);
      ++in_flight_;
      calls_.push_back(call);
    }
    stubs_[connection]->async()->Call(
        &call->context, &options_.request, &call->response,
        [this, call, connection](grpc::Status status) {
          const Clock::time_point now = Clock::now();
          results_.Record(now - call->scheduled, status, call->response);
          const bool again = options_.rate == 0 && now < end_;
          {
            std::lock_guard lock(mu_);
            calls_.erase(std::find(calls_.begin(), calls_.end(), call));
          }
          if (again) Start(connection, Clock::now());
          std::lock_guard lock(mu_);
          if (--in_flight_ == 0) done_.notify_all();
        });
  }

  const LoadOptions& options_;
  std::vector<std::unique_ptr<v1::ServiceGateway::Stub>> stubs_;
  Clock::time_point end_;
  Results results_;
  std::mutex mu_;
  std::condition_variable done_;
  int in_flight_ = 0;                         // Guarded by mu_.
  std::vector<std::shared_ptr<Call>> calls_;  // Guarded by mu_.
};

}  // namespace
}  // namespace truc::bench

int main(int argc, char** argv) {
  using namespace truc;
  CLI::App app("Load on a gateway's gRPC service API: closed loop, or open loop at --rate");
  bench::LoadOptions options;
  std::string client, service, method = "GET", path, body;
  app.add_option("--target", options.target, "the gateway's gRPC API, HOST:PORT")->required();
  app.add_option("--client", client, "the client subsystem id")->required();
  app.add_option("--service", service, "the service id")->required();
  app.add_option("--method", method, "the HTTP method of the REST service");
  app.add_option("--path", path, "the path below the service")->required();
  app.add_option("--body-bytes", body, "a request body of this many bytes")
      ->transform([](std::string text) { return std::string(std::stoul(text), 'b'); });
  app.add_option("--connections", options.connections, "HTTP/2 connections")
      ->check(CLI::Range(1, 4096));
  app.add_option("--duration", options.seconds, "seconds")->check(CLI::Range(0.1, 3600.0));
  app.add_option("--rate", options.rate, "calls per second (open loop); 0 for a closed loop")
      ->check(CLI::Range(0.0, 1e7));
  app.add_option("--label", options.label, "what the line and the JSON are labelled");
  CLI11_PARSE(app, argc, argv);

  const auto client_id = ids::SubsystemId::Parse(client);
  const auto service_id = ids::ServiceId::Parse(service);
  if (!client_id.ok() || !service_id.ok()) {
    std::fprintf(stderr, "truc_load: --client and --service must be X-Road identifiers\n");
    return 2;
  }
  *options.request.mutable_client() = ids::ToProto(*client_id);
  *options.request.mutable_service() = ids::ToProto(*service_id);
  options.request.set_method(method);
  options.request.set_path(path);
  options.request.set_user_id("VN079123456789");
  options.request.set_purpose("HS-2026-000123");
  options.request.set_body(body);

  nlohmann::json summary;
  {
    bench::Load load(options);
    summary = load.Run();
  }
  const nlohmann::json& latency = summary["latency_ms"];
  std::fprintf(stderr, "%s\n",
               fmt::format("{:<28} {:>4} conn {:>9.0f} calls/s  p50 {:>7.2f}  p90 {:>7.2f}  p99 "
                           "{:>7.2f}  max {:>8.2f} ms  errors {}",
                           options.label, options.connections, summary["rps"].get<double>(),
                           latency["p50"].get<double>(), latency["p90"].get<double>(),
                           latency["p99"].get<double>(), latency["max"].get<double>(),
                           summary["errors"].get<int>())
                   .c_str());
  std::printf("%s\n", summary.dump().c_str());
  return 0;
}
