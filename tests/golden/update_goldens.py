"""Regenerates tests/golden/expected/*.prom from `mta_exporter report` over the corpus files and prints
what changed, series by series, so that the change can be read before it is committed (`git diff`
shows the same). Run through the build: cmake --build BUILD --target update_goldens

  update_goldens.py MTA_EXPORTER CORPUS_DIR EXPECTED_DIR"""

import os
import subprocess
import sys


def series(text):
    """{series: value} of an exposition, build_info left out (it carries the revision)."""
    result = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and not line.startswith("mta_exporter_build_info"):
            name, _, value = line.rpartition(" ")
            result[name] = value
    return result


def report(binary, corpus_file):
    output = subprocess.run([binary, "report", "--format", "prometheus", corpus_file], check=True,
                            capture_output=True, text=True).stdout
    return "\n".join(line for line in output.splitlines() if not line.startswith("mta_exporter_build_info")) + "\n"


def main(binary, corpus_dir, expected_dir):
    changed_files = 0
    for name in sorted(os.listdir(expected_dir)):
        if not name.endswith(".prom"):
            continue
        path = os.path.join(expected_dir, name)
        with open(path) as expected:
            old_text = expected.read()
        new_text = report(binary, os.path.join(corpus_dir, name[:-len(".prom")]))
        if new_text == old_text:
            continue
        changed_files += 1
        old, new = series(old_text), series(new_text)
        print(f"== {name}")
        for key in sorted(old.keys() - new.keys()):
            print(f"  - {key} {old[key]}")
        for key in sorted(new.keys() - old.keys()):
            print(f"  + {key} {new[key]}")
        for key in sorted(k for k in old.keys() & new.keys() if old[k] != new[k]):
            print(f"  ~ {key} {old[key]} -> {new[key]}")
        with open(path, "w") as expected:
            expected.write(new_text)
    print(f"{changed_files} golden file(s) changed; review them with git diff before committing")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
