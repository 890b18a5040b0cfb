#pragma once
// Whether this process can read a source now, and if not why, in the words check-config prints: a new
// user learns that the journal is closed to the service user or that the log file is root:adm 0640
// before wondering why nothing is counted. Nothing is opened for good, nothing is bound.

#include <string>

namespace mta {

struct Readiness {
  bool ready = false;
  std::string detail;  // "…/mail.log is readable"; "…: Permission denied (owner root:adm, mode 0640)"
};

// A file source's path or glob (log_files_of).
Readiness file_readiness(const std::string& pattern);

// The local journal, or the journal files of `directory`: open, and the system journal readable.
Readiness journal_readiness(const std::string& directory);

// A unix syslog socket path: its folder exists and this user may create the socket there.
Readiness unix_socket_readiness(const std::string& path);

}  // namespace mta
