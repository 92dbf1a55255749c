"""Every command has help text, and the entry points answer."""

import subprocess
import sys

from click.testing import CliRunner

from massagecam.cli import cli


def test_every_command_has_help():
    runner = CliRunner()
    assert cli.commands, "no command registered"
    for name, command in cli.commands.items():
        assert (command.help or "").strip(), f"command {name} has no help text"
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage:" in result.output


def test_python_m_version():
    out = subprocess.run([sys.executable, "-m", "massagecam", "--version"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.startswith("massagecam, version")
