// The service's HTTP/1.1 transport on Boost.Beast: event loops (one io_context per thread)
// accept connections and reads requests with Beast's parser; the service's handlers see
// an HttpRequest and fill an HttpResponse (http_message.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "service/http_message.hpp"

namespace aiguillage::service {

struct TransportOptions {
  std::string host = "127.0.0.1";
  int port = 0;                      // 0: a free port
  std::size_t loop_threads = 1;      // event loops, one thread each
  std::size_t blocking_threads = 8;  // threads running the handlers that may wait
  std::size_t max_body_bytes = 8u << 20;
  std::size_t max_header_bytes = 16u << 10;
  std::chrono::milliseconds io_timeout{30000};  // to receive a request, or send an answer
  std::size_t max_connections = 10000;
};

struct TransportHandlers {
  // Serves a request (any thread).
  std::function<void(HttpRequest&, HttpResponse&)> serve;
  // True when serving the request may wait (for the log's commit, the database, a file): it then
  // runs on the blocking threads, never on the event loop's.
  std::function<bool(const HttpRequest&)> may_block;
  // The answer to a request the transport refuses by itself: 400 (malformed), 413 (body over the
  // limit), 429 (too many connections).
  std::function<void(int status, HttpResponse&)> refusal;
};

class HttpTransport {
 public:
  HttpTransport(TransportOptions options, TransportHandlers handlers);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Listens (throws Error(io) on failure) and returns the port.
  int bind();
  // Serves until stop(), then returns once every request in flight is answered and every connection
  // closed.
  void run();
  // Stops accepting, closes the idle connections, lets the others finish their request and close.
  // Safe from any thread.
  void stop();

 private:
  friend class HttpSession;  // a connection (http_transport.cpp)
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aiguillage::service
