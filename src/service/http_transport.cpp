#include "service/http_transport.hpp"

#include <algorithm>
#include <atomic>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "aiguillage/core/error.hpp"
#include "core/parallel.hpp"

// How the work is spread. options.loop_threads event loops (one io_context each, run by one
// thread: no lock taken between threads, no thread woken for another's connection) accept, read
// requests with Beast's parser, write answers, and serve the requests that never wait (health,
// packs, evaluation, orientation, notices, matching: CPU only, tens of µs). The first loop accepts
// and deals the connections to the loops in turn. A connection reads its next request only once
// its answer is written: pipelined requests are answered in their order. The requests that may
// wait — a decision waits for the group commit of the log (fsync or COMMIT) before it is
// acknowledged, log reads and replays go to the file or the database, batches run long — are
// posted to another io_context (`blocking`) run by options.blocking_threads threads; the answer
// is posted back to the connection's loop. The event loops never wait for the log, and a group
// commit gathers as many decisions as there are blocking threads waiting on it.

namespace aiguillage::service {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using beast::error_code;

namespace {

std::string str(beast::string_view v) {
  return std::string(v.data(), v.size());
}

}  // namespace

class HttpSession;

struct HttpTransport::Impl {
  TransportOptions options;
  TransportHandlers handlers;
  // Declared before the io_contexts: sessions still queued in them unregister when destroyed.
  std::mutex sessions_mutex;
  std::list<std::weak_ptr<HttpSession>> sessions;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};
  std::vector<std::unique_ptr<net::io_context>> loops;
  net::io_context blocking;
  // The loops run until stop(), even without a connection.
  std::vector<net::executor_work_guard<net::io_context::executor_type>> loop_work;
  std::optional<tcp::acceptor> acceptor;  // on the first loop
  std::optional<net::steady_timer> accept_retry;
  std::size_t next_loop = 0;

  Impl(TransportOptions o, TransportHandlers h) : options(std::move(o)), handlers(std::move(h)) {
    const std::size_t n = std::max<std::size_t>(1, options.loop_threads);
    for (std::size_t k = 0; k < n; ++k) {
      loops.push_back(std::make_unique<net::io_context>(1));
      loop_work.push_back(net::make_work_guard(*loops.back()));
    }
    acceptor.emplace(*loops.front());
    accept_retry.emplace(*loops.front());
  }
  void accept();
  // Serves `req` into `res`; an exception escaping the handler is a 500.
  void serve(HttpRequest& req, HttpResponse& res) noexcept;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, net::io_context& loop, HttpTransport::Impl& t, bool over_limit)
      : stream_(std::move(socket)), loop_(loop), t_(t), over_limit_(over_limit) {}
  ~HttpSession() {
    t_.connections.fetch_sub(1);
    std::lock_guard lock(t_.sessions_mutex);
    t_.sessions.erase(self_);
  }
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  void start(std::list<std::weak_ptr<HttpSession>>::iterator self) {
    self_ = self;
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpSession::read, shared_from_this()));
  }
  net::any_io_executor executor() { return stream_.get_executor(); }

  // On stop: a connection waiting for its next request is closed; one in the middle of a request
  // finishes it and closes after its answer.
  void close_if_idle() {
    if (!busy_) stream_.cancel();
  }

 private:
  void read() {
    busy_ = false;
    if (t_.stopping) return close();
    parser_.emplace();
    parser_->body_limit(t_.options.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(t_.options.max_header_bytes));
    stream_.expires_after(t_.options.io_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
  }

  void on_header(error_code ec, std::size_t) {
    if (ec) return failed(ec);
    busy_ = true;  // a request begun is finished even when the service stops
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      continue_.emplace(http::status::continue_, parser_->get().version());
      return http::async_write(
          stream_, *continue_,
          beast::bind_front_handler(&HttpSession::on_continue, shared_from_this()));
    }
    read_body();
  }

  void on_continue(error_code ec, std::size_t) {
    if (ec) return close();
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void failed(error_code ec) {
    if (ec == http::error::body_limit) return refuse(413);
    // A malformed request (bad method, target, header, chunk, headers over the limit) is answered;
    // a connection closed, reset or timed out is closed.
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message)
      return refuse(400);
    close();
  }

  void refuse(int status) {
    HttpResponse res;
    t_.handlers.refusal(status, res);
    keep_alive_ = false;
    write(std::move(res));
  }

  void on_read(error_code ec, std::size_t) {
    if (ec) return failed(ec);
    http::request<http::string_body> msg = parser_->release();
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    if (over_limit_) return refuse(429);
    HttpRequest req;
    req.method = str(msg.method_string());
    const beast::string_view target = msg.target();
    split_target(std::string_view(target.data(), target.size()), req);
    req.content_type = str(msg[http::field::content_type]);
    req.authorization = str(msg[http::field::authorization]);
    req.api_key = str(msg["X-API-Key"]);
    req.body = std::move(msg.body());
    stream_.expires_never();
    if (!t_.handlers.may_block(req)) {
      HttpResponse res;
      t_.serve(req, res);
      return write(std::move(res));
    }
    // The work guard keeps the event loop running until the answer is posted back to it.
    net::post(t_.blocking, [self = shared_from_this(), req = std::move(req),
                            work = net::make_work_guard(loop_)]() mutable {
      HttpResponse res;
      self->t_.serve(req, res);
      net::post(self->stream_.get_executor(),
                [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
    });
  }

  void write(HttpResponse&& r) {
    response_.emplace();
    http::response<http::string_body>& m = *response_;
    m.version(version_);
    m.result(static_cast<unsigned>(r.status));
    if (!r.content_type.empty()) m.set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) m.set(name, value);
    m.body() = std::move(r.body);
    m.keep_alive(keep_alive_ && !t_.stopping);
    m.prepare_payload();
    stream_.expires_after(t_.options.io_timeout);
    http::async_write(stream_, m,
                      beast::bind_front_handler(&HttpSession::on_write, shared_from_this()));
  }

  void on_write(error_code ec, std::size_t) {
    if (ec) return close();
    if (!response_->keep_alive()) return drain();
    response_.reset();
    read();
  }

  // A connection closed after an answer: the end of sending first, then what the client still sends
  // is read and dropped until it closes (a close with unread data would reset the connection, and
  // the client could lose the answer, such as a 413 sent before its body).
  void drain() {
    busy_ = false;
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(
        std::min<std::chrono::milliseconds>(t_.options.io_timeout, std::chrono::seconds(5)));
    scratch_.resize(16384);
    discard();
  }

  void discard() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->discard();
                            });
  }

  void close() {
    busy_ = false;
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  net::io_context& loop_;
  HttpTransport::Impl& t_;
  bool over_limit_;
  bool busy_ = false;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> response_;
  std::vector<char> scratch_;
  std::list<std::weak_ptr<HttpSession>>::iterator self_;
};

void HttpTransport::Impl::serve(HttpRequest& req, HttpResponse& res) noexcept {
  try {
    handlers.serve(req, res);
  } catch (...) {
    res = HttpResponse();
    try {
      handlers.refusal(500, res);
    } catch (...) {
      res.status = 500;
    }
  }
}

void HttpTransport::Impl::accept() {
  net::io_context& loop = *loops[next_loop];
  next_loop = (next_loop + 1) % loops.size();
  acceptor->async_accept(loop, [this, &loop](error_code ec, tcp::socket socket) {
    if (stopping || !acceptor->is_open()) return;
    if (ec) {
      // Out of descriptors or memory: try again shortly rather than spin.
      accept_retry->expires_after(std::chrono::milliseconds(50));
      accept_retry->async_wait([this](error_code e) {
        if (!e) accept();
      });
      return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // small answers never wait for an ACK
    const bool over = connections.fetch_add(1) >= options.max_connections;
    auto session = std::make_shared<HttpSession>(std::move(socket), loop, *this, over);
    std::list<std::weak_ptr<HttpSession>>::iterator it;
    {
      std::lock_guard lock(sessions_mutex);
      it = sessions.insert(sessions.end(), session);
    }
    session->start(it);
    accept();
  });
}

HttpTransport::HttpTransport(TransportOptions options, TransportHandlers handlers)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handlers))) {}

HttpTransport::~HttpTransport() = default;

int HttpTransport::bind() {
  Impl& d = *impl_;
  const std::string where = d.options.host + ":" + std::to_string(d.options.port);
  error_code ec;
  tcp::resolver resolver(*d.loops.front());
  const auto found = resolver.resolve(d.options.host, std::to_string(d.options.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || found.empty()) throw Error(ErrorCode::io, "cannot listen on " + where);
  const tcp::endpoint endpoint = found.begin()->endpoint();
  d.acceptor->open(endpoint.protocol(), ec);
  if (!ec) d.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) d.acceptor->bind(endpoint, ec);
  if (!ec) d.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw Error(ErrorCode::io, "cannot listen on " + where + ": " + ec.message());
  return d.acceptor->local_endpoint().port();
}

void HttpTransport::run() {
  Impl& d = *impl_;
  const std::size_t loops = d.loops.size();
  const std::size_t blockers = std::max<std::size_t>(1, d.options.blocking_threads);
  auto blocking_work = net::make_work_guard(d.blocking);
  std::atomic<std::size_t> loops_running{loops};
  net::post(d.acceptor->get_executor(), [&d] { d.accept(); });
  // A loop ends when it has nothing left: stopped, its connections closed. The blocking threads
  // end after the last loop (nothing can be posted to them any more).
  detail::run_on_threads(loops + blockers, [&](std::size_t t) {
    if (t < loops) {
      d.loops[t]->run();
      if (loops_running.fetch_sub(1) == 1) blocking_work.reset();
    } else {
      d.blocking.run();
    }
  });
}

void HttpTransport::stop() {
  Impl& d = *impl_;
  if (d.stopping.exchange(true)) return;
  net::post(d.acceptor->get_executor(), [&d] {
    error_code ignored;
    d.acceptor->close(ignored);
    d.accept_retry->cancel();
  });
  for (auto& work : d.loop_work) work.reset();
  std::vector<std::shared_ptr<HttpSession>> live;
  {
    std::lock_guard lock(d.sessions_mutex);
    for (const std::weak_ptr<HttpSession>& w : d.sessions)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (std::shared_ptr<HttpSession>& s : live)
    net::post(s->executor(), [s] { s->close_if_idle(); });
}

}  // namespace aiguillage::service
