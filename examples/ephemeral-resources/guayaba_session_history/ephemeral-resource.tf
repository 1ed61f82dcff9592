# Requires Terraform >= 1.10 or OpenTofu >= 1.11 (ephemeral resources).
# The transcript is read during the run and never written to the state or
# plan files. Ephemeral values can go to ephemeral contexts: other ephemeral
# resources, provider blocks, write-only arguments, preconditions and checks,
# and ephemeral outputs of child modules.
ephemeral "guayaba_session_history" "ana" {
  key   = "agent:main:telegram:direct:123456789"
  limit = 50
}

locals {
  replies = [for m in ephemeral.guayaba_session_history.ana.messages : m.text if m.role == "assistant"]
}

# Gate a change on the conversation without storing it.
resource "terraform_data" "follow_up" {
  input = "agent:main:telegram:direct:123456789"

  lifecycle {
    precondition {
      condition     = length(local.replies) > 0
      error_message = "The agent has not answered in this session yet."
    }
  }
}
