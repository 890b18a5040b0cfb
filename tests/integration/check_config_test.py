#!/usr/bin/env python3
"""`mta_exporter check-config` prints one line per source saying whether this user can read it now (issue 11,
item 2): a file that is there and readable, one that does not exist yet, one the user may not read (root:adm
0640 for a user outside adm), a glob without match, journal files from systemd-journal-remote that are and are
not readable, and a unix socket whose folder is missing. The unreadable cases run the command as `nobody` when
the test runs as root (root reads everything), else as the test's own user on files of mode 0000."""

import os
import subprocess
import unittest

import harness
from harness import BINARY, TempFolder, require_program


def as_unprivileged(command):
    return ["runuser", "-u", "nobody", "--", *command] if os.geteuid() == 0 else command


def check_config(folder, sources, unprivileged=False):
    config = os.path.join(folder, "mta_exporter.toml")
    with open(config, "w") as out:
        out.write(sources)
    os.chmod(config, 0o644)
    command = [BINARY, "check-config", config]
    result = subprocess.run(as_unprivileged(command) if unprivileged else command, capture_output=True, text=True,
                            timeout=60)
    return result


def source_lines(result):
    return [line for line in result.stdout.splitlines() if line.startswith("source ")]


def journal_export(count):
    entries = []
    for i in range(count):
        entries.append(f"__REALTIME_TIMESTAMP={1_700_000_000_000_000 + i}\n__MONOTONIC_TIMESTAMP={1_000_000 + i}\n"
                       "_BOOT_ID=4c6f6e6720746573742062c3b66f7421\n_HOSTNAME=mx1\nSYSLOG_IDENTIFIER=postfix/smtp\n"
                       f"MESSAGE=ABC{i}: to=<a@example.org>, relay=none, status=deferred (x)\n\n")
    return "".join(entries).encode()


class CheckConfigReadinessTest(unittest.TestCase):
    def setUp(self):
        self.folder_context = TempFolder()
        self.folder = self.folder_context.__enter__()
        os.chmod(self.folder, 0o755)  # nobody must reach the config and the files the cases make readable

    def tearDown(self):
        self.folder_context.__exit__(None, None, None)

    def test_files(self):
        readable = os.path.join(self.folder, "mail.log")
        with open(readable, "w") as out:
            out.write("x\n")
        os.chmod(readable, 0o644)
        result = check_config(self.folder,
                              '[[source]]\ntype = "file"\nname = "there"\npath = "mail.log"\n'
                              '[[source]]\ntype = "file"\nname = "later"\npath = "later.log"\n'
                              '[[source]]\ntype = "file"\nname = "glob"\npath = "none-*.log"\n')
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(source_lines(result), [
            f"source there (file): ready: {readable} is readable",
            f"source later (file): not ready: {os.path.join(self.folder, 'later.log')} does not exist yet: the agent "
            "waits for it",
            f"source glob (file): not ready: no file matches {os.path.join(self.folder, 'none-*.log')} yet: the agent "
            "looks again every 2 s",
        ])

    def test_file_the_user_may_not_read(self):
        closed = os.path.join(self.folder, "mail.log")
        with open(closed, "w") as out:
            out.write("x\n")
        os.chmod(closed, 0o640 if os.geteuid() == 0 else 0)
        result = check_config(self.folder, '[[source]]\ntype = "file"\nname = "mail"\npath = "mail.log"\n',
                              unprivileged=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        [line] = source_lines(result)
        self.assertTrue(line.startswith(f"source mail (file): not ready: {closed} is not readable by this user ("),
                        line)
        self.assertIn(": Permission denied (owner ", line)

    def test_journal_files(self):
        remote = require_program("systemd-journal-remote", "systemd-journal-remote",
                                 "/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote")
        journal_dir = os.path.join(self.folder, "journal")
        os.makedirs(journal_dir)
        os.chmod(journal_dir, 0o755)
        journal = os.path.join(journal_dir, "remote.journal")
        written = subprocess.run([remote, f"--output={journal}", "--split-mode=none", "-"], input=journal_export(3),
                                 capture_output=True, timeout=120)
        self.assertEqual(written.returncode, 0, written.stderr.decode())
        sources = '[[source]]\ntype = "journal"\nname = "remote"\ndirectory = "journal"\n'
        result = check_config(self.folder, sources)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(source_lines(result),
                         [f"source remote (journal): ready: the journal files in {journal_dir} are readable"])

        os.chmod(journal, 0o600 if os.geteuid() == 0 else 0)
        result = check_config(self.folder, sources, unprivileged=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        [line] = source_lines(result)
        self.assertTrue(line.startswith(f"source remote (journal): not ready: no journal files readable by this user "
                                        f"("), line)
        self.assertTrue(line.endswith(f") in {journal_dir}"), line)

    def test_unix_socket_folder(self):
        missing = os.path.join(self.folder, "run", "syslog.sock")
        result = check_config(self.folder, f'[[source]]\ntype = "syslog"\nname = "local"\nlisten = "unix://{missing}"\n'
                                           '[[source]]\ntype = "syslog"\nname = "udp"\n'
                                           'listen = "udp://127.0.0.1:5514"\n')
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(source_lines(result), [
            f"source local (syslog): not ready: {os.path.dirname(missing)}: No such file or directory: the socket "
            f"{missing} cannot be created",
            "source udp (syslog): ready: listens on udp://127.0.0.1:5514 (bound when the agent starts)",
        ])


if __name__ == "__main__":
    harness.main()
