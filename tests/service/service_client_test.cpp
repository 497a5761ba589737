// `aiguillage serve` driven by a C++ client (cpp-httplib's, over keep-alive connections): the
// service is started by the test on a free port with a file log, as a portal would reach it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kDate = "2025-03-01";
const char* const kRoles[] = {"france_travail", "mission_locale",
                              "cap_emploi",     "president_conseil_departemental",
                              "auditor",        "admin"};

std::string run(const std::string& command) {
  std::string out;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

std::vector<std::string> persons(std::size_t n) {
  std::ifstream in(fs::path(AIG_SOURCE_DIR) / "examples" / "data" / "persons-1000.jsonl");
  std::vector<std::string> out;
  for (std::string line; out.size() < n && std::getline(in, line);) out.push_back(line);
  return out;
}

// One `aiguillage serve` for the whole suite: keys for every role, a file log in a fresh folder.
class ServiceClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("aig-cpp-client-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const fs::path keys = dir_ / "keys.json";
    for (const char* role : kRoles) {
      const std::string out =
          run(std::string(AIG_CLI_PATH) + " keys add --file " + keys.string() + " --role " + role);
      const std::size_t end = out.find_last_not_of('\n');
      const std::size_t start = out.find_last_of('\n', end);
      keys_[role] = out.substr(start == std::string::npos ? 0 : start + 1, end - start);
    }
    std::ofstream(dir_ / "pseudonym.key") << "cpp-client-test-key-0123456789";
    const fs::path port_file = dir_ / "port";
    std::vector<std::string> args = {AIG_CLI_PATH,
                                     "serve",
                                     "--packs",
                                     (fs::path(AIG_SOURCE_DIR) / "rules").string(),
                                     "--default-pack",
                                     "fr/orientation",
                                     "--keys",
                                     keys.string(),
                                     "--log",
                                     (dir_ / "decisions.jsonl").string(),
                                     "--pseudonym-key-file",
                                     (dir_ / "pseudonym.key").string(),
                                     "--threads",
                                     "16",
                                     "--port",
                                     "0",
                                     "--port-file",
                                     port_file.string()};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ), 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!fs::exists(port_file)) {
      int status = 0;
      ASSERT_EQ(::waitpid(pid_, &status, WNOHANG), 0) << "aiguillage serve exited";
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "aiguillage serve did not start";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::ifstream(port_file) >> port_;
  }

  static void TearDownTestSuite() {
    if (pid_ > 0 && stop() != 0) ADD_FAILURE() << "aiguillage serve did not stop cleanly";
    fs::remove_all(dir_);
  }

  // SIGTERM; the exit status (0 when the requests in flight finished and the log closed).
  static int stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  static std::unique_ptr<httplib::Client> client() {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_keep_alive(true);
    // The client writes the headers and the body apart: without it, Nagle's algorithm holds
    // the body until the server's delayed ACK (40 ms a request).
    c->set_tcp_nodelay(true);
    c->set_read_timeout(60, 0);
    return c;
  }

  static httplib::Headers auth(const std::string& role) {
    return {{"Authorization", "Bearer " + keys_.at(role)}};
  }

  static std::string decideur(httplib::Client& c, const std::string& person) {
    auto r = c.Post("/v1/orient?date=" + kDate, auth("admin"), person, "application/json");
    if (!r || r->status != 200) return {};
    return Json::parse(r->body)["outputs"]["decideur"].get<std::string>();
  }

  static std::string decision(const std::string& person) {
    return R"({"person":)" + person + R"(,"reference_date":")" + kDate +
           R"(","action":"confirm","decided_at":"2025-03-02T10:00:00Z"})";
  }

  static inline fs::path dir_;
  static inline pid_t pid_ = -1;
  static inline int port_ = 0;
  static inline std::map<std::string, std::string> keys_;
};

TEST_F(ServiceClientTest, OpenRoutesNeedNoKeyOthersAnswer401Then403) {
  auto c = client();
  auto health = c->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto ready = c->Get("/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(Json::parse(ready->body)["status"], "ready");

  auto none = c->Get("/v1/log/verify");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  const Json error = Json::parse(none->body);
  EXPECT_EQ(error["schema"], "aiguillage.error");
  EXPECT_EQ(error["errors"][0]["name"], "unauthorized");

  auto wrong = c->Get("/v1/log/verify", auth("france_travail"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  EXPECT_EQ(Json::parse(wrong->body)["errors"][0]["name"], "forbidden");

  auto auditor =
      c->Post("/v1/decisions", auth("auditor"), decision(persons(1)[0]), "application/json");
  ASSERT_TRUE(auditor);
  EXPECT_EQ(auditor->status, 403);
}

TEST_F(ServiceClientTest, OneConnectionKeptAliveGivesTheSameProposalEveryTime) {
  auto c = client();
  const std::string person = persons(1)[0];
  std::string first;
  for (int k = 0; k < 200; ++k) {
    auto r =
        c->Post("/v1/orient?date=" + kDate, auth("france_travail"), person, "application/json");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    ASSERT_EQ(r->status, 200) << r->body;
    if (k == 0) first = r->body;
    ASSERT_EQ(r->body, first) << "answer " << k << " differs";
  }
  const Json proposal = Json::parse(first);
  EXPECT_EQ(proposal["person_id"], "demo-0001");
  EXPECT_TRUE(proposal["outputs"].contains("decideur"));
}

TEST_F(ServiceClientTest, BatchAnswersOneLinePerPersonInOrder) {
  auto c = client();
  const std::vector<std::string> batch = persons(100);
  std::string body;
  for (const std::string& p : batch) body += p + "\n";
  auto r = c->Post("/v1/orient?date=" + kDate, auth("admin"), body, "application/x-ndjson");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-ndjson");
  std::istringstream lines(r->body);
  std::size_t k = 0;
  for (std::string line; std::getline(lines, line); ++k) {
    ASSERT_LT(k, batch.size());
    EXPECT_EQ(Json::parse(line)["person_id"], Json::parse(batch[k])["person_id"]);
  }
  EXPECT_EQ(k, batch.size());
}

TEST_F(ServiceClientTest, ConcurrentDecisionsFormOneChainEachReceiptIsInTheLog) {
  const std::vector<std::string> people = persons(80);
  std::vector<std::string> roles;
  {
    auto c = client();
    for (const std::string& p : people) roles.push_back(decideur(*c, p));
  }
  struct Receipt {
    int status = 0;
    std::uint64_t seq = 0;
    std::string hash;
  };
  std::vector<Receipt> receipts(people.size());
  std::vector<std::thread> threads;
  constexpr std::size_t kClients = 8;
  for (std::size_t t = 0; t < kClients; ++t)
    threads.emplace_back([&, t] {
      auto c = client();  // one keep-alive connection per client
      for (std::size_t k = t; k < people.size(); k += kClients) {
        auto r = c->Post("/v1/decisions", auth(roles[k]), decision(people[k]), "application/json");
        if (!r) continue;
        receipts[k].status = r->status;
        if (r->status != 201) continue;
        const Json j = Json::parse(r->body);
        receipts[k].seq = j["seq"].get<std::uint64_t>();
        receipts[k].hash = j["hash"].get<std::string>();
      }
    });
  for (std::thread& t : threads) t.join();

  std::set<std::uint64_t> seqs;
  for (const Receipt& r : receipts) {
    ASSERT_EQ(r.status, 201);
    seqs.insert(r.seq);
  }
  EXPECT_EQ(seqs.size(), people.size());
  EXPECT_EQ(*seqs.begin(), 1u);
  EXPECT_EQ(*seqs.rbegin(), people.size());

  auto c = client();
  for (const Receipt& r : receipts) {
    auto line = c->Get("/v1/decisions/" + std::to_string(r.seq), auth("auditor"));
    ASSERT_TRUE(line);
    ASSERT_EQ(line->status, 200);
    EXPECT_EQ(Json::parse(line->body)["hash"], r.hash);
  }
  auto verify = c->Get("/v1/log/verify", auth("auditor"));
  ASSERT_TRUE(verify);
  const Json v = Json::parse(verify->body);
  EXPECT_EQ(v["ok"], true);
  EXPECT_EQ(v["records"], people.size());

  // SIGTERM: the service finishes, the file holds every acknowledged line once.
  EXPECT_EQ(stop(), 0);
  std::ifstream log(dir_ / "decisions.jsonl");
  std::set<std::string> hashes;
  std::size_t lines = 0;
  for (std::string line; std::getline(log, line); ++lines)
    hashes.insert(Json::parse(line)["hash"].get<std::string>());
  EXPECT_EQ(lines, people.size());
  for (const Receipt& r : receipts) EXPECT_TRUE(hashes.count(r.hash)) << r.hash;
}

}  // namespace
