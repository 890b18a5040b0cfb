"""Contract tests of `mta_exporter classify --json`: exactly one JSON object per input line, with the
keys of the product contract, for log lines, bare replies, and lines without an SMTP event; and of
`classify --explain`, which names the deciding rule, its tier and its source, in English and Turkish."""

import glob
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../integration"))
import harness  # noqa: E402
from harness import BINARY, SHARED_DIR  # noqa: E402

KEYS = {"mta", "direction", "status", "class", "code", "enhanced_code", "cause", "provider", "matched"}
CAUSES = {"none", "blocklist", "dnsbl_error", "reputation", "spam", "spf", "dkim", "dmarc", "sender_auth",
          "reverse_dns", "auth_required", "auth_failed", "tls", "relay_denied", "sender_rejected",
          "mailbox_unknown", "mailbox_disabled", "quota", "greylist", "rate_limit", "content_rejected", "policy",
          "message_too_large", "domain_not_found", "dns", "connection", "timeout", "loop", "protocol",
          "server_unavailable", "other"}


def classify(lines):
    data = b"".join(line + b"\n" for line in lines)
    result = subprocess.run([BINARY, "classify", "--json"], input=data, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [json.loads(row) for row in result.stdout.decode().splitlines()]


def explain(line, lang=None):
    argv = [BINARY, "classify", "--explain"] + (["--lang", lang] if lang else [])
    result = subprocess.run(argv, input=line + b"\n", capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    fields = {}
    for row in result.stdout.decode().splitlines():
        key, _, value = row.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return fields


TAXONOMY_SOURCE = "cause-taxonomy.md section 7 (../shared/reference)"


class ClassifyExplain(unittest.TestCase):
    # Issue 10 item 5. The taxonomy's rules cite the taxonomy, not the @source of a block written above them
    # (text-rules.tsv: a source line applies to every rule below it until the next).
    def test_names_rule_tier_and_source(self):
        for line, rule, cause in (
                (b"550 5.1.1 <a@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
                 "T19", "mailbox_unknown"),
                (b"554 5.7.1 <a@example.org>: Relay access denied", "T13", "relay_denied"),
                (b"550 5.7.1 Unauthenticated email is not accepted from this domain due to DMARC policy", "T02",
                 "dmarc")):
            with self.subTest(rule=rule):
                fields = explain(line)
                self.assertEqual(fields["cause"], cause)
                self.assertEqual(fields["decided by"], f"{rule} (strong text tier)")
                self.assertTrue(fields["source"].startswith(TAXONOMY_SOURCE), fields["source"])
                turkish = explain(line, "tr")
                self.assertEqual(turkish["karar veren"], f"{rule} (güçlü metin katmanı)")
                self.assertTrue(turkish["kaynak"].startswith(TAXONOMY_SOURCE), turkish["kaynak"])

    def test_an_mtas_own_rule_cites_its_source(self):
        fields = explain(b"530 5.5.1 Invalid command: Must issue an AUTH command first")
        self.assertEqual((fields["cause"], fields["decided by"]), ("auth_required", "T80 (strong text tier)"))
        self.assertIn("OpenSMTPD/OpenSMTPD@", fields["source"])

    # postscreen's 421 names no cause: the MTA's own words beside it do, and are shown.
    def test_a_reply_that_is_a_code_alone_shows_the_mtas_words(self):
        fields = explain(b"Jun  8 23:14:54 proxy2 postfix/postscreen[473]: COMMAND LENGTH LIMIT from [192.0.2.26]:15592 "
                         b"after RCPT")
        self.assertEqual((fields["reply"], fields["mta text"]), ("421", "COMMAND LENGTH LIMIT"))
        self.assertEqual((fields["cause"], fields["decided by"]), ("protocol", "W44 (weak text tier)"))

    # A bounce's opening sentence says only that the delivery failed: cause other, by the last tier.
    def test_a_failure_statement_names_its_tier(self):
        line = b"I'm sorry to have to inform you that your message could not be delivered to one or more recipients."
        fields = explain(line)
        self.assertEqual((fields["cause"], fields["decided by"]), ("other", "F01 (failure statement tier)"))
        self.assertIn("postfix/src/bounce/bounce_templates.c", fields["source"])
        self.assertEqual(explain(line, "tr")["karar veren"], "F01 (başarısızlık bildirimi katmanı)")

    def test_a_line_without_an_event_says_so(self):
        self.assertEqual(explain(b"hello world")["result"], "no SMTP event in this line")

    # One failed try that the delivery line repeats is described, and said to be left to that line.
    def test_a_failed_try_is_described_not_counted(self):
        line = (b"Aug 12 22:38:25 mx postfix/smtp[2861]: connect to ASPMX.L.GOOGLE.COM[64.233.188.27]:25: Operation "
                b"timed out")
        self.assertEqual(classify([line])[0], {"mta": "postfix", "direction": "outbound", "status": "", "class": "4xx",
                                                "code": "", "enhanced_code": "", "cause": "timeout",
                                                "provider": "google", "matched": True})
        self.assertTrue(explain(line)["not counted"].startswith("one failed try"))
        self.assertTrue(explain(line, "tr")["sayılmaz"].startswith("tek bir başarısız deneme"))
        self.assertNotIn("not counted", explain(b"550 5.7.1 Service unavailable; client [192.0.2.1] blocked"))
        # The rules read Postfix's words, not the name the client's DNS gives ("rdns" would read as reverse_dns),
        # and the TLS library's return code at the STARTTLS stage.
        rows = classify([b"Dec  1 10:00:00 mx postfix/smtpd[1]: lost connection after AUTH from "
                         b"198-51-100-7.rdns.example.net[198.51.100.7]",
                         b"Feb 12 11:28:13 t postfix/smtps/smtpd[30557]: SSL_accept error from unknown[5.39.223.84]: -1",
                         b"2013-06-02 15:06:18 H=(VM-WIN2K3-1562) [46.20.35.114] sender verify fail for "
                         b"<\"spf x\"@example.com>: Unknown user"])
        self.assertEqual([(row["direction"], row["class"], row["cause"]) for row in rows],
                         [("inbound", "4xx", "connection"), ("inbound", "4xx", "tls"),
                          ("inbound", "5xx", "sender_rejected")])


class ClassifyJsonContract(unittest.TestCase):
    def check_row(self, row):
        self.assertEqual(set(row), KEYS)
        if not row["matched"]:
            self.assertTrue(all(row[key] == "" for key in KEYS - {"matched"}), row)
            return
        self.assertIn(row["class"], {"2xx", "4xx", "5xx", ""})
        if row["class"] == "":  # a code-less diagnostic that states no class
            self.assertEqual((row["mta"], row["code"]), ("", ""), row)
        self.assertIn(row["cause"], CAUSES)
        self.assertEqual(row["cause"] == "none", row["class"] == "2xx", row)
        self.assertIn(row["direction"], {"", "inbound", "outbound", "local", "unknown"})
        if row["direction"] in ("inbound", "local"):
            self.assertEqual(row["provider"], "", row)

    def test_examples(self):
        rows = classify([
            b"550 5.7.1 Service unavailable; client [192.0.2.1] blocked using zen.spamhaus.org",
            b"Mar  4 00:00:00 mx1 postfix/smtp[1]: 65315FF034: to=<i@hotmail.com>, relay=hotmail-com.olc.protection"
            b".outlook.com[52.101.194.3]:25, delay=3052, delays=3052/0.01/0.3/0.2, dsn=4.7.500, status=deferred (host "
            b"hotmail-com.olc.protection.outlook.com[52.101.194.3] said: 451 4.7.500 Server busy. Please try again "
            b"later from [192.0.2.10]. (S77719) (in reply to RCPT TO command))",
            b"Mar  4 00:00:00 mx1 CRON[5]: (root) CMD (true)",
            b"",
            b"\x00\xff garbage",
            b"421-4.7.28 [192.0.2.10 15] Our system has detected an unusual rate of 421-4.7.28 unsolicited mail "
            b"421 4.7.28 gsmtp",
        ])
        self.assertEqual(len(rows), 6)
        for row in rows:
            self.check_row(row)
        self.assertEqual(rows[0], {"mta": "", "direction": "", "status": "", "class": "5xx", "code": "550",
                                   "enhanced_code": "5.7.1", "cause": "blocklist", "provider": "", "matched": True})
        self.assertEqual(rows[1], {"mta": "postfix", "direction": "outbound", "status": "deferred", "class": "4xx",
                                   "code": "451", "enhanced_code": "4.7.500", "cause": "reputation",
                                   "provider": "microsoft", "matched": True})
        self.assertFalse(rows[2]["matched"])
        self.assertFalse(rows[3]["matched"])
        self.assertFalse(rows[4]["matched"])
        self.assertEqual((rows[5]["cause"], rows[5]["provider"], rows[5]["enhanced_code"]),
                         ("rate_limit", "google", "4.7.28"))

    # `status` is a delivery's (README, Metrics): a refusal and an AUTH failure are events, not deliveries.
    def test_status_is_a_deliverys(self):
        rows = classify([
            b"May 11 04:02:37 host1 postfix/smtpd[26897]: NOQUEUE: reject: RCPT from unknown[192.0.2.1]: 554 5.7.1 "
            b"Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
            b"May 11 04:02:36 host1 postfix/smtpd[26897]: warning: unknown[192.0.2.1]: SASL LOGIN authentication "
            b"failed: authentication failure",
            b"Mar  4 00:00:00 mx1 postfix/smtp[1]: 65315FF034: to=<a@example.com>, relay=mx.example.com[192.0.2.2]:25,"
            b" delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.2] said: 550 5.1.1 "
            b"unknown user (in reply to RCPT TO command))",
        ])
        self.assertEqual([(row["status"], row["class"], row["direction"]) for row in rows],
                         [("", "5xx", "inbound"), ("", "5xx", "inbound"), ("bounced", "5xx", "outbound")])

    # A reply quoted on its own with words in front (a bounce body's "Remote host said: ...") is a bare reply: no
    # program logged it. A line with a log's marks (a stamp, a worker tag) stays the generic program's event.
    def test_quoted_reply_is_bare(self):
        rows = classify([
            b"Remote host said: 553 5.3.0 <a@b.example>... No such user here",
            b"Jun-10-13 10:10:59 [Worker_1] [SMTP Error] 535 5.7.8 Error: authentication failed",
            b"    Remote host said: 553 5.3.0 <a@b.example>... No such user here",
        ])
        for row in rows:
            self.check_row(row)
        self.assertEqual(rows[0], {"mta": "", "direction": "", "status": "", "class": "5xx", "code": "553",
                                   "enhanced_code": "5.3.0", "cause": "mailbox_unknown", "provider": "",
                                   "matched": True})
        self.assertEqual((rows[1]["mta"], rows[1]["direction"], rows[1]["cause"]), ("generic", "inbound", "auth_failed"))
        self.assertEqual(rows[2], rows[0])  # a bounce body's indented line reads the same

    # A mail client's error that puts the server's code in parentheses (lettre's "permanent error (550): ...",
    # Roundcube's "SMTP Error (451): ...") is the reply it reports; the code is not read twice when the text repeats it.
    def test_client_error_with_parenthesised_code(self):
        rows = classify([
            b"permanent error (550): 5.4.6 Email was forwarded too many times.",
            b"transient error (451): 4.3.5 Server configuration error",
            b"SMTP Error (550): 550 5.1.1 User unknown",
            b"permanent error (55): not a code",
        ])
        for row in rows:
            self.check_row(row)
        self.assertEqual([(row["code"], row["enhanced_code"], row["cause"]) for row in rows[:3]],
                         [("550", "5.4.6", "loop"), ("451", "4.3.5", "server_unavailable"),
                          ("550", "5.1.1", "mailbox_unknown")])
        self.assertEqual(rows[0]["mta"], "")  # a bare reply
        self.assertFalse(rows[3]["matched"], rows[3])  # "(55)" is no reply code: the text stays no reply

    # A code-less diagnostic names the provider of the host it failed with, not of a help link in it.
    def test_codeless_diagnostic_names_the_host_provider(self):
        rows = classify([
            b"lost connection with mx3.hotmail.com[192.0.2.1] while receiving the initial server greeting",
            b"The recipient server did not accept our requests to connect. Learn more at "
            b"https://support.google.com/mail/answer/7720 [mx.example.com 192.0.2.1: timed out]",
        ])
        for row in rows:
            self.check_row(row)
        self.assertEqual([row["provider"] for row in rows], ["microsoft", ""])

    # Issue 10: a bare text with no reply code counts when its words name a cause; the class is the one
    # the text states ("temporary", "permanent error", an enhanced code in it), else empty. Each text is
    # one the MTA writes itself (see the @source lines of src/classify/knowledge/text-rules.tsv).
    def test_codeless_diagnostics(self):
        cases = [
            (b"retry timeout exceeded", "timeout", ""),  # Exim deliver.c
            (b"Host or domain name not found. Name service error for name=x.example type=MX: Host not found",
             "domain_not_found", ""),  # Postfix smtp_addr.c, dns_strerror.c
            (b"mail for example.com loops back to myself", "loop", ""),  # Postfix smtp_addr.c
            (b"Mailbox is full", "quota", ""),  # Exim appendfile, mail stores
            (b"X-Postfix; delivery temporarily suspended: lost connection with mx.example.com[192.0.2.1] while "
             b"sending RCPT TO", "connection", "4xx"),  # Postfix qmgr_deliver.c, smtp_proto.c
            (b"Sorry, no mailbox here by that name. (#5.1.1)", "mailbox_unknown", "5xx"),  # qmail-local.c
            (b"Diagnostic-Code: X-Postfix; Host or domain name not found. Name service error for name=x.example "
             b"type=AAAA: Host not found", "domain_not_found", ""),
            (b"Temporary failure in MX lookup", "dns", "4xx"),  # OpenSMTPD mta.c
            (b"delivery temporarily suspended: connect to mx.example.com[192.0.2.1]:25: Connection timed out",
             "timeout", "4xx"),  # Postfix qmgr_deliver.c SUSPENDED, smtp_connect.c
            # Postfix names the server it failed with as host[address] (smtp_connect.c, smtp_trouble.c): a
            # bracketed address is no mark of a log line
            (b"connect to mx.example.com[192.0.2.1]:25: Connection refused", "connection", ""),
            (b"lost connection with mx.example.com[192.0.2.1] while receiving the initial server greeting",
             "connection", ""),
            (b"conversation with mx.example.com[192.0.2.1] timed out while receiving the initial server greeting",
             "timeout", ""),
        ]
        rows = classify([text for text, _, _ in cases])
        for (text, cause, klass), row in zip(cases, rows):
            self.check_row(row)
            self.assertEqual((row["matched"], row["cause"], row["class"]), (True, cause, klass), text)
        # Random text, and log lines whose header no parser took (the same words, but logged).
        rows = classify([b"hello world", b"the quick brown fox", b"Starting the mail system", b"12345",
                         b"Mar  4 00:00:00 mx1 sshd[7]: Connection closed by 192.0.2.1 port 22 [preauth]",
                         b"warning: uid=0: File too large"])
        for row in rows:
            self.check_row(row)
            self.assertFalse(row["matched"], row)
        # With a queue id the text is the Postfix client's own note of a transient failure with one server before
        # it tries the next (smtp_trouble.c smtp_bulk_fail()): a logged attempt, of class 4.
        [row] = classify([b"B99FE3D: lost connection with mx.example.com[192.0.2.1] while sending RCPT TO"])
        self.check_row(row)
        self.assertEqual((row["matched"], row["mta"], row["direction"], row["class"], row["cause"]),
                         (True, "postfix", "outbound", "4xx", "connection"))

    def test_one_object_per_line_over_the_corpus(self):
        files = sorted(glob.glob(os.path.join(SHARED_DIR, "corpus/real/*")))
        if not files:
            self.skipTest("shared corpus not found")
        for path in files:
            if path.endswith(".md"):
                continue
            with open(path, "rb") as corpus:
                lines = corpus.read().split(b"\n")
            if lines and lines[-1] == b"":
                lines.pop()
            with self.subTest(file=os.path.basename(path)):
                rows = classify(lines)
                self.assertEqual(len(rows), len(lines))
                for row in rows:
                    self.check_row(row)


if __name__ == "__main__":
    harness.main()
