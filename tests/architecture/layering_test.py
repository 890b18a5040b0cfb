"""The stages of src/ include only themselves and the stages before them in the data flow, as their
libraries link (src/CMakeLists.txt). A header-only include of a later stage would not fail to link, so
this test reads every #include "stage/..." of src/."""

import os
import re
import sys
import unittest

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../src")

# Each folder of src/ and the folders it may include, besides itself.
PARSE = {"framing", "syslog", "smtp", "mta"}
# logging/ (header-only: how a value is written into the agent's log) may be used by every stage.
EVERYWHERE = {"logging"}
ALLOWED = {
    "logging": set(),
    "framing": set(),
    "syslog": set(),
    "smtp": set(),
    "mta": {"smtp", "syslog"},
    "classify": PARSE,
    "metrics": PARSE | {"classify"},
    "pipeline": PARSE | {"classify", "metrics"},
    "history": PARSE | {"classify", "metrics", "pipeline"},
    "report": PARSE | {"classify", "metrics", "pipeline"},
    "source": PARSE | {"classify", "metrics"},
    "http": {"metrics"},
    "alerting": PARSE | {"classify", "metrics"},
    "config": PARSE | {"classify", "metrics", "source", "http", "alerting"},
    "agent": PARSE | {"classify", "metrics", "pipeline", "source", "http", "alerting", "config"},
    "app": PARSE | {"classify", "metrics", "pipeline", "history", "report", "source", "http", "alerting",
            "config", "agent"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')


class LayeringTest(unittest.TestCase):
    def test_every_folder_has_a_place(self):
        folders = {entry for entry in os.listdir(SRC) if os.path.isdir(os.path.join(SRC, entry))}
        self.assertEqual(folders, set(ALLOWED), "a folder of src/ is missing from ALLOWED, or ALLOWED names a gone one")

    def test_no_stage_includes_a_later_one(self):
        wrong = []
        for folder, allowed in ALLOWED.items():
            for name in sorted(os.listdir(os.path.join(SRC, folder))):
                if not name.endswith((".cpp", ".hpp")):
                    continue
                with open(os.path.join(SRC, folder, name)) as source:
                    for number, line in enumerate(source, 1):
                        match = INCLUDE.match(line)
                        if match and match.group(1) not in allowed | {folder} | EVERYWHERE:
                            wrong.append(f"src/{folder}/{name}:{number}: includes {match.group(1)}/")
        self.assertEqual(wrong, [])


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../integration"))
    import harness
    harness.main()
