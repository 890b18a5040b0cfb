"""End-to-end tests of the file source under faults (issue 16 item 5), against the real binary and
real logrotate:

  1. copytruncate with the writer running (compress, delaycompress) and the agent behind at each
     truncate: the rest is read from the copy, every line counted once;
  2. sharedscripts with a slow postrotate: the renamed files are read for as long as the writer has not
     reopened the paths, longer than any fixed grace period;
  3. SIGKILL in the middle of a catch-up: the restart reads exactly what the checkpoint had not covered;
  4. permission denied, then granted: reported in the log and on /-/ready, then read;
  5. a FIFO at the path: refused with a clear reason, the agent does not block;
  6. a log file deleted and not re-created: what the writer still appends to it is read.

Every test starts and stops what it uses itself, in a temporary folder, on 127.0.0.1 only. logrotate
comes from its Debian package (3.21.0-1 on Debian 12), installed by deploy/install-deps.sh.

Environment: MTA_EXPORTER (the binary).
"""

import gzip
import os
import signal
import threading
import time
import unittest

import harness
from harness import TempFolder, http_get, require_program, wait_for
from sources_test import (LogWriter, RunAgent, checkpoint_offset, count_newlines, count_newlines_before,
                          file_source, run_logrotate, sample_lines, settled_lines, source_lines, stays)


def lines_on_disk(folder, prefix):
    """Complete lines in every file of `folder` whose name starts with `prefix`, compressed ones too."""
    total = 0
    for name in os.listdir(folder):
        if not name.startswith(prefix):
            continue
        path = os.path.join(folder, name)
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rb") as data:
            total += data.read().count(b"\n")
    return total


class LogrotateFaultTest(unittest.TestCase):
    def test_copytruncate_with_the_agent_behind_counts_every_line_once(self):
        logrotate = require_program("logrotate", "logrotate", "/usr/sbin/logrotate")
        with TempFolder() as folder:
            log = os.path.join(folder, "mail.log")
            open(log, "w").close()
            agent = RunAgent(folder, file_source("mail", log, "end"))
            conf = f"{log} {{\n  rotate 10\n  copytruncate\n  compress\n  delaycompress\n  missingok\n}}\n"
            writer = LogWriter(log, sample_lines(), burst=50, interval=0.002)
            try:
                wait_for(lambda: http_get(agent.url("/-/ready"))[0] == 200, what="ready")
                writer.resume()
                copy_read = "reading what was not read yet from its copy"
                for rotation in range(4):
                    time.sleep(0.6)
                    # The agent is frozen around the rotation, so that it is behind at the truncate: what
                    # it has not read by then is only in the copy. The writer pauses for logrotate's own
                    # copy-to-truncate window only (what it appended then would be in neither file), so
                    # that every line written is in the files and the count can be exact.
                    agent.signal(signal.SIGSTOP)
                    time.sleep(0.2)
                    writer.pause()
                    result = run_logrotate(logrotate, folder, conf)
                    writer.resume()
                    agent.signal(signal.SIGCONT)
                    self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                    wait_for(lambda: agent.agent_log().count(copy_read) == rotation + 1, timeout=60,
                             what="the agent to read the rest from the copy")
                time.sleep(0.5)
                total = writer.stop()
                present = lines_on_disk(folder, "mail.log")
                self.assertEqual(present, total)
                counted = settled_lines(agent, "mail", total)
                print(f"\n  copytruncate, the agent behind at each truncate: {total} lines written and in the "
                      f"files, {counted} counted", flush=True)
                self.assertEqual(counted, total, agent.agent_log()[-1500:])
            finally:
                writer.stopping.set()
                self.assertEqual(agent.stop(), 0)

    def test_sharedscripts_with_a_slow_postrotate(self):
        logrotate = require_program("logrotate", "logrotate", "/usr/sbin/logrotate")
        with TempFolder() as folder:
            logs = [os.path.join(folder, name) for name in ("mail.log", "mail.err")]
            flags = [log + ".reopen" for log in logs]
            for log in logs:
                open(log, "w").close()
            agent = RunAgent(folder, file_source("mail", logs[0], "end") + file_source("err", logs[1], "end"))
            # The writers reopen only after postrotate, which runs once for both files and takes 7 s.
            conf = (f"{logs[0]} {logs[1]} {{\n  rotate 10\n  create 0644\n  nocompress\n  sharedscripts\n"
                    f"  postrotate\n    sleep 7; touch {' '.join(flags)}\n  endscript\n}}\n")
            writers = [LogWriter(log, sample_lines(), burst=2, interval=0.01, reopen_flag=flag)
                       for log, flag in zip(logs, flags)]
            try:
                wait_for(lambda: http_get(agent.url("/-/ready"))[0] == 200, what="ready")
                for writer in writers:
                    writer.resume()
                time.sleep(0.5)
                rotation = threading.Thread(target=run_logrotate, args=(logrotate, folder, conf))
                rotation.start()
                wait_for(lambda: all(os.path.exists(log + ".1") for log in logs), what="the rename")
                # Quiet for 6 s in the renamed files (the writers have not reopened yet), then more lines
                # into them: a fixed 5 s grace after the rename would have dropped these.
                for writer in writers:
                    writer.pause()
                time.sleep(6)
                for writer in writers:
                    writer.write_now(50)
                    writer.resume()
                rotation.join(60)
                wait_for(lambda: all(writer.reopens == 1 for writer in writers), what="the writers to reopen")
                time.sleep(0.5)
                for name, log, writer in zip(("mail", "err"), logs, writers):
                    total = writer.stop()
                    self.assertEqual(count_newlines(log) + count_newlines(log + ".1"), total)
                    counted = settled_lines(agent, name, total)
                    print(f"\n  sharedscripts, slow postrotate: {os.path.basename(log)} {total} written, "
                          f"{counted} counted", flush=True)
                    self.assertEqual(counted, total, agent.agent_log()[-1500:])
            finally:
                for writer in writers:
                    writer.stopping.set()
                self.assertEqual(agent.stop(), 0)


class CatchUpKillTest(unittest.TestCase):
    def test_sigkill_in_a_catch_up_resumes_at_the_checkpoint(self):
        with TempFolder() as folder:
            log = os.path.join(folder, "mail.log")
            checkpoint = os.path.join(folder, "checkpoint")
            key = f"mail:{log}"
            lines = sample_lines()
            block = "".join(line + "\n" for line in lines).encode()
            with open(log, "wb") as out:
                for _ in range(400):  # 1.6 million lines, 265 MB
                    out.write(block)
            total = 400 * len(lines)
            size = os.path.getsize(log)
            checkpoint_toml = f'[checkpoint]\npath = "{checkpoint}"\ninterval_seconds = 0.1\n'
            agent = RunAgent(folder, file_source("mail", log, "beginning"), checkpoint_toml, run="run1")
            try:
                wait_for(lambda: (checkpoint_offset(checkpoint, key) or 0) > 0, interval=0.005,
                         what="a first checkpoint in the catch-up")
                self.assertEqual(agent.kill(), -signal.SIGKILL)
                offset = checkpoint_offset(checkpoint, key)
                self.assertLess(offset, size, "the catch-up was over before the kill")
                with open(log, "rb") as data:
                    data.seek(offset - 1)
                    self.assertEqual(data.read(1), b"\n", "the checkpoint offset is not at a line end")
                covered = count_newlines_before(log, offset)
                agent = RunAgent(folder, file_source("mail", log, "checkpoint"), checkpoint_toml, run="run2")
                run2 = settled_lines(agent, "mail", total - covered, timeout=120)
                print(f"\n  SIGKILL in a catch-up: checkpoint at byte {offset} of {size} ({covered} of {total} "
                      f"lines); run2 counted {run2}", flush=True)
                self.assertEqual(run2, total - covered)
            finally:
                agent.stop()


def setpriv_nobody():
    setpriv = require_program("setpriv", "util-linux", "/usr/bin/setpriv")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


class UnreadableTest(unittest.TestCase):
    @unittest.skipUnless(os.geteuid() == 0, "runs the agent as nobody with setpriv: needs root")
    def test_permission_denied_then_granted(self):
        with TempFolder() as folder:
            os.chmod(folder, 0o755)
            log = os.path.join(folder, "mail.log")
            with open(log, "w") as out:
                out.write("".join(line + "\n" for line in sample_lines(100)))
            os.chmod(log, 0o600)  # root's; the agent runs as nobody
            agent = RunAgent(folder, file_source("mail", log, "beginning"), run_as=setpriv_nobody())
            try:
                wait_for(lambda: "Permission denied" in http_get(agent.url("/-/ready"))[2].decode(),
                         what="/-/ready to name the error")
                status, _, body = http_get(agent.url("/-/ready"))
                self.assertEqual(status, 503)
                self.assertIn(f"{log}: Permission denied", body.decode())
                self.assertIn("cannot read log file, retrying", agent.agent_log())
                os.chmod(log, 0o644)
                wait_for(lambda: http_get(agent.url("/-/ready"))[0] == 200, what="ready once readable")
                self.assertEqual(settled_lines(agent, "mail", 100), 100)
                self.assertIn("log file readable", agent.agent_log())
            finally:
                self.assertEqual(agent.stop(), 0)

    def test_a_fifo_is_refused_without_blocking(self):
        with TempFolder() as folder:
            fifo = os.path.join(folder, "mail.log")
            os.mkfifo(fifo)
            agent = RunAgent(folder, file_source("mail", fifo, "beginning"))
            try:
                wait_for(lambda: "FIFO" in http_get(agent.url("/-/ready"))[2].decode(), what="/-/ready to say why")
                status, _, body = http_get(agent.url("/-/ready"))
                self.assertEqual(status, 503)
                self.assertIn(f"{fifo}: a FIFO, not a regular file", body.decode())
                self.assertEqual(http_get(agent.url("/metrics"))[0], 200)
            finally:
                self.assertEqual(agent.stop(), 0)


class DeletedLogTest(unittest.TestCase):
    def test_deleted_without_recreation_then_recreated(self):
        with TempFolder() as folder:
            log = os.path.join(folder, "mail.log")
            open(log, "w").close()
            agent = RunAgent(folder, file_source("mail", log, "end"))
            writer = LogWriter(log, sample_lines(), burst=2)
            try:
                wait_for(lambda: http_get(agent.url("/-/ready"))[0] == 200, what="ready")
                writer.write_now(100)
                self.assertEqual(settled_lines(agent, "mail", 100), 100)
                os.unlink(log)
                writer.write_now(100)  # into the deleted file, which the writer still holds
                self.assertEqual(settled_lines(agent, "mail", 200), 200)
                writer.out.close()
                writer.out = open(log, "ab", buffering=0)  # the path is created again
                writer.write_now(100)
                self.assertEqual(settled_lines(agent, "mail", 300), 300)
                self.assertTrue(stays(lambda: source_lines(agent, "mail") == 300))
            finally:
                writer.stopping.set()
                writer.stop()
                self.assertEqual(agent.stop(), 0)


if __name__ == "__main__":
    harness.main()
