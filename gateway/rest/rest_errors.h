// Errors of the gateways as the REST interface (X-Road message protocol for REST, r1) answers them.
#pragma once

#include <string_view>

#include "core/base/status.h"
#include "core/net/http_message.h"

namespace truc::gateway::rest {

// The answer to a request that failed in a gateway:
//   - status 400 for a "Client.*" type, 500 for every other (HttpStatusForErrorType);
//   - an "X-Road-Error: {type}" header;
//   - the body {"type": .., "message": .., "detail": ..} as "application/json;charset=utf-8", or
//     <error><type/><message/><detail/></error> when the request's Accept lists
//     "application/xml" or "text/xml" (in any Accept field, parameters ignored): then the body is
//     of the first of those two the request listed, with ";charset=utf-8". Any other or no Accept,
//     "*/*" included, gets JSON.
// `typed_error` (not OK) is a failure typed with gateway/errors.h; its reason is the type and its
// message the message. An untyped failure is typed as the consumer's gateway raising it (the REST
// interface is the consumer's): Server.ClientProxy.InternalError, Timeout or NetworkError.
// `detail` identifies the failure in the gateway's log (X-Road sends a UUID). Every text is
// escaped, so a message quoting hostile input cannot break out of its field.
net::HttpResponse RenderErrorResponse(const Status& typed_error, std::string_view detail,
                                      const net::HttpHeaders& request_headers);

}  // namespace truc::gateway::rest
