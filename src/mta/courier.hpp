#pragma once
// Courier's ESMTP server (courieresmtpd) logs every error reply it sends a client, in two forms
// (courier/courier/module.esmtp/courieresmtpd.C, svarshavchik/courier@fe506ccc):
//   iov_logerror():         "error,relay=IP,port=P[,ident="..."],msg="<reply>",cmd: <the client's line>"
//   print_submit_log_fix(): "error,relay=IP,port=P[,ident=...][,from=<sender>][,to=<rcpt>]: <reply>",
//                           the reply of its submit process to a sender or recipient
// (older releases write no port). Courier has no mta label of its own: its events count as mta="generic",
// direction inbound.

#include <string_view>

#include "mta/parse_outcome.hpp"
#include "smtp/smtp_event.hpp"
#include "syslog/syslog_header.hpp"

namespace mta {

bool is_courier_program(std::string_view program);
ParseOutcome parse_courier(const SyslogRecord& record, SmtpEvent& event);

}  // namespace mta
