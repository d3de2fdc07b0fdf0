// One HTTP/2 connection's protocol state (RFC 9113), over nghttp2, with no I/O of its own: the
// owner feeds it the bytes it reads and writes out what it produces. Internal to core/net: the
// server and the client (http_server.cc, http_client.cc) run it on a connection's strand.
//
// Messages are whole: a request or response is delivered once its stream has ended, with its
// header fields and body. Limits: a header section larger than `max_header_bytes` resets the
// stream, as does data beyond `max_buffered_bytes` for the bodies of all streams still arriving;
// a body larger than `max_body_bytes` is discarded and the message is delivered marked
// `too_large` (the server answers it 413; the client fails the call).
//
// Not thread-safe: one strand at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/status.h"
#include "core/net/http_message.h"

struct nghttp2_session;

namespace truc::net::internal {

// A message as received on one stream.
struct Http2Message {
  std::string method;     // Requests: ":method".
  std::string path;       // Requests: ":path".
  std::string authority;  // Requests: ":authority".
  int status = 0;         // Responses: ":status".
  HttpHeaders headers;    // The regular fields of the header section (trailers are dropped).
  std::string body;
  bool too_large = false;  // The body passed max_body_bytes and was dropped.
};

struct Http2Limits {
  size_t max_header_bytes = 16 << 10;
  size_t max_body_bytes = 10 << 20;
  uint32_t max_concurrent_streams = 256;  // What this side lets its peer open at once.
  // The bytes of bodies still arriving, all streams together: a stream whose data would pass it
  // is reset (REFUSED_STREAM), so that a peer cannot make the connection hold a body limit per
  // stream. 0: four times max_body_bytes, at least 16 MiB.
  size_t max_buffered_bytes = 0;
};

class Http2Session {
 public:
  struct Events {
    // A message arrived whole on `stream` (a request on a server, a response on a client).
    std::function<void(int32_t stream, Http2Message message)> message;
    // `stream` closed; `error_code` is its RST_STREAM or GOAWAY code, 0 when it ended normally.
    // On a client, also for a stream whose response never came.
    std::function<void(int32_t stream, uint32_t error_code)> closed;
  };

  // A server's session: the client's connection preface is expected first. Sends our SETTINGS.
  static std::unique_ptr<Http2Session> Server(Http2Limits limits, Events events);
  // A client's session: Output() starts with the connection preface and our SETTINGS.
  static std::unique_ptr<Http2Session> Client(Http2Limits limits, Events events);
  ~Http2Session();
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  // Feeds bytes read from the peer. An error means the connection must end (after Output() has
  // been written, which may hold a GOAWAY saying why).
  Status Receive(std::string_view bytes);

  // Server: answers `stream`. Ignored if the stream is gone.
  void Respond(int32_t stream, const HttpResponse& response);
  // Client: starts a request; the stream's id, or an error (the connection has no stream ids
  // left, or the peer has said GOAWAY).
  StatusOr<int32_t> Request(std::string_view method, std::string_view authority,
                            std::string_view path, const HttpHeaders& headers, std::string body);
  // Client: gives up on `stream` (RST_STREAM with CANCEL).
  void Cancel(int32_t stream);
  // Ends the connection politely: GOAWAY with no error, so that the peer opens no more streams;
  // those open go on. Idempotent.
  void Close();

  // What to write to the peer now: appends to `out` (empty when nothing).
  void Output(std::string& out);
  // False once the connection is finished: both sides said GOAWAY or an error ended it, and
  // nothing is left to write.
  bool Alive() const;
  // Whether `stream` is still open.
  bool IsOpen(int32_t stream) const { return streams_.contains(stream); }
  // The bytes of bodies received and not yet delivered, all streams together.
  size_t buffered() const { return buffered_; }
  // Streams open (requests without their answers, or answers still being sent).
  size_t OpenStreams() const { return streams_.size(); }

 private:
  Http2Session(bool server, Http2Limits limits, Events events);
  static std::unique_ptr<Http2Session> Start(bool server, Http2Limits limits, Events events);
  struct Callbacks;
  struct Stream {
    Http2Message received;
    size_t header_bytes = 0;
    bool in_trailers = false;  // The header section being received follows the body.
    std::string body_to_send;
    size_t sent = 0;
  };
  Stream* Find(int32_t stream);
  // Forgets the body `stream` has received so far.
  void Drop(Stream& stream);

  nghttp2_session* session_ = nullptr;
  const bool server_;
  bool closing_ = false;
  const Http2Limits limits_;
  const size_t max_buffered_;
  size_t buffered_ = 0;
  Events events_;
  std::map<int32_t, Stream> streams_;
};

}  // namespace truc::net::internal
