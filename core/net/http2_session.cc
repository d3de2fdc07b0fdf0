#include "core/net/http2_session.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <new>
#include <vector>

#include <fmt/format.h>
#include <nghttp2/nghttp2.h>

#include "core/net/http_syntax.h"

namespace truc::net::internal {
namespace {

// Flow-control windows: large enough that a body of a few MiB is not held back by round trips
// of WINDOW_UPDATEs, small enough that a peer cannot make us buffer much beyond the body limit.
constexpr int32_t kStreamWindow = 1 << 20;
constexpr int32_t kConnectionWindow = 16 << 20;

// Fields HTTP/2 forbids (RFC 9113, 8.2.2), and those the framing owns.
bool IsConnectionSpecific(std::string_view name) {
  for (std::string_view forbidden : {"connection", "keep-alive", "proxy-connection",
                                     "transfer-encoding", "upgrade", "host", "content-length"}) {
    if (EqualsIgnoreCase(name, forbidden)) return true;
  }
  return false;
}

std::string Lowercase(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

nghttp2_nv Field(std::string_view name, std::string_view value) {
  return nghttp2_nv{.name = reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    .value = reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())),
                    .namelen = name.size(),
                    .valuelen = value.size(),
                    .flags = NGHTTP2_NV_FLAG_NONE};
}

// The regular fields of `headers` as HTTP/2 sends them: names in lowercase, connection-specific
// fields and fields that are not valid HTTP dropped. `names` keeps the lowercase names alive.
void AddFields(const HttpHeaders& headers, std::vector<std::string>& names,
               std::vector<nghttp2_nv>& fields) {
  names.reserve(headers.fields().size());
  for (const auto& [name, value] : headers.fields()) {
    if (!IsHttpToken(name) || !IsHttpFieldValue(value) || IsConnectionSpecific(name)) continue;
    names.push_back(Lowercase(name));
    fields.push_back(Field(names.back(), value));
  }
}

Status ProtocolError(int code) {
  return UnavailableError(fmt::format("HTTP/2: {}", nghttp2_strerror(code)), "net.http2_error");
}

}  // namespace

struct Http2Session::Callbacks {
  static Http2Session& Of(void* user_data) { return *static_cast<Http2Session*>(user_data); }

  static int BeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    Http2Session& self = Of(user_data);
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    const int32_t id = frame->hd.stream_id;
    if (self.server_) {
      if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
        self.streams_.try_emplace(id);
      } else if (Stream* stream = self.Find(id)) {
        stream->in_trailers = true;
      }
      return 0;
    }
    Stream* stream = self.Find(id);
    if (stream == nullptr) return 0;
    if (stream->received.status >= 200) {
      stream->in_trailers = true;
    } else {  // A first response, or a final one after an interim (1xx) one.
      stream->received.status = 0;
      stream->received.headers = HttpHeaders();
      stream->header_bytes = 0;
    }
    return 0;
  }

  static int Header(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name_data,
                    size_t name_length, const uint8_t* value_data, size_t value_length,
                    uint8_t /*flags*/, void* user_data) {
    Http2Session& self = Of(user_data);
    Stream* stream = self.Find(frame->hd.stream_id);
    if (stream == nullptr || stream->in_trailers) return 0;
    stream->header_bytes += name_length + value_length + 32;  // As SETTINGS_MAX_HEADER_LIST_SIZE.
    if (stream->header_bytes > self.limits_.max_header_bytes) {
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                                NGHTTP2_REFUSED_STREAM);
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    const std::string_view name(reinterpret_cast<const char*>(name_data), name_length);
    const std::string_view value(reinterpret_cast<const char*>(value_data), value_length);
    Http2Message& message = stream->received;
    if (name.starts_with(':')) {  // nghttp2 has checked the pseudo-header fields' presence.
      if (name == ":method") {
        message.method = value;
      } else if (name == ":path") {
        message.path = value;
      } else if (name == ":authority") {
        message.authority = value;
      } else if (name == ":status") {
        std::from_chars(value.data(), value.data() + value.size(), message.status);
      }
      return 0;
    }
    message.headers.Add(std::string(name), std::string(value));
    return 0;
  }

  static int DataChunk(nghttp2_session* session, uint8_t /*flags*/, int32_t id, const uint8_t* data,
                       size_t length, void* user_data) {
    Http2Session& self = Of(user_data);
    Stream* stream = self.Find(id);
    if (stream == nullptr) return 0;
    Http2Message& message = stream->received;
    if (message.too_large || message.body.size() + length > self.limits_.max_body_bytes) {
      message.too_large = true;  // Read and dropped, so that flow control goes on.
      self.Drop(*stream);
      return 0;
    }
    if (self.buffered_ + length > self.max_buffered_) {
      self.Drop(*stream);
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
      return 0;
    }
    message.body.append(reinterpret_cast<const char*>(data), length);
    self.buffered_ += length;
    return 0;
  }

  static int FrameReceived(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    Http2Session& self = Of(user_data);
    if ((frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) ||
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0) {
      return 0;
    }
    Stream* stream = self.Find(frame->hd.stream_id);
    if (stream == nullptr) return 0;
    if (!self.server_ && stream->received.status < 200) return 0;  // nghttp2 refuses this.
    self.buffered_ -= stream->received.body.size();
    Http2Message message = std::move(stream->received);
    stream->received = Http2Message();
    if (self.events_.message) self.events_.message(frame->hd.stream_id, std::move(message));
    return 0;
  }

  static int StreamClosed(nghttp2_session*, int32_t id, uint32_t error_code, void* user_data) {
    Http2Session& self = Of(user_data);
    Stream* stream = self.Find(id);
    if (stream == nullptr) return 0;
    self.Drop(*stream);
    self.streams_.erase(id);
    if (self.events_.closed) self.events_.closed(id, error_code);
    return 0;
  }

  static ssize_t ReadBody(nghttp2_session*, int32_t id, uint8_t* buffer, size_t length,
                          uint32_t* flags, nghttp2_data_source*, void* user_data) {
    Stream* stream = Of(user_data).Find(id);
    if (stream == nullptr) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    const size_t n = std::min(length, stream->body_to_send.size() - stream->sent);
    std::memcpy(buffer, stream->body_to_send.data() + stream->sent, n);
    stream->sent += n;
    if (stream->sent == stream->body_to_send.size()) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      stream->body_to_send.clear();
      stream->body_to_send.shrink_to_fit();
      stream->sent = 0;
    }
    return static_cast<ssize_t>(n);
  }
};

Http2Session::Http2Session(bool server, Http2Limits limits, Events events)
    : server_(server),
      limits_(limits),
      max_buffered_(limits.max_buffered_bytes != 0
                        ? limits.max_buffered_bytes
                        : std::max<size_t>(4 * limits.max_body_bytes, 16 << 20)),
      events_(std::move(events)) {}

void Http2Session::Drop(Stream& stream) {
  buffered_ -= stream.received.body.size();
  stream.received.body.clear();
  stream.received.body.shrink_to_fit();
}

Http2Session::~Http2Session() { nghttp2_session_del(session_); }

std::unique_ptr<Http2Session> Http2Session::Server(Http2Limits limits, Events events) {
  return Start(/*server=*/true, limits, std::move(events));
}

std::unique_ptr<Http2Session> Http2Session::Client(Http2Limits limits, Events events) {
  return Start(/*server=*/false, limits, std::move(events));
}

std::unique_ptr<Http2Session> Http2Session::Start(bool server, Http2Limits limits, Events events) {
  std::unique_ptr<Http2Session> self(new Http2Session(server, limits, std::move(events)));
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) throw std::bad_alloc();
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &Callbacks::BeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &Callbacks::Header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Callbacks::DataChunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Callbacks::FrameReceived);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Callbacks::StreamClosed);
  const int made = server ? nghttp2_session_server_new(&self->session_, callbacks, self.get())
                          : nghttp2_session_client_new(&self->session_, callbacks, self.get());
  nghttp2_session_callbacks_del(callbacks);
  if (made != 0) throw std::bad_alloc();
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kStreamWindow},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(limits.max_header_bytes)},
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
  };
  nghttp2_submit_settings(self->session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(self->session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
  return self;
}

Http2Session::Stream* Http2Session::Find(int32_t stream) {
  const auto it = streams_.find(stream);
  return it == streams_.end() ? nullptr : &it->second;
}

Status Http2Session::Receive(std::string_view bytes) {
  const ssize_t read = nghttp2_session_mem_recv(
      session_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (read < 0) return ProtocolError(static_cast<int>(read));
  return OkStatus();
}

void Http2Session::Respond(int32_t id, const HttpResponse& response) {
  Stream* stream = Find(id);
  if (stream == nullptr) return;
  int status = response.status;
  std::string body = response.body;
  // Only a final status (200-599) can end an exchange; a handler's other answer is its bug.
  if (status < 200 || status > 599) {
    body = fmt::format("no valid response: status {}\n", status);
    status = 502;
  }
  const std::string status_text = std::to_string(status);
  std::vector<std::string> names;
  std::vector<nghttp2_nv> fields = {Field(":status", status_text)};
  AddFields(response.headers, names, fields);
  // 204 and 304 have no content (RFC 9110, 15.3.5 and 15.4.5), whatever the handler gave.
  if (status == 204 || status == 304) body.clear();
  const std::string length = std::to_string(body.size());
  fields.push_back(Field("content-length", length));
  nghttp2_data_provider provider{.source = {.ptr = nullptr}, .read_callback = &Callbacks::ReadBody};
  stream->body_to_send = std::move(body);
  stream->sent = 0;
  const bool has_body = !stream->body_to_send.empty();
  nghttp2_submit_response(session_, id, fields.data(), fields.size(),
                          has_body ? &provider : nullptr);
}

StatusOr<int32_t> Http2Session::Request(std::string_view method, std::string_view authority,
                                        std::string_view path, const HttpHeaders& headers,
                                        std::string body) {
  const std::string length = std::to_string(body.size());
  std::vector<std::string> names;
  std::vector<nghttp2_nv> fields = {Field(":method", method), Field(":scheme", "https"),
                                    Field(":authority", authority), Field(":path", path)};
  AddFields(headers, names, fields);
  if (!body.empty() || method == "POST" || method == "PUT") {
    fields.push_back(Field("content-length", length));
  }
  nghttp2_data_provider provider{.source = {.ptr = nullptr}, .read_callback = &Callbacks::ReadBody};
  const bool has_body = !body.empty();
  const int32_t id = nghttp2_submit_request(session_, nullptr, fields.data(), fields.size(),
                                            has_body ? &provider : nullptr, nullptr);
  if (id < 0) return ProtocolError(id);
  Stream& stream = streams_[id];
  stream.body_to_send = std::move(body);
  return id;
}

void Http2Session::Cancel(int32_t stream) {
  if (Find(stream) == nullptr) return;
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream, NGHTTP2_CANCEL);
}

void Http2Session::Close() {
  if (closing_) return;
  closing_ = true;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
}

void Http2Session::Output(std::string& out) {
  while (true) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) return;
    out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
}

bool Http2Session::Alive() const {
  return nghttp2_session_want_read(session_) != 0 || nghttp2_session_want_write(session_) != 0;
}

}  // namespace truc::net::internal
