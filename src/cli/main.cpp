// The `aiguillage` command: evaluate, explain, check, test and hash rule packs; orient persons,
// record decisions and audit the decision log.
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <string_view>

#include "aiguillage/core/version.hpp"
#include "aiguillage/rules/pack.hpp"
#include "cli.hpp"
#include "progress.hpp"
#include "service/server.hpp"

namespace aiguillage::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: aiguillage <command> [options]\n"
    "\n"
    "commands:\n"
    "  eval PACK [FILE|-]         evaluate JSON records, one JSON result per line\n"
    "  explain PACK [FILE|-]      evaluate records and explain each result in words\n"
    "  check PACK                 static checks: gaps, overlaps, unreachable rules\n"
    "  test DIR                   run the test cases DIR/tests/*.json of a pack\n"
    "  hash PACK                  content hash of a pack (hash --json FILE: of any JSON file)\n"
    "  import-jdm FILE            convert a GoRules JDM decision graph into a pack\n"
    "  import-dmn FILE            convert a DMN model (1.1 to 1.5) into a pack\n"
    "  dmn-tck DIR                run DMN TCK test folders, print passed N of M test cases\n"
    "  export --to dmn|jdm PACK   a pack as a DMN 1.3 model or a ZEN graph (JDM)\n"
    "  orient PACK [FILE|-]       orientation proposal for each person (JSON Lines)\n"
    "  decide PACK FILE           decide proposals (policy, counsellors) into a decision log\n"
    "  notice PACK [FILE|-]       the notice given to each person (R311-3-1-2 CRPA)\n"
    "  log verify LOG             check the chain of a decision log, name the first bad line\n"
    "  log export|import|checkpoint  the PostgreSQL log, signed checkpoints\n"
    "  serve                      the HTTP JSON API (docs/service.md)\n"
    "  keys add|list|revoke       API keys of the service\n"
    "  replay LOG --packs DIR     re-evaluate logged decisions with the packs they name\n"
    "  report --log LOG --out DIR indicators, disparities, territorial consistency (HTML, JSON)\n"
    "  match --offers F --profiles F   best offers per person, with reasons (JSON Lines)\n"
    "  bank build --offers F --out B   a bank of offers (or --profiles) written to a file\n"
    "  explain-match ... --offer-id ID why this score, for one person and one offer\n"
    "  assign --offers F --profiles F  persons to offers over the whole population\n"
    "  packs [DIR]                the installed rule packs: id, version, validity, hash\n"
    "  version                    print the engine version\n"
    "\n"
    "PACK is a pack file or a folder holding pack.json.\n"
    "Run 'aiguillage <command> --help' for the options of a command.\n"
    "\n"
    "exit codes: 0 success; 1 records with errors, check errors, failed tests, a broken log\n"
    "            or replay differences;\n"
    "            2 usage error; 3 pack or document load error; 4 I/O error\n";

struct Command {
  std::string_view name;
  int (*run)(int, char**);
  std::string_view usage;
};

int cmd_version(int argc, char** argv) {
  parse_args(argc, argv, 2, {}, 0, 0);
  std::string line = "aiguillage " + std::string(engine_version()) + " (" +
                     std::string(kRulesetSchema) + " " + std::to_string(kRulesetMajor) + "." +
                     std::to_string(kRulesetMinor) + ")\n";
  write_out(line);
  return kExitOk;
}

const Command kCommands[] = {
    {"eval", cmd_eval,
     "usage: aiguillage eval PACK [FILE|-] [options]\n"
     "\n"
     "Evaluates each record of FILE (standard input when absent or '-'): JSON Lines (one\n"
     "object per line, blank lines skipped) or a single JSON object, pretty-printed or not.\n"
     "Prints one JSON result per record and per line, in input order. A rejected record\n"
     "prints {\"line\":N,\"status\":\"error\",\"errors\":[...]} and the others go on.\n"
     "\n"
     "options:\n"
     "  --date YYYY-MM-DD          reference date for records without reference_date\n"
     "  --trace                    include the trace (inputs, variables, rules) in results\n"
     "  --allow-unknown-fields     ignore fields the pack does not declare\n"
     "  --threads N                evaluate with N threads (output order is kept)\n"
     "\n"
     "exit codes: 0 all records evaluated; 1 some record had an error; 2 usage;\n"
     "            3 pack load error; 4 I/O error\n"},
    {"explain", cmd_explain,
     "usage: aiguillage explain PACK [FILE|-] [options]\n"
     "\n"
     "Evaluates each record like 'eval' and prints a readable explanation of every result,\n"
     "separated by blank lines.\n"
     "\n"
     "options:\n"
     "  --date YYYY-MM-DD          reference date for records without reference_date\n"
     "  --lang fr|en               language of the explanation (default fr)\n"
     "  --allow-unknown-fields     ignore fields the pack does not declare\n"
     "\n"
     "exit codes: 0 ok; 1 some record had an error; 2 usage; 3 pack load error; 4 I/O error\n"},
    {"check", cmd_check,
     "usage: aiguillage check PACK [--json]\n"
     "\n"
     "Loads the pack and checks every decision table for gaps, overlaps and unreachable\n"
     "rules (each with a counter-example), and the pack for unused inputs.\n"
     "\n"
     "options:\n"
     "  --json                     print the report as JSON\n"
     "\n"
     "exit codes: 0 no errors (warnings allowed); 1 errors found; 2 usage;\n"
     "            3 pack load error; 4 I/O error\n"},
    {"test", cmd_test,
     "usage: aiguillage test DIR [--json]\n"
     "\n"
     "Runs the test cases DIR/tests/*.json (aiguillage.testcases) against DIR/pack.json\n"
     "(DIR may also be the pack file). Prints one line per failure, the rules no case fired,\n"
     "and a last line \"N passed, M failed\".\n"
     "\n"
     "options:\n"
     "  --json                     print the report as JSON\n"
     "\n"
     "exit codes: 0 all cases passed; 1 some failed; 2 usage; 3 pack load error; 4 I/O error\n"},
    {"hash", cmd_hash,
     "usage: aiguillage hash PACK\n"
     "       aiguillage hash --json FILE\n"
     "\n"
     "Prints the content hash (sha256:...) of a pack, over the canonical form of its JSON:\n"
     "key order and whitespace do not change it. With --json, FILE is any JSON document\n"
     "('-' reads standard input) and is not loaded as a pack.\n"
     "\n"
     "exit codes: 0 ok; 2 usage; 3 load error (invalid pack or JSON); 4 I/O error\n"},
    {"import-jdm", cmd_import_jdm,
     "usage: aiguillage import-jdm FILE [options]\n"
     "\n"
     "Converts a GoRules ZEN decision graph (JDM JSON) made of decision tables into an\n"
     "aiguillage.ruleset document, printed on standard output. FILE may be '-'.\n"
     "\n"
     "options:\n"
     "  --id ID                    pack id (default imported/jdm)\n"
     "  --version V                pack version (default 1.0.0)\n"
     "  --valid-from YYYY-MM-DD    first day the pack applies (default 2000-01-01)\n"
     "\n"
     "exit codes: 0 ok; 2 usage; 3 the graph cannot be converted; 4 I/O error\n"},
    {"export", cmd_export,
     "usage: aiguillage export --to dmn|jdm PACK\n"
     "\n"
     "Writes the pack (a file, or a folder holding pack.json) on standard output as a DMN 1.3\n"
     "model (--to dmn; import-dmn reads it back to a pack of the same logic hash) or as a\n"
     "GoRules JDM graph that the ZEN engine evaluates (--to jdm; import-jdm reads it back).\n"
     "What the format cannot state is an error naming the pack element\n"
     "(inexpressible, -706). See docs/interop.md.\n"
     "\n"
     "exit codes: 0 ok; 2 usage; 3 the pack cannot be loaded or exported; 4 I/O error\n"},
    {"import-dmn", cmd_import_dmn,
     "usage: aiguillage import-dmn FILE [options]\n"
     "\n"
     "Converts a DMN model (XML, DMN 1.1 to 1.5: input data, decision tables, literal\n"
     "expressions, business knowledge models) into an aiguillage.ruleset document, printed on\n"
     "standard output. FILE may be '-'. What cannot be mapped is an error naming the element.\n"
     "\n"
     "options:\n"
     "  --id ID                    pack id (default imported/dmn)\n"
     "  --version V                pack version (default 1.0.0)\n"
     "  --valid-from YYYY-MM-DD    first day the pack applies (default 2000-01-01)\n"
     "\n"
     "exit codes: 0 ok; 2 usage; 3 the model cannot be converted; 4 I/O error\n"},
    {"dmn-tck", cmd_dmn_tck,
     "usage: aiguillage dmn-tck DIR [--csv FILE]\n"
     "\n"
     "Runs the DMN TCK test cases of DIR (a test folder, or a folder of them such as\n"
     "compliance-level-2): imports each model, evaluates each test case and compares the\n"
     "results. Prints one line per case that does not pass and a last line\n"
     "\"passed N of M test cases\".\n"
     "\n"
     "options:\n"
     "  --csv FILE                 write the results in the TCK's format (tck_results.csv)\n"
     "\n"
     "exit codes: 0 all passed; 1 some did not; 2 usage; 4 I/O error\n"},
    {"orient", cmd_orient,
     "usage: aiguillage orient PACK [FILE|-] --date YYYY-MM-DD [--trace]\n"
     "\n"
     "Proposes an orientation for each person of FILE (standard input when absent or '-'),\n"
     "JSON Lines: one proposal per line, in input order (status, evident, review_reasons,\n"
     "questions, reference_date, outputs, inputs, fired, errors, pack, engine). A person's\n"
     "\"person_id\" is not given to the pack; it is repeated first in the proposal. A rejected\n"
     "person prints {\"line\":N,...,\"errors\":[...]} and the others go on.\n"
     "\n"
     "options:\n"
     "  --date YYYY-MM-DD          reference date of the orientation (required)\n"
     "  --trace                    include the trace of the evaluation\n"
     "\n"
     "exit codes: 0 ok; 1 some person was rejected; 2 usage; 3 pack load error; 4 I/O error\n"},
    {"decide", cmd_decide,
     "usage: aiguillage decide PACK FILE --date YYYY-MM-DD --log LOG [options]\n"
     "\n"
     "Proposes an orientation for each person of FILE, takes the decisions given in\n"
     "--decisions and, with --auto, confirms the evident proposals by the deployment's policy;\n"
     "appends a decision record (aiguillage.decision_record) per decision to LOG, synced to\n"
     "disk. Others stay pending. Prints one line per person: decided (with the record's hash),\n"
     "pending (with the review reasons and questions) or error; a summary goes to stderr.\n"
     "\n"
     "options:\n"
     "  --date YYYY-MM-DD          reference date of the orientation (required)\n"
     "  --log LOG                  the decision log to append to (required; created if absent)\n"
     "  --decisions FILE           decisions, JSON Lines: {\"line\": N or \"person_id\": ID,\n"
     "                             \"action\": confirm|override|reorient, \"reason\",\n"
     "                             \"outputs\", \"decided_at\", \"actor\"}\n"
     "  --auto                     confirm evident proposals by policy (decided_by: policy)\n"
     "  --actor ROLE               role of the person deciding, for decisions without \"actor\"\n"
     "  --key-file FILE            the pseudonymisation key (else $AIG_PSEUDONYM_KEY); required\n"
     "  --at TIMESTAMP             decided_at and recorded_at when not given (default: --date)\n"
     "\n"
     "exit codes: 0 ok; 1 a person rejected, a decision refused or matching no person, or the\n"
     "            log is broken; 2 usage; 3 pack or decisions load error; 4 I/O error\n"},
    {"notice", cmd_notice,
     "usage: aiguillage notice PACK [FILE|-] --date YYYY-MM-DD [options]\n"
     "\n"
     "Prints the notice for each person of FILE: the explicit mention of an algorithmic\n"
     "treatment and the four items of R311-3-1-2 CRPA applied to the person. Notices are\n"
     "separated by a form feed line. Without a decision the notice describes a proposal\n"
     "awaiting a counsellor.\n"
     "\n"
     "options:\n"
     "  --date YYYY-MM-DD          reference date of the orientation (required)\n"
     "  --lang fr|en               language (default fr)\n"
     "  --decisions FILE           decisions to describe (same format as for decide)\n"
     "  --actor ROLE               role for decisions without \"actor\"\n"
     "  --auto                     describe evident proposals as confirmed by policy\n"
     "  --at TIMESTAMP             decided_at when not given (default: --date)\n"
     "\n"
     "exit codes: 0 ok; 1 some person was rejected or a decision refused; 2 usage;\n"
     "            3 pack or decisions load error; 4 I/O error\n"},
    {"log", cmd_log,
     "usage: aiguillage log verify (LOG | --db URL) [--public-key PEM] [--json]\n"
     "       aiguillage log export --db URL > log.jsonl\n"
     "       aiguillage log import --db URL LOG\n"
     "       aiguillage log checkpoint (LOG | --db URL) --key PEM\n"
     "\n"
     "export writes the PostgreSQL log as the file backend writes it, byte for byte; import\n"
     "loads a verified log file into an empty database log; checkpoint signs the chain's head\n"
     "with an Ed25519 key (LOG.checkpoints, or the database). With --public-key, verify also\n"
     "checks every signed checkpoint: a tail rewritten with recomputed hashes is detected.\n"
     "\n"
     "Checks every line of a decision log: valid JSON, sequence number, link to the previous\n"
     "line's hash, its own hash, canonical layout, and a complete last line. Prints\n"
     "\"ok: N records, last hash sha256:...\" or \"broken at line K: reason\".\n"
     "\n"
     "options:\n"
     "  --json                     print {\"ok\",\"records\",\"first_bad\",\"torn_tail\",\n"
     "                             \"message\",\"last_hash\"}\n"
     "\n"
     "exit codes: 0 intact; 1 broken; 2 usage; 4 I/O error\n"},
    {"replay", cmd_replay,
     "usage: aiguillage replay LOG --packs DIR [--json]\n"
     "       aiguillage replay LOG --against PACK [--json]\n"
     "       aiguillage replay --db URL (--packs DIR | --against PACK) [--json]\n"
     "\n"
     "Re-evaluates each record of a verified decision log with the pack it names by hash,\n"
     "found among the pack.json files under DIR, and compares the outputs with the recorded\n"
     "proposal: identical, different (with the diff) or pack missing. With --against, every\n"
     "record is replayed under PACK to show whom a rule change would move (differences from\n"
     "the proposal, and from a counsellor's override).\n"
     "\n"
     "options:\n"
     "  --packs DIR                folder searched recursively for packs\n"
     "  --against PACK             replay under this pack, whatever the records name\n"
     "  --json                     print the report as JSON\n"
     "\n"
     "exit codes: 0 all identical (with --against: no errors); 1 differences, missing packs,\n"
     "            errors, or a broken log; 2 usage; 3 pack load error; 4 I/O error\n"},
    {"report", cmd_report,
     "usage: aiguillage report (--log LOG | --db URL) --out DIR [options]\n"
     "\n"
     "Reads the decision log (a file, or PostgreSQL: a libpq URL) and writes DIR/report.json, "
     "DIR/report.html and one CSV per table: indicators per territory,\n"
     "per month and overall, disparities between groups, territorial consistency and, with\n"
     "--against, the impact of a candidate pack (docs/report.md).\n"
     "\n"
     "options:\n"
     "  --packs DIR                packs the records name (default: rules)\n"
     "  --persons FILE --key-env VAR  attributes the records lack, joined by pseudonym\n"
     "  --from DATE --to DATE      reference dates, inclusive\n"
     "  --territory LIST           only these territories (comma-separated)\n"
     "  --group-by LIST            group attributes (default: age band, RSA, BOE, diploma,\n"
     "                             territory and the inputs the pack marks as monitored)\n"
     "  --lang fr|en               language of the report (default fr)\n"
     "  --threshold N              smallest count shown, at least 5 (default 11)\n"
     "  --unverified               report a log that does not verify, and say so\n"
     "  --against PACK             impact of replacing the rules by PACK\n"
     "  --no-territorial           skip the territorial replay\n"
     "  --threads N                worker threads (default 2)\n"
     "  --matches FILE --match-persons FILE  exposure of groups in a match run's top-k\n"
     "                             (aiguillage match output; persons by person_id = profile id)\n"
     "  --match-profiles FILE      the run's profiles: gaps compared at equal matching criteria\n"
     "\n"
     "exit codes: 0 written; 1 the log does not verify; 2 usage; 3 pack load error; 4 I/O\n"},
    {"match", cmd_match,
     "usage: aiguillage match --offers FILE (--profile FILE | --profiles FILE) [options]\n"
     "\n"
     "Prints the best K offers of each person by the additive score (docs/matching.md), or\n"
     "with --persons the best K persons for each offer, JSON Lines: profile_id, offer_id,\n"
     "rank, cohort_size, score, reason_codes and the principal reasons. The answer is exact\n"
     "(the same as scoring every pair) and found through a competence index, so that only a\n"
     "fraction of the pairs is scored. Documents a hard constraint excludes are never listed.\n"
     "A rejected offer or profile prints\n"
     "{\"file\":...,\"line\":N,\"status\":\"error\",\"errors\":[...]} and the others go on.\n"
     "\n"
     "options:\n"
     "  --referential DIR          ROME 4.0 CSV folder (default: the installed ROME subset,\n"
     "                             data/rome-subset of the data folder, see `aiguillage packs`)\n"
     "  --esco DIR                 ESCO v1.1.1 zips to add to the referential\n"
     "  --offers FILE              offers, JSON Lines (required)\n"
     "  --profile FILE             one aiguillage.profile document\n"
     "  --profiles FILE            profiles, JSON Lines\n"
     "  --scoring FILE             aiguillage.scoring document (default: the installed\n"
     "                             rules/matching/scoring-default.json)\n"
     "  --top K                    offers per person (persons per offer) (default 10)\n"
     "  --persons                  the best persons for each offer instead\n"
     "  --departements 75,2A,...   only documents in these départements\n"
     "  --contracts CDI,CDD,...    only offers of these contract types (persons who accept one)\n"
     "  --max-km N                 only documents within N km of the person (of the offer)\n"
     "  --threads N                answer N queries at a time (default 1)\n"
     "  --lang fr|en               language of the texts (default fr)\n"
     "  --explain                  add the full explanation (terms, credits, counterfactual),\n"
     "                             from the bank's answer: no other document is scored\n"
     "  --exposure FILE            write the share of persons per group and territory listed\n"
     "                             at least once (aiguillage.match_exposure)\n"
     "  --bank BANK                read the bank from a file of `aiguillage bank build` (offers;\n"
     "                             with --persons, persons) instead of --offers (--profiles);\n"
     "                             its scoring is the one it was built with\n"
     "\n"
     "exit codes: 0 ok; 1 some offer or profile was rejected; 2 usage;\n"
     "            3 referential or scoring load error; 4 I/O error\n"},
    {"bank", cmd_bank,
     "usage: aiguillage bank build (--offers FILE | --profiles FILE) --out BANK [options]\n"
     "\n"
     "Builds a bank of offers (for persons' queries) or of persons (for offers' queries) and\n"
     "writes it to BANK, with its documents, index and scoring, the referential's fingerprint\n"
     "and a SHA-256 checksum (docs/matching.md, \"Bank files\"). `match --bank BANK` then reads\n"
     "it instead of building it. Prints one line per refused document, then\n"
     "{\"bank\", \"documents\", \"rejected\", \"out\"}.\n"
     "\n"
     "options:\n"
     "  --referential DIR, --esco DIR, --scoring FILE   as for match\n"
     "  --threads N                build on N threads (default 1; the same file on any N)\n"
     "\n"
     "exit codes: 0 written; 1 some document was refused (the others are in the bank);\n"
     "            2 usage; 3 referential or scoring load error; 4 I/O error\n"},
    {"explain-match", cmd_explain_match,
     "usage: aiguillage explain-match --offers FILE (--profile FILE | --profiles FILE)\n"
     "                                --offer-id ID [--profile-id ID] [options]\n"
     "\n"
     "Explains one person's score for one offer: the principal reasons, the counterfactual,\n"
     "the hard constraints, the rank among all the offers scored for the person (with\n"
     "--persons: among all the persons scored for the offer), the full term table and every\n"
     "competence credit with the referential edges behind it (docs/matching-explanations.md).\n"
     "\n"
     "options:\n"
     "  --referential DIR, --esco DIR, --scoring FILE   as for match\n"
     "  --offer-id ID              the offer (required)\n"
     "  --profile-id ID            the person (may be left out when the file holds one)\n"
     "  --persons                  rank among the persons scored for the offer\n"
     "  --top N                    \"would enter your top N\" in the counterfactual (10)\n"
     "  --lang fr|en               language of the text (default fr)\n"
     "  --json                     the aiguillage.match_explanation document instead of text\n"
     "  --employer                 for the employer: the offer's competences the person holds,\n"
     "                             holds through a related one (with the path), or lacks\n"
     "\n"
     "The rank is found by the bank's top-k search, not by scoring every document.\n"
     "\n"
     "exit codes: 0 ok; 1 a record was rejected or the person or offer is not found; 2 usage;\n"
     "            3 referential or scoring load error; 4 I/O error\n"},
    {"assign", cmd_assign,
     "usage: aiguillage assign --offers FILE --profiles FILE [options]\n"
     "\n"
     "Assigns persons to offers over the whole population. Each person's allowed offers are\n"
     "their best K by the full score (offers a hard constraint excludes never); an offer has\n"
     "nombrePostes places. --mode optimal (default): the most pairs, then the highest total\n"
     "score (min-cost flow); --mode stable: deferred acceptance, preferences from the scores.\n"
     "Prints one JSON line per pair (profile_id, offer_id, score, rank_for_person), then\n"
     "{\"summary\":{mode, persons, offers, positions, pairs, total_score,\n"
     "unassigned_persons}}.\n"
     "\n"
     "options:\n"
     "  --referential DIR, --esco DIR, --scoring FILE   as for match\n"
     "  --candidates K             offers considered per person (default 20)\n"
     "  --per-person P             offers proposed to each person, optimal mode (default 1)\n"
     "  --one-position             one place per offer, whatever nombrePostes says\n"
     "  --proposing persons|offers which side proposes in stable mode (default persons)\n"
     "  --threads N                candidates of N persons at a time (default 1)\n"
     "\n"
     "exit codes: 0 ok; 1 a record was rejected; 2 usage; 3 referential or scoring load\n"
     "            error; 4 I/O error\n"},
    {"serve", service::cmd_serve,
     "usage: aiguillage serve --packs DIR --keys FILE (--log FILE | --db URL) [options]\n"
     "\n"
     "Serves the HTTP JSON API (docs/service.md): packs, evaluation, orientation, notices,\n"
     "decisions written to the log before the reply, audit, matching; /health, /ready,\n"
     "/metrics, /openapi.json. Stops on SIGTERM after the requests in flight.\n"
     "\n"
     "options:\n"
     "  --config FILE              aiguillage.service_config JSON (flags win over it)\n"
     "  --host ADDR --port N       listen address (default 127.0.0.1:8080; port 0: any free)\n"
     "  --port-file FILE           write the port listened on to FILE\n"
     "  --threads N                threads for requests that wait for the log (default 8)\n"
     "  --packs DIR                folder searched for pack.json files (required)\n"
     "  --default-pack ID          pack of /v1/orient, /v1/notice, /v1/decisions\n"
     "  --keys FILE                API keys (aiguillage keys add) (required)\n"
     "  --log FILE | --db URL      the decision log: a file, or PostgreSQL\n"
     "  --db-connections N         PostgreSQL connections (default: --threads)\n"
     "  --pseudonym-key-file FILE  pseudonymisation key (else $AIG_PSEUDONYM_KEY)\n"
     "  --checkpoint-key PEM       Ed25519 key signing checkpoints of the log\n"
     "  --checkpoint-every N       sign the head every N decisions (default: on demand)\n"
     "  --referential DIR --esco DIR --offers FILE --scoring FILE   matching data\n"
     "  --max-body-bytes N --max-json-depth N --max-batch-records N\n"
     "  --request-timeout-ms N --max-in-flight N --max-connections N  limits\n"
     "  --access-log               a line per request on stderr (no personal data)\n"
     "\n"
     "exit codes: 0 stopped; 2 usage; 3 load error; 4 cannot listen or reach the log\n"},
    {"keys", service::cmd_keys,
     "usage: aiguillage keys add --file FILE --role ROLE [--label TEXT]\n"
     "       aiguillage keys list --file FILE\n"
     "       aiguillage keys revoke --file FILE ID\n"
     "\n"
     "Manages the API keys of the service. add prints the new key once, on the last line;\n"
     "only its hash is stored. ROLE is admin, auditor or a decision role of the packs\n"
     "(the values of their output decideur).\n"},
    {"packs", cmd_packs,
     "usage: aiguillage packs [DIR]\n"
     "\n"
     "Lists the rule packs installed with aiguillage (share/aiguillage/rules, or "
     "$AIG_DATA_DIR/rules),\n"
     "or those under DIR: id, version, validity (from..to, inclusive), content hash and folder,\n"
     "tab-separated, one pack a line.\n"
     "\n"
     "exit codes: 0 ok; 2 usage; 3 no data folder, or a pack that does not load (its path is\n"
     "            named); 4 I/O error\n"},
    {"version", cmd_version,
     "usage: aiguillage version\n"
     "\n"
     "Prints the engine version and the pack schema version it reads.\n"},
};

int run(int argc, char** argv) {
  if (argc < 2) {
    std::fwrite(kUsage.data(), 1, kUsage.size(), stderr);
    return kExitUsage;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    write_out(kUsage);
    return kExitOk;
  }
  if (name == "--version") return cmd_version(1, argv);
  for (const Command& c : kCommands) {
    if (c.name != name) continue;
    for (int k = 2; k < argc && std::string_view(argv[k]) != "--"; ++k)
      if (std::string_view(argv[k]) == "--help" || std::string_view(argv[k]) == "-h") {
        write_out(c.usage);
        return kExitOk;
      }
    try {
      if (progress::wanted(name, argc, argv)) progress::enable(name);
      const int code = c.run(argc, argv);
      progress::finish();
      return code;
    } catch (const UsageError& e) {
      std::string msg = "error: " + std::string(e.what()) + "\n" +
                        std::string(c.usage.substr(0, c.usage.find('\n'))) + "\n" +
                        "run 'aiguillage " + std::string(name) + " --help' for details\n";
      std::fwrite(msg.data(), 1, msg.size(), stderr);
      return kExitUsage;
    }
  }
  std::string msg = "error: unknown command " + std::string(name) + "\n" +
                    "run 'aiguillage --help' for the list of commands\n";
  std::fwrite(msg.data(), 1, msg.size(), stderr);
  return kExitUsage;
}

}  // namespace
}  // namespace aiguillage::cli

int main(int argc, char** argv) {
  using namespace aiguillage::cli;
  int code;
  try {
    code = run(argc, argv);
  } catch (const aiguillage::Error& e) {
    code = report(e, kExitLoad);
  } catch (const std::bad_alloc&) {
    // Out of memory is a property of the input (too large for this machine), reported like a
    // document that cannot be loaded, with its pinned code.
    code = report(aiguillage::Error(aiguillage::ErrorCode::resource_exhausted,
                                    "out of memory: the input is too large for the memory "
                                    "available"),
                  kExitLoad);
  } catch (const std::exception& e) {
    code = report(aiguillage::Error(aiguillage::ErrorCode::internal, e.what()), kExitFailed);
  }
  if (std::fflush(stdout) != 0) {
    std::fputs("error: io at /: cannot write to standard output\n", stderr);
    if (code == kExitOk) code = kExitIo;
  }
  return code;
}
