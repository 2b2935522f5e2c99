"""The README's container commands are the ones `make image-test` runs.

tests/image/run.sh builds and runs the image with podman (slow, not part of this suite);
this keeps the README's "Run in a container" section from drifting away from it.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _section(text, title):
    start = text.index(f"### {title}\n")
    end = text.index("\n### ", start + 1)
    return text[start:end]


def _commands(block):
    """Lines of a shell text with continuations joined, comments and spacing normalized."""
    joined = re.sub(r"\\\n\s*", " ", block)
    lines = []
    for line in joined.splitlines():
        line = re.sub(r"\s+#\s.*$", "", line).replace("> /dev/null", "")
        lines.append(" ".join(line.split()))
    return lines


def _readme_docker_commands():
    section = _section((ROOT / "README.md").read_text(), "Run in a container")
    plain = section.split("#### ")[0]  # before the compose and testing parts
    blocks = re.findall(r"```sh\n(.*?)```", plain, re.S)
    return [
        line
        for block in blocks
        for line in _commands(block)
        if line.startswith(("docker ", "{ echo", "echo ")) or "| docker run" in line
    ]


def _runs(script, command):
    """Whether the script has the command as a line, alone or with its output redirected."""
    return any(
        line == command or line.startswith((command + " >", command + " 2>", command + " ||"))
        for line in script
    )


def test_readme_container_commands_are_run_by_the_image_test():
    script = _commands((ROOT / "tests/image/run.sh").read_text())
    commands = _readme_docker_commands()
    assert len(commands) >= 8
    assert [command for command in commands if not _runs(script, command)] == []


def test_readme_container_section_shows_migration_and_admin_without_a_shell():
    commands = " ".join(_readme_docker_commands())
    assert '"$IMAGE" flask db upgrade' in commands
    assert "flask users create-admin" in commands and "--password-stdin" in commands
