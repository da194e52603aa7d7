"""Values written into HCL files pvctl generates (backend settings, the local-state override).

In an HCL quoted string `${` and `%{` start template expressions that Terraform would
evaluate; a repository path or a state prefix containing them must reach Terraform as text.
"""

from __future__ import annotations

from pvctl.core.errors import PvctlError


def hcl_string(value: object) -> str:
    """`value` as an HCL quoted string literal that Terraform reads back unchanged."""
    text = str(value)
    bad = next((c for c in text if ord(c) < 0x20 or ord(c) == 0x7F), None)
    if bad is not None:
        raise PvctlError(f"{text!r} holds a control character ({ord(bad):#04x}) and cannot be written into a Terraform file",
                         "rename the folder or change the value so it holds printable characters only")
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    # `$${` and `%%{` are HCL's escapes for a literal `${` and `%{`.
    return '"' + escaped.replace("${", "$${").replace("%{", "%%{") + '"'
