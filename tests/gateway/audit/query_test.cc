// Queries of the audit log answered from its indexes return exactly what a scan of the whole log
// returns, page after page, on randomised logs: logs started before indexes existed, pruned
// logs, filters that combine an indexed field with others, and auditors of a limited scope.
#include <random>
#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/storage/memory_store.h"
#include "gateway/audit/audit_service.h"
#include "gateway/exchange/wire_fields.h"
#include "proto/timestamp_conversion.h"
#include "tests/gateway/audit/test_exchanges.h"

namespace truc::gateway::audit {
namespace {

const std::vector<std::string> kUsers = {"", "VN079123456789", "VN001", "VN002", "VN003"};
const std::vector<std::string> kPurposes = {"", "HS-1", "HS-2", "HS-3"};
const std::vector<std::string> kSubjects = {"079123456789", "001099000001", "parcel-17"};

// As a gateway's declaration would find them in paths: none, one or two of kSubjects, by the
// exchange's message id.
AuditLogOptions WithSubjects() {
  AuditLogOptions options;
  options.subjects = [](const v1::AuditRecord& request) {
    const size_t n = std::hash<std::string>()(request.message_id());
    std::vector<std::string> subjects;
    for (size_t i = 0; i < n % 3; ++i)
      subjects.push_back(kSubjects[(n / 3 + i) % kSubjects.size()]);
    return subjects;
  };
  return options;
}

const std::vector<std::string> kClients = {"VN/GOV/000900/portal", "VN/GOV/000900/hr",
                                           "VN/GOV/000901/portal"};
const std::vector<std::string> kServices = {
    "VN/GOV/000100/population/citizens", "VN/GOV/000100/population/land",
    "VN/GOV/000100/tax/records", "VN/GOV/000102/land/parcels"};
// What a filter's client and service may name: subsystems, members and services.
const std::vector<std::string> kClientFilters = {"VN/GOV/000900/portal", "VN/GOV/000900/hr",
                                                 "VN/GOV/000901/portal", "VN/GOV/000900",
                                                 "VN/GOV/000901",        "VN/GOV/000902"};
const std::vector<std::string> kServiceFilters = {"VN/GOV/000100/population/citizens",
                                                  "VN/GOV/000100/tax/records",
                                                  "VN/GOV/000100/population",
                                                  "VN/GOV/000100/tax",
                                                  "VN/GOV/000100",
                                                  "VN/GOV/000102",
                                                  "VN/GOV/000102/land/parcels"};

// An exchange of `exchanges` for `user` and `purpose` (empty: the header is left out), between
// a random client and service, some seconds after the previous one (now and then a little
// before it, as exchanges that overlap end out of order).
ExchangeRecord ExchangeFor(testing::TestExchanges& exchanges, std::mt19937& random, int i,
                           const std::string& user, const std::string& purpose) {
  exchanges.SetParties(ids::SubsystemId::Parse(kClients[random() % kClients.size()]).value(),
                       ids::ServiceId::Parse(kServices[random() % kServices.size()]).value());
  exchanges.Advance(random() % 10 == 0 ? -std::chrono::seconds(random() % 90)
                                       : std::chrono::seconds(random() % 40));
  const auto side =
      random() % 2 == 0 ? ExchangeRecord::Side::kConsumer : ExchangeRecord::Side::kProvider;
  ExchangeRecord record = random() % 4 == 0 ? exchanges.Failed(side, fmt::format("m-{}", i))
                                            : exchanges.Answered(side, fmt::format("m-{}", i));
  auto& headers = *record.request.mutable_headers();
  for (int h = headers.size() - 1; h >= 0; --h) {
    if (headers[h].name() == wire_field::kUserId || headers[h].name() == wire_field::kIssue) {
      headers.DeleteSubrange(h, 1);
    }
  }
  if (!user.empty()) {
    v1::Header* header = record.request.add_headers();
    header->set_name(std::string(wire_field::kUserId));
    header->set_value(user);
  }
  if (!purpose.empty()) {
    v1::Header* header = record.request.add_headers();
    header->set_name(std::string(wire_field::kIssue));
    header->set_value(purpose);
  }
  return record;
}

// Every page of `request`, followed to the end: the positions of the records returned.
std::vector<uint64_t> AllPages(const AuditLog& log, v1::QueryExchangesRequest request,
                               const std::function<bool(const v1::AuditRecord&)>& in_scope,
                               std::optional<uint64_t>* total) {
  std::vector<uint64_t> found;
  for (int pages = 0;; ++pages) {
    REQUIRE(pages < 10'000);
    const StatusOr<v1::QueryExchangesResponse> page = QueryLog(log, request, in_scope);
    REQUIRE(page.ok());
    CHECK(page->unreadable().empty());
    CHECK(page->records_size() <= static_cast<int>(request.page_size()));
    if (pages == 0 && page->has_total_matches()) *total = page->total_matches();
    if (pages > 0) CHECK_FALSE(page->has_total_matches());
    for (const v1::LoggedRecord& record : page->records()) found.push_back(record.sequence());
    if (page->next_page_token().empty()) return found;
    request.set_page_token(page->next_page_token());
  }
}

TEST_CASE("Indexed queries return exactly what a scan returns, on randomised logs", "[audit]") {
  const uint32_t seed = std::random_device()();
  INFO("seed " << seed);
  std::mt19937 random(seed);
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  int next_id = 0;
  const auto append = [&](AuditLog& log, int count) {
    for (int i = 0; i < count; ++i) {
      REQUIRE(log.Append(ExchangeFor(exchanges, random, next_id++, kUsers[random() % kUsers.size()],
                                     kPurposes[random() % kPurposes.size()]))
                  .ok());
    }
  };
  // 0: a log this gateway started; 1: one started before indexes; 2: one started before the
  // indexes by subject, client, service and time.
  const int upgraded = GENERATE(0, 1, 2);
  const bool pruned = GENERATE(false, true);
  INFO("a log started before indexes (1) or the second ones (2): " << upgraded
                                                                   << "; pruned: " << pruned);
  const TimePoint start = exchanges.clock().Now();
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, WithSubjects()).value();
  append(*log, 150);
  if (upgraded > 0) {
    // What a gateway that did not index yet left: no index entries, no indexed-from.
    log.reset();
    const std::vector<std::string> forgotten =
        upgraded == 1 ? std::vector<std::string>{"audit/ind"}
                      : std::vector<std::string>{"audit/indexed-from-v2", "audit/index/client/",
                                                 "audit/index/service/", "audit/index/time/"};
    storage::WriteBatch forget;
    for (const std::string& prefix : forgotten) {
      REQUIRE(store
                  .Scan(prefix, "",
                        [&](std::string_view key, std::string_view) {
                          forget.Delete(std::string(key));
                          return true;
                        })
                  .ok());
    }
    REQUIRE(forget.size() > 1);
    REQUIRE(store.Write(forget, true).ok());
    log = AuditLog::Open(store, WithSubjects()).value();
    CHECK(log->indexed_from() == 300);
    CHECK(log->indexed_from(AuditLog::Index::kUserId) == (upgraded == 1 ? 300 : 0));
    CHECK(log->indexed_from(AuditLog::Index::kClient) == 300);
    CHECK(log->time_indexed_from() == 300);
  } else {
    CHECK(log->indexed_from() == 0);
  }
  append(*log, 250);
  if (pruned) REQUIRE(log->Prune(120 + random() % 300).ok());
  const auto span = exchanges.clock().Now() - start;
  // A random time around the log's.
  const auto some_time = [&] {
    return start - std::chrono::minutes(5) +
           std::chrono::seconds(random() % (std::chrono::duration_cast<std::chrono::seconds>(
                                                span + std::chrono::minutes(10))
                                                .count()));
  };

  for (int round = 0; round < 120; ++round) {
    v1::QueryExchangesRequest request;
    v1::AuditFilter& filter = *request.mutable_filter();
    const auto time_range = [&] {
      const TimePoint since = some_time();
      const TimePoint until = since + std::chrono::seconds(random() % 3600);
      if (random() % 4 != 0) *filter.mutable_since() = proto::ToProtoTimestamp(since);
      if (random() % 4 != 0) *filter.mutable_until() = proto::ToProtoTimestamp(until);
    };
    switch (round % 12) {
      case 0:
        filter.set_user_id(kUsers[1 + random() % (kUsers.size() - 1)]);
        break;
      case 1:
        filter.set_purpose(kPurposes[1 + random() % (kPurposes.size() - 1)]);
        break;
      case 2:
        filter.set_user_id(kUsers[1 + random() % (kUsers.size() - 1)]);
        filter.set_purpose(kPurposes[1 + random() % (kPurposes.size() - 1)]);
        filter.set_outcome(random() % 2 == 0 ? v1::AuditFilter::OUTCOME_FAILED
                                             : v1::AuditFilter::OUTCOME_SUCCEEDED);
        break;
      case 3:
        filter.set_subject(kSubjects[random() % kSubjects.size()]);
        if (random() % 2 == 0) filter.set_user_id(kUsers[1 + random() % (kUsers.size() - 1)]);
        break;
      case 4:
        filter.set_client(kClientFilters[random() % kClientFilters.size()]);
        break;
      case 5:
        filter.set_service(kServiceFilters[random() % kServiceFilters.size()]);
        break;
      case 6:
        time_range();
        break;
      case 7:
        filter.set_client(kClientFilters[random() % kClientFilters.size()]);
        filter.set_service(kServiceFilters[random() % kServiceFilters.size()]);
        if (random() % 2 == 0) filter.set_user_id(kUsers[1 + random() % (kUsers.size() - 1)]);
        break;
      case 8:
        time_range();
        filter.set_subject(kSubjects[random() % kSubjects.size()]);
        if (random() % 2 == 0)
          filter.set_service(kServiceFilters[random() % kServiceFilters.size()]);
        break;
      case 9:
        time_range();
        filter.set_client(kClientFilters[random() % kClientFilters.size()]);
        filter.set_outcome(v1::AuditFilter::OUTCOME_SUCCEEDED);
        break;
      case 10:
        filter.set_message_id(fmt::format("m-{}", random() % (next_id + 10)));
        if (random() % 2 == 0) filter.set_client(kClientFilters[random() % kClientFilters.size()]);
        break;
      default:
        // Not indexed: scanned.
        filter.set_outcome(v1::AuditFilter::OUTCOME_FAILED);
        break;
    }
    request.set_page_size(1 + random() % 40);
    const bool consumers_only = random() % 2 == 0;
    const auto in_scope = [consumers_only](const v1::AuditRecord& record) {
      return !consumers_only || record.side() == v1::AuditRecord::SIDE_CONSUMER;
    };
    INFO("round " << round << ": " << filter.ShortDebugString() << ", page size "
                  << request.page_size() << ", consumers only " << consumers_only);

    const RecordFilter matcher = RecordFilter::Create(filter).value();
    std::vector<uint64_t> expected;
    REQUIRE(log->Scan(0, log->Head().size,
                      [&](const StoredRecord& stored) {
                        if (matcher.Matches(stored.record) && in_scope(stored.record)) {
                          expected.push_back(stored.record.sequence());
                        }
                        return true;
                      })
                .ok());
    std::optional<uint64_t> total;
    CHECK(AllPages(*log, request, in_scope, &total) == expected);
    // The first page counts the matches when an index of a value answers for the whole live
    // log.
    std::vector<AuditLog::Index> used;
    if (!filter.user_id().empty()) used.push_back(AuditLog::Index::kUserId);
    if (!filter.purpose().empty()) used.push_back(AuditLog::Index::kPurpose);
    if (!filter.subject().empty()) used.push_back(AuditLog::Index::kSubject);
    if (!filter.client().empty()) used.push_back(AuditLog::Index::kClient);
    if (!filter.service().empty()) used.push_back(AuditLog::Index::kService);
    uint64_t indexed_from = filter.has_since() || filter.has_until() ? log->time_indexed_from() : 0;
    for (const AuditLog::Index index : used) {
      indexed_from = std::max(indexed_from, log->indexed_from(index));
    }
    const bool indexed = !used.empty() && filter.message_id().empty();
    if (indexed && indexed_from <= log->pruned_before()) {
      REQUIRE(total.has_value());
      CHECK(*total == expected.size());
    } else {
      CHECK_FALSE(total.has_value());
    }
  }
}

TEST_CASE("Pruning takes the records' index entries with them", "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  std::mt19937 random(7);
  AuditLogOptions options;
  options.subjects = [](const v1::AuditRecord&) {
    return std::vector<std::string>{"079123456789"};
  };
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, std::move(options)).value();
  for (int i = 0; i < 20; ++i) {
    REQUIRE(log->Append(ExchangeFor(exchanges, random, i, "VN001", "HS-1")).ok());
  }
  const auto entries = [&] {
    size_t count = 0;
    REQUIRE(store
                .Scan("audit/", "",
                      [&](std::string_view key, std::string_view) {
                        count += (key.starts_with("audit/index/") &&
                                  !key.starts_with("audit/index/time/")) ||
                                 key.starts_with("audit/by-message/");
                        return true;
                      })
                .ok());
    return count;
  };
  const auto minutes = [&] {
    size_t count = 0;
    REQUIRE(store
                .Scan("audit/index/time/", "",
                      [&](std::string_view, std::string_view) {
                        ++count;
                        return true;
                      })
                .ok());
    return count;
  };
  // Per exchange: both records by message; the final one by user, purpose and subject, client
  // subsystem and member, service and provider member. The time index by minute.
  CHECK(entries() == 20 * 9);
  const size_t minutes_logged = minutes();
  CHECK(minutes_logged >= 1);
  REQUIRE(log->Prune(10).ok());
  CHECK(entries() == 15 * 9);
  CHECK(minutes() >= 1);
  CHECK(minutes() <= minutes_logged);
  std::vector<uint64_t> found;
  REQUIRE(log->ScanIndex(AuditLog::Index::kUserId, "VN001", 0,
                         [&](uint64_t sequence) {
                           found.push_back(sequence);
                           return true;
                         })
              .ok());
  CHECK(found.size() == 15);
  CHECK(found.front() == 11);
  // Every record of the exchange carries its subjects; the final one is indexed by them.
  CHECK(log->Read(10).value().record.subjects().size() == 1);
  found.clear();
  REQUIRE(log->ScanIndex(AuditLog::Index::kSubject, "079123456789", 0,
                         [&](uint64_t sequence) {
                           found.push_back(sequence);
                           return true;
                         })
              .ok());
  CHECK(found.size() == 15);
  // The minute goes with its last record.
  REQUIRE(log->Prune(40).ok());
  CHECK(entries() == 0);
  CHECK(minutes() == 0);
}

}  // namespace
}  // namespace truc::gateway::audit
