#include "gateway/audit/tree_head_sealer.h"

#include <utility>

#include <fmt/format.h>

#include "gateway/audit/tree_head.h"

namespace truc::gateway::audit {
namespace {

constexpr std::string_view kSealedHeadPrefix = "sth/";
constexpr std::string_view kLatestKey = "sth-latest";

std::string SealedHeadKey(uint64_t size) {
  return fmt::format("{}{:020}", kSealedHeadPrefix, size);
}

StatusOr<v1::SignedTreeHead> ParseSealedHead(std::string_view key, std::string_view value) {
  v1::SignedTreeHead sealed;
  if (!sealed.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
      SealedHeadKey(sealed.head().size()) != key) {
    return DataLossError(fmt::format("the sealed tree head stored under '{}' is corrupt", key),
                         std::string(kCorruptSealedHead));
  }
  return sealed;
}

// kLogRewound unless `current` can have grown from `sealed`.
Status CheckNotRewound(const v1::TreeHead& sealed, const v1::TreeHead& current) {
  if (current.size() < sealed.size()) {
    return DataLossError(
        fmt::format("the audit log holds {} records, fewer than the {} of its last sealed head",
                    current.size(), sealed.size()),
        std::string(kLogRewound));
  }
  if (current.size() == sealed.size() && current.root_hash() != sealed.root_hash()) {
    return DataLossError(
        fmt::format("the audit log's root at size {} differs from its sealed head's",
                    sealed.size()),
        std::string(kLogRewound));
  }
  return OkStatus();
}

Status InvalidOptions(std::string message) {
  return InvalidArgumentError(std::move(message), std::string(kInvalidSealerOptions));
}

}  // namespace

StatusOr<std::unique_ptr<TreeHeadSealer>> TreeHeadSealer::Create(
    const TreeHeadSource& source, const crypto::Signer& signer,
    std::vector<crypto::Certificate> chain, timestamp::Timestamper& timestamper,
    storage::KeyValueStore& store, const Clock& clock, TreeHeadSealerOptions options) {
  if (options.interval <= std::chrono::milliseconds::zero() ||
      options.tolerance <= std::chrono::milliseconds::zero()) {
    return InvalidOptions("the sealing interval and the timestamping tolerance must be positive");
  }
  if (chain.empty()) return InvalidOptions("no signing certificate");
  if (chain.front().public_key().key_id() != signer.key_id()) {
    return InvalidOptions(
        fmt::format("the certificate '{}' is not for the signing key", chain.front().subject()));
  }
  TRUC_ASSIGN_OR_RETURN(std::optional<v1::SignedTreeHead> latest, ReadLatestSealedHead(store));
  TRUC_ASSIGN_OR_RETURN(const v1::TreeHead head, source.Head());
  if (latest.has_value()) TRUC_RETURN_IF_ERROR(CheckNotRewound(latest->head(), head));
  std::unique_ptr<TreeHeadSealer> sealer(new TreeHeadSealer(
      source, signer, std::move(chain), timestamper, store, clock, options, std::move(latest)));
  sealer->NotifyAppended(head.size(), clock.Now());
  return sealer;
}

TreeHeadSealer::TreeHeadSealer(const TreeHeadSource& source, const crypto::Signer& signer,
                               std::vector<crypto::Certificate> chain,
                               timestamp::Timestamper& timestamper, storage::KeyValueStore& store,
                               const Clock& clock, TreeHeadSealerOptions options,
                               std::optional<v1::SignedTreeHead> latest)
    : source_(source),
      signer_(signer),
      chain_(std::move(chain)),
      timestamper_(timestamper),
      store_(store),
      clock_(clock),
      options_(options),
      latest_(std::move(latest)) {}

TreeHeadSealer::~TreeHeadSealer() { Stop(); }

void TreeHeadSealer::Start() {
  periodic_.Start(options_.interval, [this, failing = false]() mutable {
    const Status sealed = SealNow();
    if (!sealed.ok() && !failing) {
      logger_.Warning("cannot seal the audit log's tree head; retrying every interval",
                      {{"error", sealed.ToString()}});
    } else if (sealed.ok() && failing) {
      logger_.Info("the audit log's tree head is sealed again, backlog included");
    }
    failing = !sealed.ok();
  });
}

void TreeHeadSealer::Stop() { periodic_.Stop(); }

Status TreeHeadSealer::SealNow() {
  std::lock_guard<std::mutex> sealing(seal_mu_);
  StatusOr<std::optional<v1::SignedTreeHead>> sealed = SealCurrentHead();
  std::lock_guard<std::mutex> lock(state_mu_);
  if (!sealed.ok()) {
    last_error_ = sealed.status();
    return last_error_;
  }
  last_error_ = OkStatus();
  if (!sealed->has_value()) return OkStatus();
  const uint64_t size = (*sealed)->head().size();
  while (!uncovered_.empty() && uncovered_.front().size <= size) uncovered_.pop_front();
  latest_ = *std::move(*sealed);
  return OkStatus();
}

StatusOr<std::optional<v1::SignedTreeHead>> TreeHeadSealer::SealCurrentHead() {
  TRUC_ASSIGN_OR_RETURN(const v1::TreeHead head, source_.Head());
  // Only SealNow, which holds seal_mu_, changes latest_: this copy stays current.
  const std::optional<v1::SignedTreeHead> latest = Latest();
  if (latest.has_value()) {
    TRUC_RETURN_IF_ERROR(CheckNotRewound(latest->head(), head));
    if (head.size() == latest->head().size()) return std::optional<v1::SignedTreeHead>();
  }
  if (head.size() == 0) return std::optional<v1::SignedTreeHead>();
  // Records the log did not announce wait from now on.
  NotifyAppended(head.size(), clock_.Now());

  TRUC_ASSIGN_OR_RETURN(v1::SignedTreeHead sealed, SignTreeHead(head, signer_, chain_, clock_));
  StatusOr<timestamp::TimestampToken> token = timestamper_.Timestamp(TreeHeadDigest(sealed));
  if (!token.ok()) {
    return token.status().Annotate(
        fmt::format("timestamping the tree head of size {}", head.size()));
  }
  sealed.set_timestamp_token(std::move(token->der));
  TRUC_RETURN_IF_ERROR(Store(sealed));
  return std::optional<v1::SignedTreeHead>(std::move(sealed));
}

Status TreeHeadSealer::Store(const v1::SignedTreeHead& sealed) {
  const std::string key = SealedHeadKey(sealed.head().size());
  storage::WriteBatch batch;
  batch.Put(key, sealed.SerializeAsString());
  batch.Put(std::string(kLatestKey), key);
  return store_.Write(batch, /*sync=*/true)
      .Annotate(fmt::format("storing the sealed tree head of size {}", sealed.head().size()));
}

void TreeHeadSealer::NotifyAppended(uint64_t size, TimePoint appended_at) {
  std::lock_guard<std::mutex> lock(state_mu_);
  const uint64_t known = !uncovered_.empty()   ? uncovered_.back().size
                         : latest_.has_value() ? latest_->head().size()
                                               : 0;
  if (size > known) uncovered_.push_back({size, appended_at});
}

Status TreeHeadSealer::CheckTimestamping() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  if (uncovered_.empty()) return OkStatus();
  const TimePoint oldest = uncovered_.front().appended_at;
  if (clock_.Now() - oldest <= options_.tolerance) return OkStatus();
  return UnavailableError(
      fmt::format("records appended since {} have waited more than {} ms for a timestamped tree "
                  "head; last sealing error: {}",
                  FormatRfc3339(oldest), options_.tolerance.count(),
                  last_error_.ok() ? "none (is the sealer running?)" : last_error_.ToString()),
      std::string(kTimestampingOverdue));
}

std::optional<v1::SignedTreeHead> TreeHeadSealer::Latest() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return latest_;
}

StatusOr<std::vector<v1::SignedTreeHead>> TreeHeadSealer::SealedHeads(uint64_t min_size,
                                                                      uint64_t max_size,
                                                                      size_t limit) const {
  return ReadSealedHeads(store_, min_size, max_size, limit);
}

StatusOr<std::optional<v1::SignedTreeHead>> ReadLatestSealedHead(
    const storage::KeyValueStore& store) {
  TRUC_ASSIGN_OR_RETURN(const std::optional<std::string> key, store.Get(kLatestKey));
  if (!key.has_value()) return std::optional<v1::SignedTreeHead>();
  TRUC_ASSIGN_OR_RETURN(const std::optional<std::string> value, store.Get(*key));
  if (!value.has_value()) {
    return DataLossError(fmt::format("the latest sealed tree head, '{}', is missing", *key),
                         std::string(kCorruptSealedHead));
  }
  TRUC_ASSIGN_OR_RETURN(v1::SignedTreeHead latest, ParseSealedHead(*key, *value));
  return std::optional<v1::SignedTreeHead>(std::move(latest));
}

StatusOr<std::vector<v1::SignedTreeHead>> ReadSealedHeads(const storage::KeyValueStore& store,
                                                          uint64_t min_size, uint64_t max_size,
                                                          size_t limit) {
  const std::string last_key = SealedHeadKey(max_size);
  std::vector<v1::SignedTreeHead> heads;
  Status corrupt;
  TRUC_RETURN_IF_ERROR(store.Scan(kSealedHeadPrefix, SealedHeadKey(min_size),
                                  [&](std::string_view key, std::string_view value) {
                                    if (heads.size() >= limit || key > last_key) return false;
                                    StatusOr<v1::SignedTreeHead> sealed =
                                        ParseSealedHead(key, value);
                                    if (!sealed.ok()) {
                                      corrupt = sealed.status();
                                      return false;
                                    }
                                    heads.push_back(*std::move(sealed));
                                    return true;
                                  }));
  TRUC_RETURN_IF_ERROR(corrupt);
  return heads;
}

}  // namespace truc::gateway::audit
