// Progress on standard error for the long commands (eval, explain, orient, notice, decide,
// match, assign, replay): shown when stderr is a terminal or --progress is given, never on
// standard output. One line, rewritten in place on a terminal; at most a few updates a second.
#pragma once

#include <cstddef>
#include <string_view>

namespace aiguillage::cli::progress {

// Turned on once by main for the command being run.
void enable(std::string_view command);
bool enabled();

// `n` more records handed to the command.
void records(std::size_t n);
// A step of a command that does its work in one call (loading, matching, replaying).
void stage(std::string_view what);
// The final line: records and elapsed time.
void finish();

// Removes --progress (before any "--") from argv; returns whether it was there.
bool take_flag(int& argc, char** argv);

// For the long commands: takes --progress out of argv; true when it was given or stderr is a
// terminal.
bool wanted(std::string_view command, int& argc, char** argv);

}  // namespace aiguillage::cli::progress
