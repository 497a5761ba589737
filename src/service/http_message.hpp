// The service's view of one HTTP exchange, whatever carries it: the handlers read an HttpRequest
// and fill an HttpResponse; the transport (http_transport.hpp) parses and writes the wire form.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aiguillage::service {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded, without the query
  // The query's parameters in their order, names and values percent-decoded ('+' is a space);
  // a name without '=' has an empty value.
  std::vector<std::pair<std::string, std::string>> params;
  // [0] the whole path, then the groups of the route's pattern (set by the router).
  std::vector<std::string> matches;
  // The headers the service reads; empty when absent.
  std::string content_type, authorization, api_key;
  std::string body;

  bool has_param(std::string_view name) const;
  // The first value of the parameter, "" when absent.
  std::string param(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type;
  // Headers beyond Content-Type and Content-Length (Retry-After, Cache-Control).
  std::vector<std::pair<std::string, std::string>> headers;

  void set_content(std::string text, std::string_view type) {
    body = std::move(text);
    content_type = type;
  }
  void set_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// Percent-decodes `text`; with `plus_is_space` (a query) '+' is a space. A '%' not followed by
// two hexadecimal digits stays as it is.
std::string percent_decode(std::string_view text, bool plus_is_space);
// Fills req.path and req.params from a request target ("/v1/orient?date=2025-03-01").
void split_target(std::string_view target, HttpRequest& req);

}  // namespace aiguillage::service
