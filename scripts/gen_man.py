#!/usr/bin/env python3
"""Writes zkctl(1) from the text `zkctl --help` and `zkctl SUBCOMMAND --help` print.

Usage: gen_man.py ZKCTL OUT

Run by meson at build time, so the man page holds exactly the help text of the binary it is
installed with: the program's options, every subcommand (its usage, positionals, options,
footer), the examples and the exit codes. Nothing here describes a command by itself.
"""

import re
import subprocess
import sys

HEADINGS = ("Options:", "Positionals:", "Subcommands:")


def help_of(zkctl, *args):
    """The --help text of `zkctl ARGS`, as lines."""
    out = subprocess.run([zkctl, *args, "--help"], check=True, capture_output=True, text=True)
    return out.stdout.rstrip("\n").split("\n")


def esc(text):
    """Text safe for roff: backslashes, hyphens and leading control characters escaped."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def parse(lines):
    """(description, usage, {heading: [(term, text)]}, footer lines) of one help text."""
    description, usage = lines[0], lines[1].removeprefix("Usage: ")
    sections, footer, current, i = {}, [], None, 2
    while i < len(lines):
        line = lines[i]
        if line in HEADINGS:
            current = sections.setdefault(line.rstrip(":"), [])
        elif line.startswith("  ") and current is not None and not line.startswith(" " * 29):
            term, _, text = line.strip().partition("  ")
            if not text.strip() and i + 1 < len(lines) and lines[i + 1].startswith(" " * 29):
                i += 1
                text = lines[i]
            current.append((term, text.strip()))
        elif line == "" and current is not None and i + 1 < len(lines) and lines[i + 1] == "":
            footer, current = lines[i + 2 :], None
            break
        i += 1
    return description, usage, sections, footer


def items(entries):
    """.TP entries, one per option or positional."""
    out = []
    for term, text in entries:
        name, _, kind = term.partition(" ")
        out += [".TP", "\\fB" + esc(name.replace(",", ", ")) + "\\fR" + (" \\fI" + esc(kind) + "\\fR" if kind else ""),
                esc(text)]
    return out


def footer_roff(lines):
    """Paragraphs filled; an indented block (examples) kept as written."""
    out, block = [], False
    for line in lines:
        if not line.strip():
            if block:
                out += [".fi", ".RE"]
                block = False
            out.append(".PP")
        elif line.startswith("  "):
            if not block:
                out += [".RS 4", ".nf"]
                block = True
            out.append(esc(line.strip()))
        else:
            out.append(esc(line))
    if block:
        out += [".fi", ".RE"]
    return out


def page(zkctl):
    """The whole man page, as lines."""
    version = subprocess.run([zkctl, "--version"], check=True, capture_output=True,
                             text=True).stdout.strip()
    description, usage, sections, footer = parse(help_of(zkctl))
    name, _, summary = description.partition(": ")
    out = [f'.TH ZKCTL 1 "" "{esc(version)}" "User Commands"', ".nh", ".ad l", ".SH NAME",
           f"{name} \\- {esc(summary)}", ".SH SYNOPSIS", esc(usage), ".SH DESCRIPTION",
           f"\\fB{name}\\fR {esc(summary)}.", "Every subcommand is described below with the text of its",
           "\\fB\\-\\-help\\fR.", ".SH OPTIONS"]
    out += items(sections.get("Options", []))
    out.append(".SH COMMANDS")
    for command, _ in sections.get("Subcommands", []):
        sub_description, sub_usage, sub_sections, sub_footer = parse(help_of(zkctl, command))
        out += [".SS " + esc(command), esc(sub_usage), ".PP", esc(sub_description) + "."]
        for heading in ("Positionals", "Options"):
            if sub_sections.get(heading):
                out += [".PP", heading + ":"] + items(sub_sections[heading])
        out += [".PP"] + footer_roff(sub_footer)
    exit_at = next((i for i, line in enumerate(footer) if line.startswith("Exit codes:")),
                   len(footer))
    out += [".SH EXAMPLES"] + footer_roff(footer[:exit_at])
    out += [".SH EXIT STATUS"]
    codes = re.sub(r"^Exit codes: ", "", " ".join(footer[exit_at:]))
    for code in re.split(r";\s+(?=\d+ )", codes):
        number, _, meaning = code.partition(" ")
        out += [".TP", "\\fB" + number + "\\fR", esc(meaning)]
    out += [".SH SEE ALSO", "\\fBssh\\fR(1), \\fBssh_config\\fR(5)"]
    return out


def main():
    zkctl, target = sys.argv[1], sys.argv[2]
    text = "\n".join(line for line in page(zkctl) if line != "") + "\n"
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
