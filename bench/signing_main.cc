// Member signing keys in a key file and on a PKCS#11 token (SoftHSM2, a throwaway token), as a
// gateway uses them: raw signatures per second on one and on two threads, and messages sealed
// per second through the batch signer (one signature covers every message that arrives while
// the previous batch is signed) with 64 messages in flight. Prints a table, and JSON with --json.
//
//   truc_signing_bench [--seconds S] [--json FILE]
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/crypto/keys.h"
#include "core/crypto/pkcs11.h"
#include "core/evidence/message_signing.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/softhsm.h"

namespace truc::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Signatures per second by `threads` threads signing for `seconds`.
double SignaturesPerSecond(const crypto::Signer& signer, int threads, double seconds) {
  std::atomic<uint64_t> made{0};
  std::atomic<bool> failed{false};
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> workers;
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      uint64_t i = 0;
      while (Clock::now() < until) {
        if (!signer.Sign(fmt::format("root {} {}", t, i++)).ok()) failed = true;
        ++made;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  if (failed) return 0;
  return made / std::chrono::duration<double>(Clock::now() - start).count();
}

// Messages sealed per second through a BatchSigner with `in_flight` messages outstanding.
double SealedPerSecond(const crypto::Signer& signer, const crypto::PublicKey& key, int in_flight,
                       double seconds, double* messages_per_batch) {
  testing::FakeClock clock;
  static_cast<void>(key);  // The chain travels with signatures; nothing is verified here.
  evidence::BatchSigner batcher(signer, {}, clock,
                                {.max_batch = 10'000, .max_delay = std::chrono::milliseconds(0)});
  std::mutex mu;
  std::condition_variable done;
  int outstanding = 0;
  uint64_t sealed = 0;
  bool failed = false;
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  const auto start = Clock::now();
  uint64_t next = 0;
  std::unique_lock lock(mu);
  while (Clock::now() < until) {
    done.wait(lock, [&] { return outstanding < in_flight; });
    ++outstanding;
    v1::MessageEvidence evidence;
    evidence.set_message_id(fmt::format("m-{}", next++));
    lock.unlock();
    batcher.Sign(evidence, [&](StatusOr<v1::BatchSignature> signature) {
      std::lock_guard guard(mu);
      if (!signature.ok()) failed = true;
      --outstanding;
      ++sealed;
      done.notify_all();
    });
    lock.lock();
  }
  done.wait(lock, [&] { return outstanding == 0; });
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  *messages_per_batch = static_cast<double>(sealed) / std::max<uint64_t>(1, batcher.batches());
  return failed ? 0 : sealed / elapsed;
}

int Run(double seconds, const std::string& json) {
  testing::SoftHsm hsm;
  hsm.InitToken("bench", "1234");
  StatusOr<std::shared_ptr<crypto::Pkcs11Token>> token =
      crypto::Pkcs11Token::Open({.module = testing::kSoftHsmModule,
                                 .token_label = "bench",
                                 .pin = crypto::SecretBytes("1234")});
  if (!token.ok()) {
    fmt::print(stderr, "{}\n", token.status().ToString());
    return 1;
  }
  const crypto::PublicKey token_key = (*token)->GenerateEcKey("member-signing").value();
  const std::unique_ptr<crypto::Signer> on_token = (*token)->SignerFor("member-signing").value();
  const crypto::PrivateKey in_file = crypto::PrivateKey::Generate(crypto::KeyType::kEcP256).value();

  nlohmann::json out;
  fmt::print("{:<44} {:>14} {:>14}\n", "", "key file", "SoftHSM2 token");
  for (const int threads : {1, 2}) {
    const double file_rate = SignaturesPerSecond(in_file, threads, seconds);
    const double token_rate = SignaturesPerSecond(*on_token, threads, seconds);
    fmt::print("{:<44} {:>14.0f} {:>14.0f}\n",
               fmt::format("P-256 signatures/s, {} thread(s)", threads), file_rate, token_rate);
    out[fmt::format("signatures_per_second_{}_threads", threads)] = {{"file", file_rate},
                                                                     {"token", token_rate}};
  }
  double file_batch = 0;
  double token_batch = 0;
  const double file_sealed =
      SealedPerSecond(in_file, in_file.public_key(), 64, seconds, &file_batch);
  const double token_sealed = SealedPerSecond(*on_token, token_key, 64, seconds, &token_batch);
  fmt::print("{:<44} {:>14.0f} {:>14.0f}\n", "messages sealed/s, batch signer, 64 in flight",
             file_sealed, token_sealed);
  fmt::print("{:<44} {:>14.1f} {:>14.1f}\n", "  messages per batch signature", file_batch,
             token_batch);
  out["sealed_per_second_64_in_flight"] = {{"file", file_sealed}, {"token", token_sealed}};
  out["messages_per_batch"] = {{"file", file_batch}, {"token", token_batch}};
  if (!json.empty()) std::ofstream(json) << out.dump(2) << "\n";
  return 0;
}

}  // namespace
}  // namespace truc::bench

int main(int argc, char** argv) {
  double seconds = 2;
  std::string json;
  CLI::App app("Signing keys in a file and on a PKCS#11 token");
  app.add_option("--seconds", seconds, "Each measurement's duration");
  app.add_option("--json", json, "Also write the figures as JSON here");
  CLI11_PARSE(app, argc, argv);
  return truc::bench::Run(seconds, json);
}
