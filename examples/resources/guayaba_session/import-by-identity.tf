# Requires Terraform >= 1.12 or OpenTofu >= 1.12 (import by identity).
# Import an active session by its identity: the key, and the agent when it is
# not the provider's agent_id. (An archived session has no key in the archive
# listing: import it by ID, "<agent_id>/<key>@<archive_filename>".)
import {
  to = guayaba_session.support
  identity = {
    key = "agent:main:telegram:group:-1001234567890:topic:42"
    # agent_id = "5f0c6a3e-2b1d-4c8e-9f7a-1e2d3c4b5a69"
  }
}
