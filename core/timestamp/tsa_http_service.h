// Serves a TimestampAuthority over HTTP as RFC 3161 section 3.4 describes: POST a DER
// TimeStampReq with Content-Type application/timestamp-query, get a DER TimeStampResp with
// Content-Type application/timestamp-reply.
#pragma once

#include "core/base/worker_pool.h"
#include "core/net/http_server.h"
#include "core/timestamp/timestamp_authority.h"

namespace truc::timestamp {

// Maximum size of a timestamp query; real ones are well under 200 bytes.
inline constexpr size_t kMaxTimestampQueryBytes = 16 << 10;

// A handler for net::HttpServer. Signing runs on `workers` (never on an I/O thread); when their
// queue is full the client gets 503 with Retry-After. Other refusals: 405 for a method other than
// POST, 415 for another content type, 400 for an empty body, 413 for an oversized one. Malformed
// queries get a 200 with an RFC 3161 rejection, as the protocol requires. `tsa` and `workers`
// must outlive the server.
net::HttpHandler MakeTsaHttpHandler(const TimestampAuthority& tsa, WorkerPool& workers);

}  // namespace truc::timestamp
